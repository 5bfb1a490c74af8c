// The learning core shared by the acceptance maps (docs/algorithm.md, "Acceptance from entropy"): per
// bin of some signal, the probability that a drafted token is accepted given that the ones before
// it in its round were, from judged outcomes only.
//
// - Prior: each bin starts from a given acceptance worth `priorStrength` judged tokens, so the map
//   is the prior rule until evidence says otherwise.
// - Forgetting: each bin keeps at most `maxEvidence` tokens' worth of counts (older ones fade
//   geometrically), so it follows a change of code or sampling setting.
// - Shape: acceptance is read as non-increasing in the bin index (callers order their bins so);
//   estimates are pooled where they violate that (pool-adjacent-violators, weighted by evidence),
//   which keeps sparse bins sane.
// - Decisions use an optimistic reading, the estimate plus `optimism` standard deviations of it. A
//   rule that trusted a pessimistic prior would never draft where it is too low and so never learn
//   that it is; the optimism shrinks as evidence comes in, which bounds what it costs.

export interface BinnedAcceptanceOptions {
  /** Judged tokens the prior is worth in each bin. Default 4. */
  priorStrength?: number;
  /** Most judged tokens' worth of evidence per bin. Default 400. */
  maxEvidence?: number;
  /** Standard deviations of the estimate that the decision reading (`optimistic`) adds. Default 2. */
  optimism?: number;
}

export const BINNED_ACCEPTANCE_DEFAULTS: Required<BinnedAcceptanceOptions> = {priorStrength: 4, maxEvidence: 400, optimism: 2};

export interface BinnedAcceptanceState {
  judged: number[];
  accepted: number[];
}

/** Lowest and highest acceptance a map will claim: a bin is never certain either way. */
const FLOOR = 0.001, CEILING = 0.999;

export function clampAcceptance(p: number): number {
  return Math.min(CEILING, Math.max(FLOOR, p));
}

export class BinnedAcceptance {
  readonly options: Required<BinnedAcceptanceOptions>;
  readonly priors: readonly number[];
  private readonly judged: number[];
  private readonly accepted: number[];
  private estimates: number[] | undefined;

  /** `priors`: the prior acceptance of each bin, bins ordered so that acceptance falls with the index. */
  constructor(priors: readonly number[], options: BinnedAcceptanceOptions = {}, state?: BinnedAcceptanceState) {
    this.options = {...BINNED_ACCEPTANCE_DEFAULTS, ...options};
    this.priors = priors.map(clampAcceptance);
    const bins = priors.length;
    const valid = state && state.judged.length === bins && state.accepted.length === bins &&
      state.judged.every((j, i) => j >= 0 && state.accepted[i]! >= 0 && state.accepted[i]! <= j);
    this.judged = valid ? [...state.judged] : Array<number>(bins).fill(0);
    this.accepted = valid ? [...state.accepted] : Array<number>(bins).fill(0);
  }

  observe(bin: number, accepted: boolean): void {
    const keep = 1 - 1 / this.options.maxEvidence;
    if (this.judged[bin]! >= this.options.maxEvidence - 1) {
      this.judged[bin]! *= keep;
      this.accepted[bin]! *= keep;
    }
    this.judged[bin]!++;
    if (accepted) this.accepted[bin]!++;
    this.estimates = undefined;
  }

  estimate(bin: number): number {
    return this.binEstimates()[bin]!;
  }

  /** The estimate plus `optimism` standard deviations (a Beta posterior's, with the prior's weight): what decisions use. */
  optimistic(bin: number, optimism = this.options.optimism): number {
    const mean = this.binEstimates()[bin]!;
    return clampAcceptance(mean + optimism * Math.sqrt(mean * (1 - mean) / (this.options.priorStrength + this.judged[bin]! + 1)));
  }

  /** The highest optimistic reading of any bin. */
  best(optimism = this.options.optimism): number {
    let best = 0;
    for (let bin = 0; bin < this.priors.length; bin++) best = Math.max(best, this.optimistic(bin, optimism));
    return best;
  }

  judgedIn(bin: number): number {
    return this.judged[bin]!;
  }

  acceptedIn(bin: number): number {
    return this.accepted[bin]!;
  }

  /** Judged tokens in all bins. */
  get evidence(): number {
    return this.judged.reduce((a, b) => a + b, 0);
  }

  state(): BinnedAcceptanceState {
    return {judged: [...this.judged], accepted: [...this.accepted]};
  }

  private binEstimates(): number[] {
    if (this.estimates) return this.estimates;
    const k = this.options.priorStrength;
    const means = this.priors.map((prior, i) => (k * prior + this.accepted[i]!) / (k + this.judged[i]!));
    const weights = this.judged.map(j => k + j);
    this.estimates = nonIncreasing(means, weights).map(clampAcceptance);
    return this.estimates;
  }
}

/** Weighted least-squares fit that is non-increasing (pool adjacent violators). */
export function nonIncreasing(values: readonly number[], weights: readonly number[]): number[] {
  const blocks: Array<{sum: number; weight: number; count: number}> = [];
  values.forEach((value, i) => {
    blocks.push({sum: value * weights[i]!, weight: weights[i]!, count: 1});
    while (blocks.length >= 2 && blocks.at(-2)!.sum / blocks.at(-2)!.weight < blocks.at(-1)!.sum / blocks.at(-1)!.weight) {
      const last = blocks.pop()!;
      const into = blocks.at(-1)!;
      into.sum += last.sum;
      into.weight += last.weight;
      into.count += last.count;
    }
  });
  return blocks.flatMap(b => Array<number>(b.count).fill(b.sum / b.weight));
}
