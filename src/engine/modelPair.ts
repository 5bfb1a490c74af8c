// Loads the target and the draft side by side: backend, header checks, vocabulary check, models;
// and opens contexts on them, one context and one sequence per model and engine. Weights and
// contexts are loaded apart so that several engines can share one pair's weights (modelPool.ts).
import {DraftstopError, ModelFileError, ModelRole} from "./errors";
import {checkedHeader} from "./checkedHeaders";
import {GgufFileInfo, Llama, LlamaContext, LlamaContextSequence, LlamaModel, loadNodeLlamaCpp} from "./nlc";
import {CPU_BATCH_SIZE, GpuChoice, LoadOptions, resolveLoadOptions, ResolvedLoadOptions} from "./options";
import {checkVocabularyCompatibility} from "./vocabulary";

/** One model's weights, loaded once; contexts are opened on it separately (openContexts). */
export interface ModelWeights {
  role: ModelRole;
  path: string;
  model: LlamaModel;
  info: GgufFileInfo;
}

/** Weights with the one context and sequence that a single engine evaluates on. */
export interface LoadedModel extends ModelWeights {
  context: LlamaContext;
  sequence: LlamaContextSequence;
}

/** A target's and a draft's weights, and the options they were loaded under. */
export interface PairWeights {
  llama: Llama;
  target: ModelWeights;
  draft?: ModelWeights;
  options: ResolvedLoadOptions;
}

export interface LoadedPair extends PairWeights {
  target: LoadedModel;
  draft?: LoadedModel;
}

const backends = new Map<string, Promise<Llama>>();
/** Keyed by the model, so that a LoadedModel (a copy of its weights' fields) finds its entry too. */
const live = new Map<LlamaModel, ModelWeights>();

/**
 * Models loaded in this process and not yet disposed: one entry per load of a file, however many
 * engines hold contexts on it (a pooled pair shared by three windows counts once).
 */
export function liveModels(): readonly ModelWeights[] {
  return [...live.values()];
}

/** One Llama (backend binding) per GPU choice and process: creating one costs ~1 s. */
export async function getBackend(gpu: GpuChoice, threads: number): Promise<Llama> {
  const key = String(gpu);
  let pending = backends.get(key);
  if (!pending) {
    pending = loadNodeLlamaCpp().then(nlc => nlc.getLlama({gpu, maxThreads: threads, build: "never", logLevel: nlc.LlamaLogLevel.error}));
    backends.set(key, pending);
    pending.catch(() => backends.delete(key));
  }
  const unavailable = (reason: string, cause?: unknown) => new DraftstopError(
    `GPU backend ${JSON.stringify(gpu)} is not available on this machine (${reason}). Set the GPU option to "auto" or off (CPU).`,
    "gpu.unavailable", {cause});
  let llama: Llama;
  try {
    llama = await pending;
  } catch (error) {
    throw unavailable((error as Error)?.message || (error as Error)?.name || String(error), error);
  }
  // node-llama-cpp quietly falls back to the CPU for a backend the platform lacks (Metal on Linux).
  if (gpu !== "auto" && gpu !== false && llama.gpu !== gpu) throw unavailable(`node-llama-cpp offers ${llama.gpu || "only the CPU"}`);
  llama.maxThreads = Math.max(llama.maxThreads, threads);
  return llama;
}

/**
 * Everything that can be checked without loading the weights: options, backend, GGUF headers,
 * vocabulary compatibility. Cheap (milliseconds), so a caller can refuse bad files before it
 * gives up models that work.
 */
export async function checkModelFiles(options: LoadOptions) {
  const resolved = resolveLoadOptions(options);
  const llama = await getBackend(resolved.gpu, resolved.threads);
  const readInfo = (path: string, role: ModelRole) => resolved.skipPreflight
    ? loadNodeLlamaCpp().then(nlc => nlc.readGgufFileInfo(path, {logWarnings: false}))
    : checkedHeader(path, role, llama);
  const [targetInfo, draftInfo] = await Promise.all([
    readInfo(resolved.targetPath, "target"),
    resolved.draftPath ? readInfo(resolved.draftPath, "draft") : undefined
  ]);
  if (resolved.draftPath && draftInfo) checkVocabularyCompatibility(resolved.targetPath, targetInfo, resolved.draftPath, draftInfo);
  return {resolved, llama, targetInfo, draftInfo};
}

/** Loads a pair and opens one context and one sequence on each model: a pair for one engine alone. */
export async function loadModelPair(options: LoadOptions): Promise<LoadedPair> {
  const weights = await loadPairWeights(options);
  try {
    return await openContexts(weights, weights.options);
  } catch (error) {
    await disposePairWeights(weights);
    throw error;
  }
}

/** Loads the target's and the draft's weights, with no context: what engines on the same files can share. */
export async function loadPairWeights(options: LoadOptions): Promise<PairWeights> {
  const {resolved, llama, targetInfo, draftInfo} = await checkModelFiles(options);
  const settled = await Promise.allSettled([
    loadWeights(llama, "target", resolved.targetPath, targetInfo),
    resolved.draftPath ? loadWeights(llama, "draft", resolved.draftPath, draftInfo!) : Promise.resolve(undefined)
  ]);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failure) {
    await Promise.all(settled.map(s => (s.status === "fulfilled" && s.value ? disposeWeights(s.value) : undefined)));
    throw failure.reason;
  }
  const [target, draft] = settled.map(s => (s as PromiseFulfilledResult<ModelWeights | undefined>).value);
  return {llama, target: target!, draft, options: resolved};
}

