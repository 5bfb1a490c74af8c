// How much the rounds that ran the draft gained over target-only decoding, as a ratio of
// exponentially weighted means: (mean tokens emitted per round) ÷ (mean round time in units of
// C_t(1)). A ratio of means, not a mean of per-round ratios, because throughput is total tokens
// over total time. Round times come from the cost model (robust to outliers), not the clock.
//
// Its standard error counts how many rounds the means hold. Before that, one drafted token
// rejected in the first round read as a gain of 0.92 known exactly (a variance of 0 from one
// round), and speculation sat out 31 rounds on the wide rig at T = 1, where it pays (docs/algorithm.md,
// "When the draft runs").
export interface SpeculationGainState {
  tokens: number;
  time: number;
  /** Exponentially weighted variance of the per-round gain. */
  variance?: number;
  /** Σ of the squared weights of the rounds in the means (1 after one round): its variance is variance × this. */
  spread?: number;
}

/**
 * The per-round gain's variance assumed before rounds measure it. Rounds that accept their one
 * draft or not gain about 1.7 and 0.9 on the wide rig, 1.25 and 0.6 on the padded one: a standard deviation near 0.4.
 */
export const PRIOR_GAIN_VARIANCE = 0.16;

export class SpeculationGain {
  private tokens: number;
  private time: number;
  private variance: number;
  private spread: number;

  /** `weight`: how much one round moves the means. */
  constructor(private readonly weight = 0.125, state?: SpeculationGainState) {
    const valid = state && state.tokens > 0 && state.time > 0 && Number.isFinite(state.tokens) && Number.isFinite(state.time);
    this.tokens = valid ? state.tokens : NaN;
    this.time = valid ? state.time : NaN;
    this.variance = valid && Number.isFinite(state.variance) && state.variance! >= 0 ? state.variance! : PRIOR_GAIN_VARIANCE;
    // A state saved without its spread held many rounds: the spread's floor.
    const floor = weight / (2 - weight);
    this.spread = valid && Number.isFinite(state.spread) && state.spread! >= floor && state.spread! <= 1 ? state.spread! : floor;
  }

  /** A round that ran the draft emitted `tokens` in `time` (in units of one target-only step). */
  observe(tokens: number, time: number): void {
    if (!(time > 0) || !Number.isFinite(tokens)) return;
    if (Number.isNaN(this.tokens)) {
      this.tokens = tokens;
      this.time = time;
      this.spread = 1;
      return;
    }
    const deviation = tokens / time - this.value();
    this.variance += this.weight * (deviation * deviation - this.variance);
    this.tokens += this.weight * (tokens - this.tokens);
    this.time += this.weight * (time - this.time);
    this.spread = (1 - this.weight) ** 2 * this.spread + this.weight ** 2;
  }

  /**
   * The gain plus two standard errors of it. Rounds differ a lot (a fully accepted draft, a pass
   * spent for nothing), so the weighted means wander; idling only when even this is below
   * break-even keeps one unlucky stretch from switching speculation off where it pays.
   */
  upper(): number {
    return this.value() + 2 * Math.sqrt(this.variance * this.spread);
  }

  /** The speed-up speculation has been giving; NaN before any round ran the draft. */
  value(): number {
    return this.tokens / this.time;
  }

  state(): SpeculationGainState | undefined {
    return Number.isNaN(this.tokens) ? undefined : {tokens: this.tokens, time: this.time, variance: this.variance, spread: this.spread};
  }
}
