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
export {automaticTriggerBlock} from "./triggerRules";
export type {TriggerRules} from "./triggerRules";
export {completedReason, describeOutcome, outcomeLogLine, REASON_LABELS, REQUEST_REASONS} from "./requestOutcome";
export type {RequestOutcome, RequestReason} from "./requestOutcome";
export {RequestOutcomes} from "./requestOutcomes";
export type {ReasonCount} from "./requestOutcomes";
export {MAX_SNOOZE_MINUTES, Snooze, SNOOZE_CHOICES_MINUTES, SnoozeDurationError} from "./snooze";
export type {SnoozeClock, SnoozeState} from "./snooze";