/**
 * Opens a context of its own (one sequence) on each model of `weights`, under `options`' context
 * size, threads, flash attention and KV cache type: each engine keeps its own KV cache, so its
 * per-keystroke prompt reuse is not disturbed by another engine on the same weights.
 */
export async function openContexts(weights: PairWeights, options: ResolvedLoadOptions): Promise<LoadedPair> {
  weights.llama.maxThreads = Math.max(weights.llama.maxThreads, options.threads);
  const settled = await Promise.allSettled([
    openContext(weights.llama, weights.target, options),
    weights.draft ? openContext(weights.llama, weights.draft, options) : Promise.resolve(undefined)
  ]);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failure) {
    await Promise.all(settled.map(s => (s.status === "fulfilled" && s.value ? s.value.context.dispose() : undefined)));
    throw failure.reason;
  }
  const [target, draft] = settled.map(s => (s as PromiseFulfilledResult<LoadedModel | undefined>).value);
  return {...weights, target: target!, draft, options};
}

async function loadWeights(llama: Llama, role: ModelRole, path: string, info: GgufFileInfo): Promise<ModelWeights> {
  let model: LlamaModel;
  try {
    model = await llama.loadModel({modelPath: path, gpuLayers: llama.gpu === false ? 0 : "auto"});
  } catch (error) {
    throw new ModelFileError(path, "loadFailed", `llama.cpp could not load it: ${(error as Error)?.message ?? error}`, role, {cause: error});
  }
  const weights: ModelWeights = {role, path, model, info};
  live.set(model, weights);
  return weights;
}

/** Values in one block of ggml's Q8_0: a quantized cache's rows are cut into blocks of this many. */
const Q8_0_BLOCK = 32;

/**
 * The attention head sizes of `info`'s model that a Q8_0 KV cache cannot hold (each head's keys or
 * values must be whole blocks; llama.cpp aborts the process on a model whose are not).
 */
function unquantizableHeads(info: GgufFileInfo): number[] {
  const metadata = info.metadata as unknown as Record<string, {embedding_length?: number; attention?: {head_count?: number; key_length?: number; value_length?: number}}> & {general: {architecture: string}};
  const block = metadata[metadata.general.architecture];
  const heads = block?.attention?.head_count;
  const even = block?.embedding_length !== undefined && heads ? block.embedding_length / heads : undefined;
  const sizes = [block?.attention?.key_length ?? even, block?.attention?.value_length ?? even];
  return sizes.filter((size): size is number => size === undefined || !Number.isInteger(size) || size % Q8_0_BLOCK !== 0).map(size => size ?? NaN);
}

async function openContext(llama: Llama, weights: ModelWeights, options: ResolvedLoadOptions): Promise<LoadedModel> {
  const {model, role, path} = weights;
  const odd = options.kvCacheType === "Q8_0" ? unquantizableHeads(weights.info) : [];
  if (odd.length > 0)
    throw new DraftstopError(`${role} model ${path}: a Q8_0 KV cache needs attention heads of a multiple of ${Q8_0_BLOCK} values; ` +
      `this model's hold ${odd.join(" and ")}. Set the KV cache type to F16.`, "model.kvCacheType");
  try {
    // Off on the CPU by default: slower there at long contexts (docs/facts.md, "Flash attention");
    // on a GPU llama.cpp decides. On the CPU it is what makes passes batch-invariant (docs/algorithm.md, "Exactness and floating point").
    const flashAttention = options.flashAttention ?? (llama.gpu === false ? false : model.defaultContextFlashAttention === true);
    const context = await model.createContext({
      contextSize: options.contextSize,
      batchSize: options.batchSize ?? (llama.gpu === false ? Math.min(CPU_BATCH_SIZE, options.contextSize) : undefined),
      sequences: 1,
      threads: options.threads,
      flashAttention,
      experimentalKvCacheKeyType: options.kvCacheType,
      // llama.cpp refuses a context whose values are quantized without flash attention.
      experimentalKvCacheValueType: options.kvCacheType === "Q8_0" && flashAttention !== true ? "F16" : options.kvCacheType
    });
    return {...weights, context, sequence: context.getSequence()};
  } catch (error) {
    throw new DraftstopError(`${role} model ${path}: cannot create a context of ${options.contextSize} tokens: ` +
      `${(error as Error)?.message ?? error}. Lower the context size.`, "model.contextFailed", {cause: error});
  }
}

/** Frees one model's weights; every context on them must be disposed first. */
export async function disposeWeights(weights: ModelWeights): Promise<void> {
  live.delete(weights.model);
  await weights.model.dispose();
}

export async function disposePairWeights(weights: PairWeights): Promise<void> {
  await Promise.all([disposeWeights(weights.target), weights.draft && disposeWeights(weights.draft)]);
}

/** Frees a pair's contexts and leaves its weights loaded (for whoever else holds them). */
export async function disposeContexts(pair: LoadedPair): Promise<void> {
  await Promise.all([pair.target.context.dispose(), pair.draft?.context.dispose()]);
}

/** Frees a model loaded by loadModelPair: its context, then its weights. */
export async function disposeModel(loaded: LoadedModel): Promise<void> {
  await loaded.context.dispose();
  await disposeWeights(loaded);
}
