// The completion pipeline's stages, free of vscode so they run and test in plain Node.
export {extractCursorContext} from "./context";
export type {CursorContext, CursorContextOptions, CursorPosition, LineSource} from "./context";
export {POSTPROCESS_DEFAULTS, postprocessCompletion, postprocessRules} from "./postprocess";
export type {PostprocessContext, PostprocessOptions, PostprocessRule} from "./postprocess";
export {COMPLETION_CACHE_DEFAULTS, CompletionCache} from "./completionCache";
export type {CompletionCacheOptions, CompletionKey} from "./completionCache";
export {ADAPTIVE_DEBOUNCE_DEFAULTS, AdaptiveDebounce, wait} from "./adaptiveDebounce";
export type {AdaptiveDebounceOptions, Clock} from "./adaptiveDebounce";
export {RequestGate} from "./requestGate";
export type {RequestGateCounters, RunOptions} from "./requestGate";
