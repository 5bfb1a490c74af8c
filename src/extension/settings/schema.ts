// Every Draftstop setting with its default, range and description: the one place they are defined.
// package.json's contributes.configuration must say the same (test/unit/config.test.ts checks it).
import {DRAFTER_SETTINGS, GENERATE_DEFAULTS} from "../../engine/options";
import {ADAEDL_DEFAULTS, COST_AWARE_DEFAULTS, HEURISTIC_DEFAULTS, MAX_CONFIDENCE_DEFAULTS, POLICY_NAMES, STATIC_DEFAULTS} from "../../engine/drafting/policies";

export type SettingScope = "machine" | "window" | "resource" | "language-overridable";

interface Common {
  description: string;
  scope?: SettingScope;
  /** Changing it reloads the models (otherwise it applies to the next completion). */
  reloadsModels?: boolean;
}
export type SettingSpec = Common & (
  | {type: "boolean"; default: boolean}
  | {type: "number" | "integer"; default: number; minimum: number; maximum: number; exclusiveMinimum?: boolean}
  | {type: "string"; default: string; enum?: readonly string[]; enumDescriptions?: readonly string[]}
  | {type: "array"; default: string[]}
);

const number = (value: number, minimum: number, maximum: number, description: string, extra: Partial<Common> = {}) =>
  ({type: "number" as const, default: value, minimum, maximum, description, ...extra});
const integer = (value: number, minimum: number, maximum: number, description: string, extra: Partial<Common> = {}) =>
  ({type: "integer" as const, default: value, minimum, maximum, description, ...extra});

