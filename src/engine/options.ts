// Every engine option and its default, in one place. Policies keep their own defaults beside their
// parameters in their files under drafting/ (see POLICY_DEFAULTS in drafting/policies.ts).
import {availableParallelism, totalmem} from "node:os";
import {COMPLETION_LINES, CompletionStopSpec} from "./completionStop";
import {InvalidOptionError} from "./errors";

export type GpuChoice = "auto" | "cuda" | "metal" | "vulkan" | false;
export const GPU_CHOICES: readonly GpuChoice[] = ["auto", "cuda", "metal", "vulkan", false];

export interface LoadOptions {
  /** GGUF file of the model whose output distribution is produced. */
  targetPath: string;
  /** GGUF file of the small model that drafts; without it the engine decodes with the target alone. */
  draftPath?: string;
  /** Backend: "auto" picks Metal/CUDA/Vulkan when present, else the CPU. Default "auto". */
  gpu?: GpuChoice;
  /**
   * Threads per model context. Default: defaultThreads(): half the logical cores, at least 1.
   * llama.cpp's own default (4 here) oversubscribes small machines: on 2 vCPU every single-token
   * evaluation took 600–750 ms instead of 0.6 ms (docs/facts.md, "Threads").
   */
  threads?: number;
  /** Context size in tokens for each model. Default 2048. */
  contextSize?: number;
  /**
   * Flash attention. Default: off on the CPU (up to 4× slower there at long contexts), llama.cpp's
   * choice on a GPU. On the CPU, on makes the target's passes batch-invariant, so greedy speculative
   * output equals target-only output token for token (docs/algorithm.md, "Exactness and floating point").
   */
  flashAttention?: boolean;
  /**
   * Most tokens llama.cpp evaluates in one pass (a long prompt's prefill goes in passes of this
   * size). Default CPU_BATCH_SIZE (64) on the CPU; on a GPU node-llama-cpp's: the context size, at
   * most 512. Each context's compute buffer is sized for it, so a smaller one costs less memory per
   * window (docs/architecture.md, "Shared models").
   */
  batchSize?: number;
  /**
   * KV cache precision. Default "F16". "F32" gives float32 agreement with reference implementations.
   * "Q8_0" stores the keys at 8 bits, and the values too where flash attention is on (llama.cpp
   * quantizes values only with it): on SmolLM2-135M at context 2 048 a context's cache takes
   * 37.5 MB instead of 49 with keys alone, 28 MB with both (docs/sharing.md, "Memory"). What the
   * target computes changes slightly, as with any quantization.
   */
  kvCacheType?: KvCacheType;
  /** Skip the GGUF header checks that keep llama.cpp from aborting the process. Default false (tests only). */
  skipPreflight?: boolean;
  /**
   * JSON file where what is learned about a model pair (acceptance by draft entropy, the gain
   * speculation gave) is kept, keyed by the models' contents, so the next load starts calibrated.
   * Default none: every load learns afresh.
   */
  calibrationFile?: string;
}

export const KV_CACHE_TYPES = ["F16", "F32", "Q8_0"] as const;
export type KvCacheType = typeof KV_CACHE_TYPES[number];

export const LOAD_DEFAULTS = {
  gpu: "auto" as GpuChoice,
  contextSize: 2048,
  kvCacheType: "F16" as KvCacheType,
  skipPreflight: false
};

export function defaultThreads(): number {
  return Math.max(1, Math.floor(availableParallelism() / 2));
}

/**
 * Share of the machine's memory that a ModelPool (modelPool.ts) may fill with model files before
 * it refuses another pair. Half: the rest stays for every engine's contexts (their KV caches and
 * compute buffers, tens of MB per window at 2048 tokens on SmolLM2: docs/architecture.md, "Shared
 * models"), the editor and the system, so that a further pair is refused with a message
 * instead of the machine swapping.
 */
export const MODEL_BUDGET_SHARE = 0.5;

export function defaultModelBudgetBytes(): number {
  return Math.floor(totalmem() * MODEL_BUDGET_SHARE);
}

export interface SamplingOptions {
  /** 0 = greedy (argmax); > 0 samples with rejection-sampling verification. Default 0. */
  temperature?: number;
  /** Default 40; 0 = no limit. */
  topK?: number;
  /** Default 0.95; 1 = no limit. */
  topP?: number;
  /** Default 0; 0 = no limit. */
  minP?: number;
}

