// Draftstop's engine: speculative decoding with AdaEDL on node-llama-cpp. Plain Node, no vscode.
export {DraftstopEngine} from "./engine";
export type {EngineInfo, EngineLoadOptions, ExtraContextReport, GenerationReport, ModelInfo} from "./engine";
export {multiFileFormat, renderExtraContext} from "./extraContext/render";
export type {ContextChunk, ExtraContextInput, MultiFileFormat} from "./extraContext/render";
export * from "./errors";
export {buildFimPrompt, FIM_LAYOUTS, FIM_LAYOUTS_KEY, hasFimTokens, supportedFimLayouts} from "./fim";
export type {FimInput, FimLayout, FimPrompt, FimPromptOptions} from "./fim";
export {DRAFTER_SETTINGS, LOOKUP_CHOICES, GENERATE_DEFAULTS, GPU_CHOICES, LOAD_DEFAULTS, defaultThreads, resolveGenerateOptions, resolveLoadOptions} from "./options";
export type {DrafterName, DrafterSetting, LookupChoice, GenerateOptions, GpuChoice, LoadOptions, SamplingOptions} from "./options";
export * from "./policies";
export type {GenerationResult, PrefillRecord, StopReason} from "./speculative";
export {summarize} from "./stats";
export type {RoundRecord, StatsSummary, StatsTotals} from "./stats";
export {entropy} from "./entropy";
export {liveModels} from "./models";