export const SETTINGS = {
  "enable": {type: "boolean", default: true, description: "Show inline completions from Draftstop."},
  "targetModel": {type: "string", default: "", scope: "machine", reloadsModels: true,
    description: "Target model: the path of a GGUF file or an hf: URI (e.g. hf:ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF/qwen2.5-coder-1.5b-q8_0.gguf). Its output is what you see."},
  "draftModel": {type: "string", default: "", scope: "machine", reloadsModels: true,
    description: "Draft model: a small GGUF of the same family as the target (same tokenizer), as a path or hf: URI. Empty: the target decodes alone."},
  "modelDirectory": {type: "string", default: "", scope: "machine",
    description: "Folder for downloaded models. Empty: the extension's global storage."},
  "drafter": {type: "string", default: GENERATE_DEFAULTS.drafter, enum: DRAFTER_SETTINGS,
    enumDescriptions: [
      "Both when a draft model is set, lookup when none is (default).",
      "The draft model proposes every draft.",
      "Drafts copied from what followed the same tokens earlier in the file and the completion; no model runs, so it needs no draft model.",
      "Each round takes the draft model's draft or the lookup draft, whichever promises more tokens per second."
    ],
    description: "Where drafts come from: the draft model, lookup (copies of what followed the same tokens earlier in the context; no model runs), or both. auto: both when a draft model is set, lookup when none is."},
  "policy": {type: "string", default: "costAware", enum: POLICY_NAMES,
    enumDescriptions: [
      "Cost-aware AdaEDL: drafts a token only when its entropy-calibrated acceptance pays for its cost on this machine, and lets the target decode alone while speculation does not pay (default).",
      "AdaEDL as published: stop drafting when the entropy bound on acceptance falls below an adaptive threshold.",
      "A fixed draft length K.",
      "Stop drafting when the draft's top probability is below p_min.",
      "Start at 5, +2 after a fully accepted round, -1 otherwise.",
      "No drafting: the target model alone."
    ],
    description: "How many tokens are drafted each round, by the draft model or by lookup (see draftstop.drafter)."},
  "costAware.maxDraft": integer(COST_AWARE_DEFAULTS.maxDraft, 1, 64, "Cost-aware AdaEDL: most tokens drafted in a round."),
  "costAware.margin": number(COST_AWARE_DEFAULTS.margin, 0, 1, "Cost-aware AdaEDL: the draft runs only while speculation has been faster than the target alone by this fraction."),
  "costAware.exploreEvery": integer(COST_AWARE_DEFAULTS.exploreEvery, 1, 10000, "Cost-aware AdaEDL: while the draft sits out, every this-many-th round runs it anyway to notice when speculation pays again."),
  "costAware.exploreAtMost": integer(COST_AWARE_DEFAULTS.exploreAtMost, 1, 100000, "Cost-aware AdaEDL: each exploring round that finds speculation still not paying doubles that interval, up to this many rounds; the draft running by its gain again resets it."),
  "costAware.optimism": number(COST_AWARE_DEFAULTS.optimism, 0, 10, "Cost-aware AdaEDL: standard deviations added to the learned acceptance of a round's first drafted token, so that it tries drafts the evidence does not yet support."),
  "costAware.laterOptimism": number(COST_AWARE_DEFAULTS.laterOptimism, 0, 10, "Cost-aware AdaEDL: the same for the second and later tokens of a round. Optimism there compounds into long drafts, so the default reads them at their estimate."),
  "costAware.planAhead": {type: "boolean", default: COST_AWARE_DEFAULTS.planAhead,
    description: "Cost-aware AdaEDL: plan each round ahead over where the draft's next entropies may fall, learned as it drafts, and let the target decode a round alone where the plan says drafting cannot beat it. Off: later tokens are assumed as likely to be accepted as the current one."},
  "adaedl.gamma": number(ADAEDL_DEFAULTS.gamma, 0, 10, "AdaEDL γ: entropy scale in the acceptance bound 1 − sqrt(γ·H)."),
  "adaedl.lambda0": number(ADAEDL_DEFAULTS.lambda0, 0, 1, "AdaEDL λ0: initial stopping threshold."),
  "adaedl.beta1": number(ADAEDL_DEFAULTS.beta1, 0, 1, "AdaEDL β1: smoothing of the acceptance-rate estimate."),
  "adaedl.beta2": number(ADAEDL_DEFAULTS.beta2, 0, 1, "AdaEDL β2: smoothing of λ."),
  "adaedl.epsilon": number(ADAEDL_DEFAULTS.epsilon, 0, 1, "AdaEDL ε: step of λ's update."),
  "adaedl.alpha": number(ADAEDL_DEFAULTS.alpha, 0, 1, "AdaEDL α: target acceptance rate."),
  "adaedl.minDraft": integer(ADAEDL_DEFAULTS.minDraft, 0, 64, "AdaEDL: tokens always drafted before the bound is consulted."),
  "adaedl.maxDraft": integer(ADAEDL_DEFAULTS.maxDraft, 1, 64, "AdaEDL: most tokens drafted in a round."),
  "static.k": integer(STATIC_DEFAULTS.k, 1, 64, "Static policy: tokens drafted every round."),
  "maxConfidence.pMin": number(MAX_CONFIDENCE_DEFAULTS.pMin, 0, 1, "Max-confidence policy: least top probability that keeps drafting."),
  "maxConfidence.maxDraft": integer(MAX_CONFIDENCE_DEFAULTS.maxDraft, 1, 64, "Max-confidence policy: most tokens drafted in a round."),
  "heuristic.start": integer(HEURISTIC_DEFAULTS.start, 1, 64, "Heuristic policy: draft length of the first round."),
  "heuristic.maxDraft": integer(HEURISTIC_DEFAULTS.maxDraft, 1, 64, "Heuristic policy: most tokens drafted in a round."),
  "temperature": number(0, 0, 2, "Sampling temperature. 0: greedy (the same completion every time)."),
  "topK": integer(40, 0, 1000, "Top-k when temperature > 0 (0: no limit)."),
  "topP": {type: "number", default: 0.95, minimum: 0, maximum: 1, exclusiveMinimum: true, description: "Top-p when temperature > 0 (1: no limit)."},
  "maxTokens": integer(64, 1, 1024, "Most tokens in one completion."),
  "maxLines": integer(8, 1, 200, "Most lines in one completion."),
  "prefixLines": integer(100, 0, 5000, "Lines above the cursor sent to the model."),
  "suffixLines": integer(30, 0, 5000, "Lines below the cursor sent to the model."),
  "fimLayout": {type: "string", default: "auto", enum: ["auto", "psm", "spm"],
    enumDescriptions: ["The cheaper of the layouts the model supports, measured on this machine.", "Prefix, suffix, middle.", "Suffix, prefix, middle."],
    description: "Fill-in-the-middle prompt layout."},
  "contextSize": integer(2048, 256, 131072, "Context size in tokens of each model.", {reloadsModels: true}),
  "kvCacheType": {type: "string", default: "F16", enum: ["F16", "Q8_0"], reloadsModels: true,
    enumDescriptions: [
      "16-bit keys and values (default).",
      "8-bit keys, and 8-bit values where flash attention is on (a GPU, by llama.cpp's choice): about a quarter less memory per window with keys alone, nearly half with both; the target's output may differ slightly."
    ],
    description: "Precision of each model's KV cache, the memory every window's prompt fills (on SmolLM2-135M at the default context, 49 MB a window at F16). Q8_0 for many windows or long contexts on a machine short of memory."},
  "threads": integer(0, 0, 256, "CPU threads per model. 0: half the logical cores (llama.cpp's own default oversubscribes small machines).",
    {reloadsModels: true}),
  "gpu": {type: "string", default: "auto", enum: ["auto", "cuda", "metal", "vulkan", "off"], reloadsModels: true,
    description: "Where the models run: auto picks Metal, CUDA or Vulkan when present, else the CPU."},
  "shareModelProcess": {type: "boolean", default: true, scope: "machine",
    description: "Serve every VS Code window on this machine from one model process: windows that use the same models share one copy of them in memory, and each keeps its own prompt cache and statistics. The process listens on a Unix socket (a named pipe on Windows) in a folder only you can open, never on a network port. Off: each window starts a process of its own. Applies to windows opened (or reloaded) after the change."},
  "sharedProcess.idleMinutes": number(5, 0, 1440,
    "How long the shared model process stays after the last window using it closes, so that a window opened soon after finds the models loaded. 0: it exits with the last window.",
    {scope: "machine"}),
  "prefetch": {type: "boolean", default: true,
    description: "Work ahead in idle time: once a completion is shown, generate the one that follows it if you accept it, so that the next ghost text is there right after Tab; when the cursor jumps or a file opens, evaluate the prompt there, so that the first keystroke pays only for its own tokens. Dropped at once when you type something else or ask elsewhere."},
  "firstLineEarly": {type: "boolean", default: true,
    description: "Show a multi-line completion's first line as soon as the model has written it, and the whole block once it is done: the ghost text grows. Off: the block shows when it is done."},
  "partialLineAfterMs": integer(500, 0, 10000,
    "A completion still being written this many milliseconds after you typed shows its first line's whole words so far, and grows when it is done, so that a long line does not keep you waiting. 0: never; a line shows when it is done. With firstLineEarly off, blocks always show whole."),
  "debounce.minMs": integer(0, 0, 5000, "Shortest wait after a keystroke before completing (the wait adapts to your typing speed between this and debounce.maxMs)."),
  "debounce.maxMs": integer(0, 0, 5000, "Longest wait after a keystroke before completing. 0: no wait, a keystroke cancels the completion of the one before within one model pass. Raise it (300, say) to spend no CPU on completions while you type fast, at the price of that wait when you stop."),
  "disabledLanguages": {type: "array", default: [], description: "Language ids (e.g. markdown, plaintext) without Draftstop completions."},
  "trigger.midWord": {type: "boolean", default: false,
    description: "Complete automatically when the cursor is directly followed by a letter, digit, _ or $ (in the middle of a word). Asking for a completion (Trigger Inline Suggestion) always completes."},
  "extraContext.enable": {type: "boolean", default: false,
    description: "Opt-in for now: put chunks of the workspace's files you recently opened, edited or copied from into the prompt, before the text around the cursor (never files hidden by files.exclude or .gitignore, of disabled languages, outside the workspace, or in an untrusted workspace)."},
  "extraContext.maxTokens": integer(512, 0, 32768,
    "Most prompt tokens for extra context (chunks of other files). They are evaluated once and then kept in the model's cache while you type; 0 turns extra context off."),
  "trigger.maxCharsRight": integer(8, 0, 10000,
    "Complete automatically only when at most this many characters (trailing spaces not counted) stand right of the cursor on its line. Asking for a completion always completes.")
} satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof SETTINGS;

/**
 * What a user sets, listed first under "Draftstop"; every other setting (the policies' research
 * knobs, sampling truncation, prompt sizes, timing and trigger details) is under "Draftstop:
 * Advanced". Names, defaults and behaviour are the same in both.
 */
export const MAIN_SETTINGS = [
  "enable", "targetModel", "draftModel", "modelDirectory", "gpu", "threads", "contextSize", "drafter", "policy",
  "temperature", "maxTokens", "maxLines", "prefetch", "extraContext.enable", "disabledLanguages"
] as const satisfies readonly SettingKey[];
export const SETTINGS_SECTION = "draftstop";

type ValueOf<S> = S extends {type: "boolean"} ? boolean : S extends {type: "array"} ? string[] : S extends {type: "string"} ? string : number;
export type SettingValues = {[K in SettingKey]: ValueOf<(typeof SETTINGS)[K]>};

export function defaultSettings(): SettingValues {
  return Object.fromEntries(Object.entries(SETTINGS).map(([key, spec]) => [key, structuredClone(spec.default)])) as unknown as SettingValues;
}