/**
 * Where drafts come from (docs/algorithm.md, "Lookup drafting"): "model", the draft model;
 * "lookup", copies of what followed the same tokens earlier in the context (no model runs);
 * "both", each round whichever promises more tokens per unit time. "auto": "both" with a draft
 * model loaded, "lookup" without.
 */
export const DRAFTER_SETTINGS = ["auto", "model", "lookup", "both"] as const;
export type DrafterSetting = typeof DRAFTER_SETTINGS[number];
export const LOOKUP_CHOICES = ["recent", "vote"] as const;
export type LookupChoice = typeof LOOKUP_CHOICES[number];
/** Which drafter proposed a round's drafts. */
export type DrafterName = "model" | "lookup";

export interface GenerateOptions extends SamplingOptions {
  /** Where drafts come from. Default "auto". */
  drafter?: DrafterSetting;
  /**
   * Which earlier occurrence a lookup draft copies when several match equally long: the most
   * recent, or the continuation most of them share. Default "recent" (the benchmark measures both).
   */
  lookupChoice?: LookupChoice;
  /** Most tokens to generate. Default 128. */
  maxTokens?: number;
  /** Seed of the JS PRNG that draws every random decision. Default: a random seed (reported in the result). */
  seed?: number;
  /** Texts that end the generation; the output is cut before the first occurrence. Default none. */
  stopStrings?: readonly string[];
  /**
   * The stop rules of a completion at a cursor (completionStop.ts): the generation ends as soon as
   * the completion does (its line, its block, maxLines), and the text is cut there. Default none.
   */
  completionStop?: CompletionStopSpec;
  /**
   * Called after each round that added text, while the generation goes on: the text so far (after
   * the healed text; the stop rules have not ended it yet, so it is a prefix of the result unless a
   * later rule cuts before its end). Needs completionStop or stopStrings (the text is decoded for
   * them). Default none.
   */
  onText?: (text: string) => void;
  /** Stop at end-of-generation tokens (EOS/EOT). Default true. */
  stopOnEog?: boolean;
  /** Aborts within one round; both sequences are left holding exactly the committed tokens. */
  signal?: AbortSignal;
  /** Stop starting new rounds after this many milliseconds. Default: no limit. */
  timeBudgetMs?: number;
  /**
   * In greedy mode the draft samples nothing, so AdaEDL's entropy is taken from the draft's T = 1
   * distribution truncated to its top entropyTopK tokens (see entropy.ts for the estimator's bias).
   * Default 40.
   */
  entropyTopK?: number;
}

export const GENERATE_DEFAULTS = {
  maxTokens: 128,
  temperature: 0,
  topK: 40,
  topP: 0.95,
  minP: 0,
  stopOnEog: true,
  entropyTopK: 40,
  drafter: "auto" as DrafterSetting,
  lookupChoice: "recent" as LookupChoice
};

export type ResolvedGenerateOptions = typeof GENERATE_DEFAULTS & Omit<GenerateOptions, keyof typeof GENERATE_DEFAULTS> & {
  stopStrings: readonly string[];
  seed: number;
};

/** Fills defaults and rejects values out of range with an InvalidOptionError naming the option. */
export function resolveGenerateOptions(options: GenerateOptions = {}): ResolvedGenerateOptions {
  const resolved = {...GENERATE_DEFAULTS, ...stripUndefined(options)};
  requireInteger("maxTokens", resolved.maxTokens, 1, 1_000_000);
  requireNumber("temperature", resolved.temperature, 0, 100);
  requireInteger("topK", resolved.topK, 0, 1_000_000);
  requireNumber("topP", resolved.topP, 0, 1, true);
  requireNumber("minP", resolved.minP, 0, 1);
  requireInteger("entropyTopK", resolved.entropyTopK, 1, 1_000_000);
  if (!DRAFTER_SETTINGS.includes(resolved.drafter))
    throw new InvalidOptionError("drafter", resolved.drafter, `one of ${DRAFTER_SETTINGS.map(d => JSON.stringify(d)).join(", ")}`);
  if (!LOOKUP_CHOICES.includes(resolved.lookupChoice))
    throw new InvalidOptionError("lookupChoice", resolved.lookupChoice, `one of ${LOOKUP_CHOICES.map(d => JSON.stringify(d)).join(", ")}`);
  if (resolved.timeBudgetMs !== undefined) requireNumber("timeBudgetMs", resolved.timeBudgetMs, 0, Number.MAX_SAFE_INTEGER);
  const seed = resolved.seed ?? Math.floor(Math.random() * 2 ** 32);
  requireInteger("seed", seed, 0, Number.MAX_SAFE_INTEGER);
  const stopStrings = resolved.stopStrings ?? [];
  if (!Array.isArray(stopStrings) || stopStrings.some(s => typeof s !== "string" || s.length === 0))
    throw new InvalidOptionError("stopStrings", stopStrings, "an array of non-empty strings");
  if (resolved.completionStop !== undefined) requireCompletionStop(resolved.completionStop);
  return {...resolved, seed, stopStrings};
}

