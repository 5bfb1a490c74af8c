// How much the rounds that ran the draft gained over target-only decoding, as a ratio of
// exponentially weighted means: (mean tokens emitted per round) ÷ (mean round time in units of
// C_t(1)). A ratio of means, not a mean of per-round ratios, because throughput is total tokens
// over total time. Round times come from the cost model (robust to outliers), not the clock.
//
// The means are plain averages until they hold 1/weight rounds, then exponentially weighted, so the
// first round does not outweigh the next thirty. Their standard error counts the rounds they hold:
// when it did not, one rejected draft in the first round read as a gain of 0.92 known exactly, and
// speculation sat out 31 rounds on the wide rig at T = 1, where it pays (docs/algorithm.md,
// "The rule per round").
export interface SpeculationGainState {
  tokens: number;
  time: number;
  /** Exponentially weighted variance of the per-round gain. */
  variance?: number;
  /** Σ of the squared weights of the rounds in the means (1 after one round): its variance is variance × this. */
  spread?: number;
  /** Rounds seen, while fewer than 1/weight: until then the means are plain averages. */
  rounds?: number;
}

/**
 * The per-round gain's variance assumed before rounds measure it. Rounds that accept their one
 * draft or not gain about 1.7 and 0.9 on the wide rig, 1.25 and 0.6 on the padded one: a standard deviation near 0.4.
 */
export const PRIOR_GAIN_VARIANCE = 0.16;
const PRIOR_ROUNDS = 4;

/**
 * How much one round moves the means: about the last 32 rounds count. With 1/8 the bound of two
 * standard errors stayed above break-even down to a gain of about 0.8 (per-round gains scatter by
 * about 0.4), which let the padded rig lose 11 % at T = 0.7 (docs/algorithm.md, "The rule per round").
 */
export const GAIN_WEIGHT = 1 / 32;

export class SpeculationGain {
  private tokens: number;
  private time: number;
  private variance: number;
  private spread: number;
  private rounds: number;

  /** `weight`: how much one round moves the means. */
  constructor(private readonly weight = GAIN_WEIGHT, state?: SpeculationGainState) {
    const valid = state && state.tokens > 0 && state.time > 0 && Number.isFinite(state.tokens) && Number.isFinite(state.time);
    this.tokens = valid ? state.tokens : NaN;
    this.time = valid ? state.time : NaN;
    this.variance = valid && Number.isFinite(state.variance) && state.variance! >= 0 ? state.variance! : PRIOR_GAIN_VARIANCE;
    // A state saved without its spread held many rounds: the spread's floor.
    const floor = weight / (2 - weight);
    this.spread = valid && Number.isFinite(state.spread) && state.spread! >= floor && state.spread! <= 1 ? state.spread! : floor;
    this.rounds = valid && Number.isInteger(state.rounds) && state.rounds! >= 1 ? state.rounds! : Infinity;
  }

  /** Rounds the record holds: 0 before any, Infinity for a saved record that did not count them. */
  get roundsHeld(): number {
    return Number.isNaN(this.tokens) ? 0 : this.rounds;
  }

  /** A round that ran the draft emitted `tokens` in `time` (in units of one target-only step). */
  observe(tokens: number, time: number): void {
    if (!(time > 0) || !Number.isFinite(tokens)) return;
    if (Number.isNaN(this.tokens)) {
      this.tokens = tokens;
      this.time = time;
      this.spread = 1;
      this.rounds = 1;
      return;
    }
    this.rounds++;
    const deviation = tokens / time - this.value();
    // The prior variance counts as PRIOR_ROUNDS rounds' worth.
    this.variance += Math.max(this.weight, 1 / (this.rounds - 1 + PRIOR_ROUNDS)) * (deviation * deviation - this.variance);
    const step = Math.max(this.weight, 1 / this.rounds);
    this.tokens += step * (tokens - this.tokens);
    this.time += step * (time - this.time);
    this.spread = (1 - step) ** 2 * this.spread + step ** 2;
  }

  /**
   * From now on the record counts as at most `rounds` rounds: the next rounds move it as a fresh
   * record's first rounds move theirs, with what it holds as a prior worth `rounds` rounds.
   */
  discount(rounds: number): void {
    if (this.roundsHeld > rounds) this.rounds = rounds;
  }

  /**
   * The gain plus two standard errors of it (or `errors`). Rounds differ a lot (a fully accepted draft, a pass
   * spent for nothing), so the weighted means wander; idling only when even this is below
   * break-even keeps one unlucky stretch from switching speculation off where it pays.
   */
  upper(errors = 2): number {
    return this.value() + errors * Math.sqrt(this.variance * this.spread);
  }

  /** The speed-up speculation has been giving; NaN before any round ran the draft. */
  value(): number {
    return this.tokens / this.time;
  }

  state(): SpeculationGainState | undefined {
    if (Number.isNaN(this.tokens)) return undefined;
    return {tokens: this.tokens, time: this.time, variance: this.variance, spread: this.spread, ...(Number.isFinite(this.rounds) ? {rounds: this.rounds} : {})};
  }
}
