// The draft model as a drafter: one token at a time on the draft's sequence, while the policy says
// go on (drafting/policy.ts), with q and its entropy at each step.
import {argmax, Distribution, topProbability} from "../distribution";
import type {PassClock} from "../drafting/passClock";
import type {DraftPolicy} from "../drafting/policy";
import type {ControlledEvaluateInputItem, LlamaContextSequence, Token} from "../nlc";
import type {ResolvedGenerateOptions} from "../options";
import type {Draft, Drafter, DraftRequest} from "./drafter";
import {entropy} from "./entropy";
import {Prng, sample} from "./sampling";

const now = () => performance.now();

export class ModelDrafter implements Drafter {
  readonly name = "model";

  /** `onDraftPass`: every pass over a single token (its probability map included), as charged, for the cost model. */
  constructor(private readonly sequence: LlamaContextSequence, private readonly policy: DraftPolicy,
    private readonly options: ResolvedGenerateOptions, private readonly prng: Prng, private readonly clock: PassClock,
    private readonly onDraftPass?: (ms: number) => void) {}

  /** Most tokens the policy lets the round draft, within `limit`. */
  cap(limit: number): number {
    return Math.min(this.policy.maxDraftThisRound(), limit);
  }

  async draft({committed, limit: maxDraft, greedy, draftsToStop}: DraftRequest): Promise<Draft | undefined> {
    if (maxDraft <= 0) return undefined;
    const {policy, options, sequence} = this;
    const result: Draft = {drafter: "model", tokens: [], distributions: [], entropies: [], passes: 0, ms: 0, entropyMs: 0, reachesStop: false};
    policy.beginRound?.();
    const sampler = greedy
      ? {temperature: 1, topK: options.entropyTopK, topP: 1, minP: 0}
      : {temperature: options.temperature, topK: options.topK, topP: options.topP, minP: options.minP};

    let pending: Token[] = committed.slice(sequence.nextTokenIndex);
    for (let index = 1; ; index++) {
      const passStart = now();
      const q = await evaluateForNext(sequence, pending, {probabilities: true, options: sampler});
      result.passes++;
      const decideStart = now();
      const passMs = this.clock.draftPass(pending.length, decideStart - passStart);
      result.ms += passMs;
      if (pending.length === 1) this.onDraftPass?.(passMs);

      const h = entropy(q);
      // The candidate is drawn before the decision (a draw that is then not drafted is simply
      // discarded; it is independent of everything after it, so exactness is untouched).
      const token = greedy ? argmax(q) : sample(q, this.prng);
      const step = {index, entropy: h, topProbability: topProbability(q), position: committed.length + index - 1};
      const go = policy.shouldDraftKnowing ? policy.shouldDraftKnowing({...step, token}) : policy.shouldDraft(step);
      result.entropyMs += this.clock.bookkeeping(now() - decideStart);
      if (!go) {
        result.stopEntropy = h;
        break;
      }
      result.tokens.push(token);
      result.distributions.push(q);
      result.entropies.push(h);
      if (draftsToStop?.(result.tokens) !== undefined) {
        result.reachesStop = true;
        break;
      }
      if (index >= maxDraft || options.signal?.aborted || policy.worthAnotherPass?.(index + 1) === false) break;
      pending = [token];
    }
    return result;
  }
}

async function evaluateForNext(sequence: LlamaContextSequence, tokens: readonly Token[],
  generateNext: {probabilities: true; options: object}): Promise<Distribution> {
  const items: ControlledEvaluateInputItem[] = [...tokens.slice(0, -1), [tokens.at(-1)!, {generateNext}]];
  const outputs = await sequence.controlledEvaluate(items);
  const probabilities = outputs.at(-1)?.next.probabilities;
  if (!probabilities || probabilities.size === 0) throw new Error("draft pass returned no next-token distribution");
  return probabilities;
}
