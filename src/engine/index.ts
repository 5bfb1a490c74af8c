// Draftstop's engine: speculative decoding with AdaEDL on node-llama-cpp. Plain Node, no vscode.
export {DraftstopEngine} from "./engine";
export type {EngineInfo, EngineLoadOptions, ExtraContextReport, GenerationReport, ModelInfo} from "./engine";
export {multiFileFormat, renderExtraContext} from "./prompt/extraContext/render";
export type {ContextChunk, ExtraContextInput, MultiFileFormat} from "./prompt/extraContext/render";
export * from "./errors";
export {buildFimPrompt, FIM_LAYOUTS, FIM_LAYOUTS_KEY, hasFimTokens, supportedFimLayouts} from "./prompt/fim";
export type {FimInput, FimLayout, FimPrompt, FimPromptOptions} from "./prompt/fim";
export {DRAFTER_SETTINGS, LOOKUP_CHOICES, GENERATE_DEFAULTS, GPU_CHOICES, LOAD_DEFAULTS, defaultThreads, resolveGenerateOptions, resolveLoadOptions} from "./options";
export type {DrafterName, DrafterSetting, LookupChoice, GenerateOptions, GpuChoice, LoadOptions, SamplingOptions} from "./options";
export * from "./drafting/policies";
export type {GenerationResult, PrefillRecord, StopReason} from "./decoding/speculative";
export {summarize} from "./stats/figures";
export type {StatsSummary} from "./stats/figures";
export type {RoundRecord, StatsTotals} from "./stats/roundRecord";
export {entropy} from "./decoding/entropy";
export {liveModels} from "./modelPair";
