// Loads the target and the draft side by side: backend, header checks, vocabulary check, models,
// one context and one sequence each.
import {DraftstopError, ModelFileError, ModelRole} from "./errors";
import {preflightModelFile} from "./ggufPreflight";
import {GgufFileInfo, Llama, LlamaContext, LlamaContextSequence, LlamaModel, loadNodeLlamaCpp} from "./nlc";
import {GpuChoice, LoadOptions, resolveLoadOptions, ResolvedLoadOptions} from "./options";
import {checkVocabularyCompatibility} from "./vocabulary";

export interface LoadedModel {
  role: ModelRole;
  path: string;
  model: LlamaModel;
  context: LlamaContext;
  sequence: LlamaContextSequence;
  info: GgufFileInfo;
}

export interface LoadedPair {
  llama: Llama;
  target: LoadedModel;
  draft?: LoadedModel;
  options: ResolvedLoadOptions;
}

const backends = new Map<string, Promise<Llama>>();
const live = new Set<LoadedModel>();

/** Models (each with its context) loaded in this process and not yet disposed. */
export function liveModels(): readonly LoadedModel[] {
  return [...live];
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
    : preflightModelFile(path, role, llama);
  const [targetInfo, draftInfo] = await Promise.all([
    readInfo(resolved.targetPath, "target"),
    resolved.draftPath ? readInfo(resolved.draftPath, "draft") : undefined
  ]);
  if (resolved.draftPath && draftInfo) checkVocabularyCompatibility(resolved.targetPath, targetInfo, resolved.draftPath, draftInfo);
  return {resolved, llama, targetInfo, draftInfo};
}

export async function loadModelPair(options: LoadOptions): Promise<LoadedPair> {
  const {resolved, llama, targetInfo, draftInfo} = await checkModelFiles(options);

  const settled = await Promise.allSettled([
    loadOne(llama, "target", resolved.targetPath, targetInfo, resolved),
    resolved.draftPath ? loadOne(llama, "draft", resolved.draftPath, draftInfo!, resolved) : Promise.resolve(undefined)
  ]);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failure) {
    await Promise.all(settled.map(s => (s.status === "fulfilled" && s.value ? disposeModel(s.value) : undefined)));
    throw failure.reason;
  }
  const [target, draft] = settled.map(s => (s as PromiseFulfilledResult<LoadedModel | undefined>).value);
  return {llama, target: target!, draft, options: resolved};
}

async function loadOne(llama: Llama, role: ModelRole, path: string, info: GgufFileInfo, options: ResolvedLoadOptions): Promise<LoadedModel> {
  let model: LlamaModel;
  try {
    model = await llama.loadModel({modelPath: path, gpuLayers: llama.gpu === false ? 0 : "auto"});
  } catch (error) {
    throw new ModelFileError(path, "loadFailed", `llama.cpp could not load it: ${(error as Error)?.message ?? error}`, role, {cause: error});
  }
  try {
    const context = await model.createContext({
      contextSize: options.contextSize,
      sequences: 1,
      threads: options.threads,
      // Off on the CPU by default: slower there at long contexts (docs/facts.md, "Flash attention");
      // on a GPU llama.cpp decides. On the CPU it is what makes passes batch-invariant (docs/algorithm.md, "Exactness and floating point").
      flashAttention: options.flashAttention ?? (llama.gpu === false ? false : model.defaultContextFlashAttention === true),
      experimentalKvCacheKeyType: options.kvCacheType,
      experimentalKvCacheValueType: options.kvCacheType
    });
    const loaded: LoadedModel = {role, path, model, context, sequence: context.getSequence(), info};
    live.add(loaded);
    return loaded;
  } catch (error) {
    await model.dispose();
    throw new DraftstopError(`${role} model ${path}: cannot create a context of ${options.contextSize} tokens: ` +
      `${(error as Error)?.message ?? error}. Lower the context size.`, "model.contextFailed", {cause: error});
  }
}

export async function disposeModel(loaded: LoadedModel): Promise<void> {
  live.delete(loaded);
  await loaded.context.dispose();
  await loaded.model.dispose();
}
