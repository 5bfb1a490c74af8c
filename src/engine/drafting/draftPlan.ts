// A round planned ahead (docs/algorithm.md, "Planning a round"). Maximising a round's tokens per
// unit time E[tokens]/E[time] is the same as maximising E[tokens] − ρ·E[time] when ρ is the best
// rate there is (Dinkelbach); with ρ fixed the round's value adds up token by token:
//
// - drafting token i, when the drafts before it all survive with probability P and its entropy is
//   in bin b, adds P·α_i(b) expected tokens and costs ρ·(C_t(i + 1) − C_t(i)): the verify pass is
//   one token longer whether or not the draft is accepted;
// - running the draft pass for token i + 1 costs ρ·C_d, and is worth it when the expected value of
//   what may follow, over where the next entropy falls (entropyTransitions.ts), pays for it;
// - running the round's first draft pass at all is worth it when what the first token may bring,
//   over where rounds start, pays for that pass: otherwise the round is better decoded by the
//   target alone (roundValue).
//
// Costs are in units of C_t(1) and ρ in tokens per C_t(1): target-only decoding is ρ = 1.
import type {PassCosts} from "./costModel";

export interface PlanInputs {
  /** α of token `index` (1-based) drafted at an entropy in `bin`. */
  acceptance(index: number, bin: number): number;
  /** P(next token's bin = b' | this token's bin), for every b'. */
  next(bin: number): readonly number[];
  /** P(a round's first token falls in bin b), for every b. */
  start: readonly number[];
  bins: number;
  costs: PassCosts;
  /** ρ: tokens per C_t(1) the plan must beat. */
  rate: number;
  maxDraft: number;
}

/** Survival probabilities P are tabled at GRID + 1 points of [0, 1] and interpolated between. */
const GRID = 32;

export class DraftPlan {
  private readonly alpha: number[][];
  private readonly verifyStep: number[];
  private readonly passCost: number;
  /** passTable[i][b][g]: value of the pass for token i after a token in bin b, at P = g/GRID (i ≥ 2). */
  private readonly passTable: Float64Array[][] = [];
  /** Value of running a round's first draft pass, over a target-only round; > 0: run it. */
  readonly roundValue: number;

  constructor(private readonly inputs: PlanInputs) {
    const {costs, maxDraft, bins, rate} = inputs;
    const unit = costs.targetMs(1);
    this.verifyStep = Array.from({length: maxDraft + 1}, (_, i) => (i === 0 ? 0 : rate * (costs.targetMs(i + 1) - costs.targetMs(i)) / unit));
    this.passCost = rate * costs.draftMs() / unit;
    this.alpha = Array.from({length: maxDraft + 1}, (_, i) => Array.from({length: bins}, (_, b) => (i === 0 ? 0 : inputs.acceptance(i, b))));
    const next = Array.from({length: bins}, (_, b) => inputs.next(b));
    const worth = new Float64Array((GRID + 1) * bins); // max(0, value of drafting token i) at each P and bin
    for (let i = maxDraft; i >= 2; i--) {
      for (let g = 0; g <= GRID; g++) for (let b = 0; b < bins; b++) worth[g * bins + b] = Math.max(0, this.draftValue(i, g / GRID, b));
      this.passTable[i] = next.map(row => {
        const values = new Float64Array(GRID + 1);
        for (let g = 0; g <= GRID; g++) {
          let value = -this.passCost;
          for (let b = 0; b < bins; b++) value += row[b]! * worth[g * bins + b]!;
          values[g] = value;
        }
        return values;
      });
    }
    this.roundValue = inputs.start.reduce((value, p, b) => value + p * Math.max(0, this.draftValue(1, 1, b)), -this.passCost);
  }

  /** ρ the plan was made for. */
  get rate(): number {
    return this.inputs.rate;
  }

  /** Value of drafting token `index` at an entropy in `bin`, the drafts before it surviving with probability `survive`; > 0: draft it. */
  draftValue(index: number, survive: number, bin: number): number {
    const alpha = this.alpha[index]![bin]!;
    const here = survive * alpha - this.verifyStep[index]!;
    return index < this.inputs.maxDraft ? here + Math.max(0, this.passValue(index + 1, bin, survive * alpha)) : here;
  }

  /** Value of running the draft pass for token `index` (≥ 2) after a token in `bin`; > 0: run it. */
  passValue(index: number, bin: number, survive: number): number {
    if (index > this.inputs.maxDraft) return -Infinity;
    const values = this.passTable[index]![bin]!;
    const x = Math.min(1, Math.max(0, survive)) * GRID, lo = Math.min(GRID - 1, Math.floor(x));
    return values[lo]! + (x - lo) * (values[lo + 1]! - values[lo]!);
  }

  /** α of token `index` at an entropy in `bin`, as planned with. */
  acceptance(index: number, bin: number): number {
    return this.alpha[index]![bin]!;
  }
}
