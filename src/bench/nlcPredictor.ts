// The peer a user of node-llama-cpp would pick: its DraftSequenceTokenPredictor with its defaults,
// on the same two models, in contexts of its own. (docs/facts.md, "Built-in speculative decoding":
// in 3.21.1 it validates at most one draft token per target pass.)
import type {DraftstopEngine} from "../engine";
import {LlamaContext, loadNodeLlamaCpp, Token} from "../engine/nlc";

export interface PeerRun {
  tokens: number;
  /** From the first generated token to the last (the first one carries the prompt's evaluation). */
  decodeMs: number;
  drafted: number;
  accepted: number;
}

export class NodeLlamaCppDraftPeer {
  private contexts: {target: LlamaContext; draft: LlamaContext} | undefined;

  constructor(private readonly engine: DraftstopEngine) {}

  async run(prompt: readonly Token[], options: {maxTokens: number; stopOnEog: boolean; temperature: number; topK: number; topP: number; seed: number}): Promise<PeerRun> {
    const nlc = await loadNodeLlamaCpp();
    const {target, draft, options: load} = this.engine.loadedPair;
    if (!draft) throw new Error("node-llama-cpp's draft predictor needs a draft model");
    this.contexts ??= {
      target: await target.model.createContext({contextSize: load.contextSize, threads: load.threads, flashAttention: false}),
      draft: await draft.model.createContext({contextSize: load.contextSize, threads: load.threads, flashAttention: false})
    };
    const draftSequence = this.contexts.draft.getSequence();
    const sequence = this.contexts.target.getSequence({tokenPredictor: new nlc.DraftSequenceTokenPredictor(draftSequence)});
    try {
      const sampling = {
        yieldEogToken: true,
        ...(options.temperature > 0 ? {temperature: options.temperature, topK: options.topK, topP: options.topP, seed: options.seed} : {})
      };
      let tokens = 0;
      let first = 0;
      let last = 0;
      for await (const token of sequence.evaluate([...prompt], sampling)) {
        last = performance.now();
        if (tokens === 0) first = last;
        if (options.stopOnEog && target.model.isEogToken(token)) break;
        if (++tokens >= options.maxTokens) break;
      }
      const {validated, refuted} = sequence.tokenPredictions;
      return {tokens: Math.max(0, tokens - 1), decodeMs: last - first, drafted: validated + refuted, accepted: validated};
    } finally {
      sequence.dispose();
      draftSequence.dispose();
    }
  }

  async dispose(): Promise<void> {
    await this.contexts?.target.dispose();
    await this.contexts?.draft.dispose();
    this.contexts = undefined;
  }
}
