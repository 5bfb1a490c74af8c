// How much the rounds that ran the draft gained over target-only decoding, as a ratio of
// exponentially weighted means: (mean tokens emitted per round) ÷ (mean round time in units of
// C_t(1)). A ratio of means, not a mean of per-round ratios, because throughput is total tokens
// over total time. Round times come from the cost model (robust to outliers), not the clock.
export interface SpeculationGainState {
  tokens: number;
  time: number;
  /** Exponentially weighted variance of the per-round gain. */
  variance?: number;
}

export class SpeculationGain {
  private tokens: number;
  private time: number;
  private variance: number;

  /** `weight`: how much one round moves the means. */
  constructor(private readonly weight = 0.125, state?: SpeculationGainState) {
    const valid = state && state.tokens > 0 && state.time > 0 && Number.isFinite(state.tokens) && Number.isFinite(state.time);
    this.tokens = valid ? state.tokens : NaN;
    this.time = valid ? state.time : NaN;
    this.variance = valid && Number.isFinite(state.variance) ? state.variance! : 0;
  }

  /** A round that ran the draft emitted `tokens` in `time` (in units of one target-only step). */
  observe(tokens: number, time: number): void {
    if (!(time > 0) || !Number.isFinite(tokens)) return;
    if (Number.isNaN(this.tokens)) {
      this.tokens = tokens;
      this.time = time;
      return;
    }
    const deviation = tokens / time - this.value();
    this.variance += this.weight * (deviation * deviation - this.variance);
    this.tokens += this.weight * (tokens - this.tokens);
    this.time += this.weight * (time - this.time);
  }

  /**
   * The gain plus two standard errors of it. Rounds differ a lot (a fully accepted draft, a pass
   * spent for nothing), so the weighted means wander; idling only when even this is below
   * break-even keeps one unlucky stretch from switching speculation off where it pays.
   */
  upper(): number {
    return this.value() + 2 * Math.sqrt(this.variance * this.weight / (2 - this.weight));
  }

  /** The speed-up speculation has been giving; NaN before any round ran the draft. */
  value(): number {
    return this.tokens / this.time;
  }

  state(): SpeculationGainState | undefined {
    return Number.isNaN(this.tokens) ? undefined : {tokens: this.tokens, time: this.time, variance: this.variance};
  }
}
