// llama.cpp's own speculative decoding as a benchmark peer (llamaCppPeer.ts runs the binaries):
// the same models, the same FIM prompt (as text with its control tokens, which llama.cpp parses
// back into the same token ids), the same number of tokens, one thread per model. Built with
// `npm run build:llamacpp`; without the build the benchmark leaves these rows out and says so.
// A lab column: the command line's `npm run bench` adds it to its line-up (lineup.ts's
// `llamaCpp`); the in-editor benchmark never runs it, and the extension's bundles hold none of it.
import type {DraftstopEngine} from "../../engine";
import type {Token} from "../../engine/nlc";
import type {BenchColumn, BenchSampling} from "../../benchmark/column";
import {paramsLabel} from "../../benchmark/column";
import type {PeerRun} from "./nlcPredictor";
import {llamaCppSpeculativeBinary, runLlamaCppSpeculative, runLlamaCppTargetOnly} from "./llamaCppPeer";

/** The settings that measured best on this machine's pairs (docs/facts.md, "llama.cpp's speculative example, built here"). */
export const LLAMA_CPP_DEFAULTS: LlamaCppDraftSettings = {draftMax: 16, draftMin: 1, pMin: 0.5};

export function llamaCppAvailable(): boolean {
  return llamaCppSpeculativeBinary("llama-speculative-simple") !== undefined && llamaCppSpeculativeBinary("llama-completion") !== undefined;
}

/** The settings of llama.cpp's draft: most and fewest tokens a round, and the draft's least top probability. */
export interface LlamaCppDraftSettings {
  draftMax: number;
  draftMin: number;
  pMin: number;
}

/**
 * llama.cpp's two columns: `llamaCppTargetOnly` (llama-completion, its own baseline) and
 * `llamaCppSpeculative(draftMax=16,draftMin=1,pMin=0.5)` (llama-speculative-simple). Each run is a
 * child process, outside the engine's rounds.
 */
export function llamaCppColumns(draft: LlamaCppDraftSettings = LLAMA_CPP_DEFAULTS): BenchColumn[] {
  const params = {...draft};
  return [
    {label: "llamaCppTargetOnly", policy: "llamaCppTargetOnly", params: {}, needsDraftModel: false, countsRounds: false,
      open: engine => ({run: async ({prompt, sampling}) => ({totals: await runLlamaCppPeer(engine, prompt, "targetOnly", sampling)})})},
    {label: paramsLabel("llamaCppSpeculative", params), policy: "llamaCppSpeculative", params, needsDraftModel: true, countsRounds: false,
      open: engine => ({run: async ({prompt, sampling}) => ({totals: await runLlamaCppPeer(engine, prompt, "speculative", sampling, params)})})}
  ];
}

export async function runLlamaCppPeer(engine: DraftstopEngine, prompt: readonly Token[], mode: "speculative" | "targetOnly",
  options: BenchSampling, draft: LlamaCppDraftSettings = LLAMA_CPP_DEFAULTS): Promise<PeerRun> {
  const {target, draft: draftModel, options: load} = engine.loadedPair;
  // llama.cpp adds the BOS token itself.
  const bos = target.model.tokens.bos;
  const promptText = engine.detokenize(prompt[0] === bos ? prompt.slice(1) : prompt, {special: true});
  const common = {
    target: target.path, promptText, maxTokens: options.maxTokens, temperature: options.temperature, seed: options.seed,
    threads: load.threads, contextSize: load.contextSize, topK: options.topK, topP: options.topP, ignoreEos: !options.stopOnEog
  };
  if (mode === "targetOnly") {
    const run = await runLlamaCppTargetOnly({...common, binary: llamaCppSpeculativeBinary("llama-completion")!});
    return {tokens: run.tokens, decodeMs: run.decodeMs, drafted: 0, accepted: 0};
  }
  if (!draftModel) throw new Error("llama.cpp's speculative decoding needs a draft model");
  const run = await runLlamaCppSpeculative({...common, binary: llamaCppSpeculativeBinary("llama-speculative-simple")!, draft: draftModel.path,
    draftMax: draft.draftMax, draftMin: draft.draftMin, draftPMin: draft.pMin});
  return {tokens: run.tokens, decodeMs: run.decodeMs, drafted: run.drafted, accepted: run.accepted};
}