function requireCompletionStop(spec: CompletionStopSpec): void {
  if (typeof spec !== "object" || spec === null) throw new InvalidOptionError("completionStop", spec, "an object (completionStop.ts, CompletionStopSpec)");
  if (!COMPLETION_LINES.includes(spec.lines))
    throw new InvalidOptionError("completionStop.lines", spec.lines, `one of ${COMPLETION_LINES.map(l => JSON.stringify(l)).join(", ")}`);
  for (const key of ["linePrefix", "lineSuffix", "indentation"] as const)
    if (typeof spec[key] !== "string") throw new InvalidOptionError(`completionStop.${key}`, spec[key], "a string");
  if (spec.nextLine !== undefined && typeof spec.nextLine !== "string") throw new InvalidOptionError("completionStop.nextLine", spec.nextLine, "a string or nothing");
  requireInteger("completionStop.maxLines", spec.maxLines, 1, Number.MAX_SAFE_INTEGER);
  requireInteger("completionStop.tabSize", spec.tabSize, 1, 64);
}

/**
 * The CPU's default batch: a context's compute buffer holds a batch's logits over the vocabulary
 * (SmolLM2: 196 MiB at 512, 24.5 MiB at 64), and on the CPU a prefill in passes of 64 tokens was no
 * slower (a 1 984-token prompt, one thread: 23–25 s against 25–32 s at 512). Verification passes
 * (at most maxDraft + 1 = 17 tokens) fit either.
 */
export const CPU_BATCH_SIZE = 64;

export type ResolvedLoadOptions = Required<Omit<LoadOptions, "draftPath" | "flashAttention" | "calibrationFile" | "batchSize">> &
  Pick<LoadOptions, "draftPath" | "flashAttention" | "calibrationFile" | "batchSize">;

export function resolveLoadOptions(options: LoadOptions): ResolvedLoadOptions {
  const resolved = {...LOAD_DEFAULTS, threads: defaultThreads(), ...stripUndefined(options)} as ResolvedLoadOptions;
  if (typeof resolved.targetPath !== "string" || resolved.targetPath.length === 0)
    throw new InvalidOptionError("targetPath", resolved.targetPath, "the path of a GGUF file");
  if (resolved.draftPath !== undefined && (typeof resolved.draftPath !== "string" || resolved.draftPath.length === 0))
    throw new InvalidOptionError("draftPath", resolved.draftPath, "the path of a GGUF file or nothing");
  if (!GPU_CHOICES.includes(resolved.gpu))
    throw new InvalidOptionError("gpu", resolved.gpu, `one of ${GPU_CHOICES.map(g => JSON.stringify(g)).join(", ")}`);
  requireInteger("threads", resolved.threads, 1, 1024);
  requireInteger("contextSize", resolved.contextSize, 64, 1 << 20);
  if (resolved.batchSize !== undefined) requireInteger("batchSize", resolved.batchSize, 1, resolved.contextSize);
  if (!KV_CACHE_TYPES.includes(resolved.kvCacheType))
    throw new InvalidOptionError("kvCacheType", resolved.kvCacheType, `one of ${KV_CACHE_TYPES.map(t => JSON.stringify(t)).join(", ")}`);
  return resolved;
}

export function requireNumber(option: string, value: unknown, min: number, max: number, minExclusive = false): asserts value is number {
  if (typeof value !== "number" || !Number.isFinite(value) || value > max || (minExclusive ? value <= min : value < min))
    throw new InvalidOptionError(option, value, `a number ${minExclusive ? ">" : "≥"} ${min} and ≤ ${max}`);
}

export function requireInteger(option: string, value: unknown, min: number, max: number): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
    throw new InvalidOptionError(option, value, `an integer from ${min} to ${max}`);
}

export function requireBoolean(option: string, value: unknown): asserts value is boolean {
  if (typeof value !== "boolean") throw new InvalidOptionError(option, value, "true or false");
}

export function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
