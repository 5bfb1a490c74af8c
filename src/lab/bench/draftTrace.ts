// The draft along the target's greedy continuation: at each position, given the prompt and the
// continuation before it, whether the draft's greedy token is the continuation's, and the entropy
// a greedy round reads there (the top-K map at T = 1, as ModelDrafter asks for it), in one batched
// pass (or, with signal "top", its min-entropy −ln max q, to try rules on the top probability
// instead: docs/benchmarks.md, "Top probability instead of entropy"). Where the draft's token is
// not the continuation's, a round that drafted it goes on along the draft's own tokens: those
// values too, a token at a time, as many as a round could draft past it. The signal bound
// (signalBound.ts) and the policy replay (policyReplay.ts) charge stopping rules on it.
import {argmax, Distribution, topProbability} from "../../engine/distribution";
import {entropy} from "../../engine/decoding/entropy";
import {truncate} from "../../engine/decoding/speculative";
import type {ControlledEvaluateIndexOutput, ControlledEvaluateInputItem, LlamaContextSequence, Token} from "../../engine/nlc";
import type {DraftTrace} from "./signalBound";

/** What a rule reads of the draft's distribution, in nats: its Shannon entropy, or its min-entropy −ln max q. */
export type TraceSignal = "entropy" | "top";

export const SIGNALS: Record<TraceSignal, (map: Distribution) => number> = {
  entropy,
  top: map => -Math.log(topProbability(map))
};

export async function draftTrace(sequence: LlamaContextSequence, prompt: readonly Token[], continuation: readonly Token[],
  entropyTopK: number, maxDraft: number, signal: TraceSignal = "entropy"): Promise<DraftTrace> {
  const measure = SIGNALS[signal];
  const n = continuation.length;
  if (n === 0) return {matches: [], entropies: [], afterRejection: []};
  const generateNext = {probabilities: true, options: {temperature: 1, topK: entropyTopK, topP: 1, minP: 0}} as const;
  const all = [...prompt, ...continuation.slice(0, -1)];
  const outputs = await evaluateAlong(sequence, prompt, continuation, generateNext);
  const maps = outputs.map((output, j) => distributionOf(output?.next.probabilities, j));
  const matches = maps.map((map, j) => argmax(map) === continuation[j]);
  const afterRejection: number[][] = [];
  for (let m = 0; m < n; m++) {
    // A round starting at s ≤ m drafts at most min(maxDraft, n − 1 − s) tokens: past m, at most
    // min(maxDraft − 1, n − 2 − m) of them (a round starting at m itself).
    const depth = Math.min(maxDraft - 1, n - 2 - m);
    if (matches[m] || depth <= 0) continue;
    // The sequence must hold the prompt and the continuation before m (an earlier rollout left its own tokens).
    const before = all.slice(0, prompt.length + m);
    const same = Math.min(sequence.compareContextTokens(before).firstDifferentIndex, before.length);
    await truncate(sequence, same);
    if (same < before.length) await sequence.controlledEvaluate(before.slice(same));
    let token = argmax(maps[m]!);
    const entropies: number[] = [];
    while (entropies.length < depth) {
      const [output] = await sequence.controlledEvaluate([[token, {generateNext}]]);
      const map = distributionOf(output?.next.probabilities, m + 1 + entropies.length);
      entropies.push(measure(map));
      token = argmax(map);
    }
    afterRejection[m] = entropies;
  }
  await truncate(sequence, prompt.length - 1);
  return {matches, entropies: maps.map(measure), afterRejection};
}

/** What a controlledEvaluate item may ask of the position after it. */
type GenerateNext = Exclude<ControlledEvaluateInputItem, Token>[1]["generateNext"];

/**
 * One batched pass of `sequence` over the prompt and the continuation but its last token, reusing
 * what the sequence already holds of them, asking `generateNext` at each position that predicts a
 * continuation token: the outputs for continuation[0..], in order. The sequence is left holding
 * that text; callers truncate it when done.
 */
export async function evaluateAlong(sequence: LlamaContextSequence, prompt: readonly Token[], continuation: readonly Token[],
  generateNext: GenerateNext): Promise<Array<ControlledEvaluateIndexOutput | undefined>> {
  const all = [...prompt, ...continuation.slice(0, -1)];
  const keep = Math.min(sequence.compareContextTokens(all).firstDifferentIndex, prompt.length - 1);
  await truncate(sequence, keep);
  const asked = prompt.length - 1; // the item whose next token is continuation[0]
  const items: ControlledEvaluateInputItem[] = all.slice(keep).map((token, i) => (keep + i >= asked ? [token, {generateNext}] : token));
  const outputs = await sequence.controlledEvaluate(items);
  return continuation.map((_, j) => outputs[asked - keep + j]);
}

function distributionOf(map: Distribution | undefined, position: number): Distribution {
  if (!map || map.size === 0) throw new Error(`draftTrace: no distribution at continuation position ${position}`);
  return map;
}
