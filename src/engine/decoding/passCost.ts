// Times passes on real sequences: the load-time calibration of the cost model and the passcost
// command both use it. A pass over n tokens asks for the next token at every position, as a greedy
// verification does; the draft's pass asks for a probability map, as drafting does.
import type {ControlledEvaluateInputItem, LlamaContextSequence, Token} from "../nlc";
import type {PassCostTable} from "../drafting/costModel";
import {truncate} from "./speculative";
import {median} from "../stats/median";

export interface PassTimingOptions {
  /** Pass sizes to time, ascending; must start at 1. */
  sizes: readonly number[];
  /** Timings per size (the median is kept): one count for every size, or a count per size. */
  repeats: number | ((size: number) => number);
  /** Stop starting new repeats after this many ms (at least one repeat of every size runs). Default no limit. */
  budgetMs?: number;
  /** Tokens to time with (cycled); any real tokens of the model. */
  tokens: readonly Token[];
  /**
   * Untimed rounds of passes over 1 and 2 tokens first: the first passes after a load or a long
   * idle run slow (caches, page faults) and would read the curve wrong. Default 0.
   */
  warmUp?: number;
}

export interface PassTimings {
  /** ms per repeat for each size measured. */
  samples: Map<number, number[]>;
  contextLength: number;
  elapsedMs: number;
}

const now = () => performance.now();

/**
 * Times passes over n tokens at the sequence's current length, erasing each pass afterwards so the
 * sequence is as it was. Repeats go round the sizes in turn, so a drift of the machine's speed
 * spreads over all of them; a size with fewer repeats than others sits out the later rounds.
 */
export async function timeTargetPasses(sequence: LlamaContextSequence, options: PassTimingOptions): Promise<PassTimings> {
  const contextLength = sequence.nextTokenIndex;
  const item = (i: number): ControlledEvaluateInputItem => [options.tokens[i % options.tokens.length]!, {generateNext: {token: true}}];
  for (let round = 0; round < (options.warmUp ?? 0); round++) {
    for (const n of [1, 2]) {
      await sequence.controlledEvaluate(Array.from({length: n}, (_, i) => item(i + round)));
      await truncate(sequence, contextLength);
    }
  }
  const start = now();
  const samples = new Map<number, number[]>();
  const {repeats} = options;
  const repeatsOf = typeof repeats === "number" ? () => repeats : repeats;
  const most = Math.max(...options.sizes.map(repeatsOf));
  for (let repeat = 0; repeat < most; repeat++) {
    if (repeat > 0 && options.budgetMs !== undefined && now() - start > options.budgetMs) break;
    for (const n of options.sizes) {
      if (repeat >= repeatsOf(n)) continue;
      const passStart = now();
      await sequence.controlledEvaluate(Array.from({length: n}, (_, i) => item(i + repeat)));
      const ms = now() - passStart;
      await truncate(sequence, contextLength);
      (samples.get(n) ?? samples.set(n, []).get(n)!).push(ms);
    }
  }
  return {samples, contextLength, elapsedMs: now() - start};
}

/** Times single-token draft passes that return a top-k probability map, as drafting asks for. */
export async function timeDraftPasses(sequence: LlamaContextSequence, tokens: readonly Token[], repeats: number, topK: number): Promise<number[]> {
  const contextLength = sequence.nextTokenIndex;
  const ms: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const passStart = now();
    await sequence.controlledEvaluate([[tokens[i % tokens.length]!, {generateNext: {probabilities: true, options: {temperature: 1, topK, topP: 1, minP: 0}}}]]);
    ms.push(now() - passStart);
    await truncate(sequence, contextLength);
  }
  return ms;
}

export function passCostTable(timings: PassTimings, draftMs?: readonly number[]): PassCostTable {
  const largest = Math.max(...timings.samples.keys());
  const targetMs: Array<number | undefined> = Array.from({length: largest}, () => undefined);
  for (const [n, ms] of timings.samples) targetMs[n - 1] = median(ms);
  return {targetMs, draftMs: draftMs && draftMs.length ? median(draftMs) : undefined, contextLength: timings.contextLength};
}
