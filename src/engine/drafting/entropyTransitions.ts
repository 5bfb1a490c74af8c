// How the draft's entropy moves from one drafted token to the next: the probability that token
// i + 1 falls in entropy bin b' given that token i fell in bin b. The cost-aware rule plans a
// round ahead with it (drafting/draftPlan.ts): a run of confident tokens tends to go on, and how
// likely that is decides whether a draft pass for the next token is worth running.
//
// Every round that ran the draft teaches it, accepted or not: the draft's own path is what is
// planned. A round's first entropy also teaches where rounds start, which decides whether a round
// should run the draft at all. Each row starts from a flat prior worth one observation per bin and
// keeps at most MAX_ROW_WEIGHT observations' worth (older ones fade), so it follows a change of code.
// It is saved with the acceptance map (calibrationStore.ts): a new window's plan reads the saved map and gain
// through it, and a flat start row would misjudge whether a round pays until rounds teach it again.
import {ENTROPY_EDGES} from "../stats/entropyBins";
import {binOf} from "./acceptanceMap";

const BINS = ENTROPY_EDGES.length - 1;
const MAX_ROW_WEIGHT = 400;

export interface EntropyTransitionsState {
  /** counts[b][b']: observed moves from bin b to bin b' (faded); the last row counts rounds' first bins. */
  counts: number[][];
}

export class EntropyTransitions {
  readonly bins = BINS;
  /** One row per bin, then the row of a round's first token (START). */
  private readonly counts: number[][];

  /** `state`: what an earlier process saved; one of another shape (other bins) or with bad counts is ignored. */
  constructor(state?: EntropyTransitionsState) {
    const valid = Array.isArray(state?.counts) && state.counts.length === BINS + 1 &&
      state.counts.every(row => Array.isArray(row) && row.length === BINS && row.every(c => typeof c === "number" && Number.isFinite(c) && c >= 0));
    this.counts = valid ? state.counts.map(row => [...row]) : Array.from({length: BINS + 1}, () => new Array<number>(BINS).fill(0));
  }

  state(): EntropyTransitionsState {
    return {counts: this.counts.map(row => [...row])};
  }

  /** One round's entropies in drafting order, then the entropy at which the rule stopped, if it did. */
  observeRound(entropies: readonly number[], stopEntropy?: number): void {
    const path = stopEntropy === undefined ? entropies : [...entropies, stopEntropy];
    if (path.length > 0) count(this.counts[START]!, binOf(path[0]!));
    for (let i = 0; i + 1 < path.length; i++) this.observe(path[i]!, path[i + 1]!);
  }

  observe(from: number, to: number): void {
    count(this.counts[binOf(from)]!, binOf(to));
  }

  /** P(next token's bin = b' | this token's bin = from), for every b'. */
  next(from: number): number[] {
    return smoothed(this.counts[from]!);
  }

  /** P(a round's first drafted token's bin = b), for every b. */
  start(): number[] {
    return smoothed(this.counts[START]!);
  }
}

const START = BINS;

function count(row: number[], bin: number): void {
  row[bin]! += 1;
  const total = row.reduce((sum, c) => sum + c, 0);
  if (total > MAX_ROW_WEIGHT) for (let b = 0; b < BINS; b++) row[b]! *= MAX_ROW_WEIGHT / total;
}

function smoothed(row: readonly number[]): number[] {
  const total = row.reduce((sum, c) => sum + c, 0) + BINS;
  return row.map(c => (c + 1) / total);
}
