// The peer a user of node-llama-cpp would pick: its DraftSequenceTokenPredictor on the same two
// models, in contexts of its own, with the predictor options that did best on our pairs
// (docs/facts.md, "Built-in speculative decoding"; measurements in /work/research/nlc-predictor.md).
// In 3.21.1 it validates at most one draft token per target pass whatever it is given.
import type {DraftstopEngine} from "../../engine";
import {LlamaContext, LlamaContextSequence, loadNodeLlamaCpp, Token} from "../../engine/nlc";
import type {BenchColumn, BenchSampling} from "../../benchmark/column";

export interface PeerRun {
  tokens: number;
  /** From the first generated token to the last (the first one carries the prompt's evaluation). */
  decodeMs: number;
  drafted: number;
  accepted: number;
}

/** The public options of node-llama-cpp's DraftSequenceTokenPredictor that the peer tunes. */
export interface PeerPredictorOptions {
  minTokens: number;
  maxTokens: number;
  minConfidence: number;
}

/**
 * minTokens 1: with the default 0 the predictor hands the target whatever the draft has finished
 * at that instant, and it has never finished anything then: each token the target emits reaches
 * the draft before the draft's guess for it, which is then thrown away. Every pass went out
 * without a prediction (0 validated, 0 refuted). maxTokens 1: only the first prediction of a pass
 * can be validated, so every further one costs a draft pass and a wider target pass and is always
 * refuted. minConfidence 0 (off): a first draft token below the cut-off makes the predictor offer
 * nothing, and with SmolLM2's draft at T = 1 every cut-off from 0.1 up left no prediction at all.
 */
export const PEER_PREDICTOR_DEFAULTS: PeerPredictorOptions = {minTokens: 1, maxTokens: 1, minConfidence: 0};

interface PeerState {
  target: LlamaContext;
  draft: LlamaContext;
  sequence: LlamaContextSequence;
  draftSequence: LlamaContextSequence;
}

export class NodeLlamaCppDraftPeer {
  private state: PeerState | undefined;
  private readonly predictor: PeerPredictorOptions;

  constructor(private readonly engine: DraftstopEngine, predictor: Partial<PeerPredictorOptions> = {}) {
    this.predictor = {...PEER_PREDICTOR_DEFAULTS, ...predictor};
  }

  async run(prompt: readonly Token[], options: BenchSampling): Promise<PeerRun> {
    const {target, draft} = this.engine.loadedPair;
    if (!draft) throw new Error("node-llama-cpp's draft predictor needs a draft model");
    const {sequence} = this.state ??= await this.open();
    // The sequences live as long as the peer: a disposed one returns its id to the context only
    // later, so a run that followed at once found "No sequences left".
    await this.reusePrefix(sequence, prompt);
    const before = sequence.tokenPredictions;
    const sampling = {
      yieldEogToken: true,
      ...(options.temperature > 0 ? {temperature: options.temperature, topK: options.topK, topP: options.topP, seed: options.seed} : {})
    };
    let tokens = 0;
    let first = 0;
    let last = 0;
    const rest = prompt.slice(sequence.nextTokenIndex);
    for await (const token of sequence.evaluate(rest, sampling)) {
      last = performance.now();
      if (tokens === 0) first = last;
      if (options.stopOnEog && target.model.isEogToken(token)) break;
      if (++tokens >= options.maxTokens) break;
    }
    const after = sequence.tokenPredictions;
    const validated = after.validated - before.validated;
    const refuted = after.refuted - before.refuted;
    return {tokens: Math.max(0, tokens - 1), decodeMs: last - first, drafted: validated + refuted, accepted: validated};
  }

  /**
   * Keeps the prompt's common prefix, as the engine does for itself, and leaves at least its last
   * token to evaluate: evaluate() appends to whatever the sequence holds. The predictor realigns
   * the draft sequence to the target's tokens itself when evaluate() starts.
   */
  private async reusePrefix(sequence: LlamaContextSequence, prompt: readonly Token[]): Promise<void> {
    const keep = Math.min(sequence.compareContextTokens([...prompt]).firstDifferentIndex, prompt.length - 1);
    if (sequence.nextTokenIndex > keep)
      await sequence.eraseContextTokenRanges([{start: keep, end: sequence.nextTokenIndex}]);
  }

  private async open(): Promise<PeerState> {
    const nlc = await loadNodeLlamaCpp();
    const {target, draft, options: load} = this.engine.loadedPair;
    const contextOptions = {contextSize: load.contextSize, sequences: 1, threads: load.threads, flashAttention: false};
    const targetContext = await target.model.createContext(contextOptions);
    const draftContext = await draft!.model.createContext(contextOptions);
    const draftSequence = draftContext.getSequence();
    const sequence = targetContext.getSequence({tokenPredictor: new nlc.DraftSequenceTokenPredictor(draftSequence, this.predictor)});
    return {target: targetContext, draft: draftContext, sequence, draftSequence};
  }

  async dispose(): Promise<void> {
    const state = this.state;
    this.state = undefined;
    state?.sequence.dispose();
    state?.draftSequence.dispose();
    await state?.target.dispose();
    await state?.draft.dispose();
  }
}

/**
 * The peer as a column, `nlcDraftPredictor`: its contexts open at its first task and close when
 * the run ends. It runs inside node-llama-cpp's evaluate(), so it has no rounds to count.
 */
export function nlcDraftPredictorColumn(predictor: Partial<PeerPredictorOptions> = {}): BenchColumn {
  return {
    label: "nlcDraftPredictor",
    policy: "nlcDraftPredictor",
    params: {},
    needsDraftModel: true,
    countsRounds: false,
    open(engine) {
      const peer = new NodeLlamaCppDraftPeer(engine, predictor);
      return {
        run: async ({prompt, sampling}) => ({totals: await peer.run(prompt, sampling)}),
        dispose: () => peer.dispose()
      };
    }
  };
}
