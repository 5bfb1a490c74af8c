// The probability that a drafted token is accepted, as a function of the draft's entropy H, learned
// from outcomes (docs/algorithm.md, "Calibrated acceptance").
//
// - Censoring: in a round that drafted k tokens and had a accepted, tokens 1..a were accepted, token
//   a + 1 (when a < k) was rejected, and tokens a + 2..k were never judged. Only judged tokens
//   count. What is estimated is then exactly what the stopping rule needs: the probability that
//   token i is accepted given that tokens 1..i − 1 were, at its entropy.
// - Prior: each entropy bin starts from AdaEDL's bound 1 − sqrt(γ·H) at the bin's middle, worth
//   `priorStrength` judged tokens, so the map is the paper's rule until evidence says otherwise.
// - Forgetting: each bin keeps at most `maxEvidence` tokens' worth of counts (older ones fade
//   geometrically), so it follows a change of code or sampling setting.
// - Shape: acceptance is read as non-increasing in entropy; the bins' estimates are pooled where
//   they violate that (pool-adjacent-violators, weighted by evidence), which keeps sparse bins sane.
// - Decisions use an optimistic reading, the estimate plus two standard deviations of it
//   (`optimistic`). The prior is a lower bound on acceptance, and a rule that trusted it would
//   never draft where it is too low and so never learn that it is (at T > 0 a draft of high
//   entropy is often accepted: the tiny pair's drafts above 3 nats are, about half the time).
//   The optimism shrinks as evidence comes in (+0.14 after 50 judged drafts at acceptance 0.5),
//   which bounds what it costs.
import {acceptanceBound} from "../policies/adaedl";
import {ENTROPY_EDGES} from "../stats";

export interface AcceptanceMapOptions {
  /** γ of the prior bound. Default 0.2 (AdaEDL's default). */
  gamma?: number;
  /** Judged tokens the prior is worth in each bin. Default 4. */
  priorStrength?: number;
  /** Most judged tokens' worth of evidence per bin. Default 400. */
  maxEvidence?: number;
}

export const ACCEPTANCE_MAP_DEFAULTS: Required<AcceptanceMapOptions> = {gamma: 0.2, priorStrength: 4, maxEvidence: 400};

export interface AcceptanceBinEstimate {
  lo: number;
  hi: number;
  /** AdaEDL's bound at the bin's middle entropy. */
  prior: number;
  /** Judged and accepted tokens (after forgetting). */
  judged: number;
  accepted: number;
  /** The calibrated acceptance probability. */
  estimate: number;
}

export interface AcceptanceMapState {
  judged: number[];
  accepted: number[];
}

/** Lowest and highest acceptance the map will claim: a bin is never certain either way. */
const FLOOR = 0.001, CEILING = 0.999;

export class AcceptanceMap {
  readonly options: Required<AcceptanceMapOptions>;
  private readonly judged: number[];
  private readonly accepted: number[];
  private readonly priors: number[];
  private estimates: number[] | undefined;

  constructor(options: AcceptanceMapOptions = {}, state?: AcceptanceMapState) {
    this.options = {...ACCEPTANCE_MAP_DEFAULTS, ...options};
    const bins = ENTROPY_EDGES.length - 1;
    this.priors = Array.from({length: bins}, (_, i) => clamp(acceptanceBound(this.options.gamma, binMiddle(i))));
    const valid = state && state.judged.length === bins && state.accepted.length === bins &&
      state.judged.every((j, i) => j >= 0 && state.accepted[i]! >= 0 && state.accepted[i]! <= j);
    this.judged = valid ? [...state.judged] : Array<number>(bins).fill(0);
    this.accepted = valid ? [...state.accepted] : Array<number>(bins).fill(0);
  }

  /** One verified round: the drafted tokens' entropies, in order, and how many were accepted. */
  observeRound(entropies: readonly number[], accepted: number): void {
    const judged = Math.min(entropies.length, accepted + 1);
    for (let i = 0; i < judged; i++) this.observe(entropies[i]!, i < accepted);
  }

  observe(entropy: number, accepted: boolean): void {
    const bin = binOf(entropy);
    const keep = 1 - 1 / this.options.maxEvidence;
    if (this.judged[bin]! >= this.options.maxEvidence - 1) {
      this.judged[bin]! *= keep;
      this.accepted[bin]! *= keep;
    }
    this.judged[bin]!++;
    if (accepted) this.accepted[bin]!++;
    this.estimates = undefined;
  }

  /** The calibrated acceptance probability of a token drafted at this entropy. */
  estimate(entropy: number): number {
    return this.binEstimates()[binOf(entropy)]!;
  }

  /** The estimate plus two standard deviations (a Beta posterior's, with the prior's weight): what decisions use. */
  optimistic(entropy: number): number {
    const bin = binOf(entropy);
    const mean = this.binEstimates()[bin]!;
    return clamp(mean + 2 * Math.sqrt(mean * (1 - mean) / (this.options.priorStrength + this.judged[bin]! + 1)));
  }

  /** The highest optimistic reading of any bin: what the most confident draft could hope for. */
  best(): number {
    let best = 0;
    for (let bin = 0; bin + 1 < ENTROPY_EDGES.length; bin++) best = Math.max(best, this.optimistic(ENTROPY_EDGES[bin]!));
    return best;
  }

  /** Judged tokens in all bins. */
  get evidence(): number {
    return this.judged.reduce((a, b) => a + b, 0);
  }

  bins(): AcceptanceBinEstimate[] {
    const estimates = this.binEstimates();
    return this.priors.map((prior, i) => ({
      lo: ENTROPY_EDGES[i]!, hi: ENTROPY_EDGES[i + 1]!, prior, judged: this.judged[i]!, accepted: this.accepted[i]!, estimate: estimates[i]!
    }));
  }

  state(): AcceptanceMapState {
    return {judged: [...this.judged], accepted: [...this.accepted]};
  }

  private binEstimates(): number[] {
    if (this.estimates) return this.estimates;
    const k = this.options.priorStrength;
    const means = this.priors.map((prior, i) => (k * prior + this.accepted[i]!) / (k + this.judged[i]!));
    const weights = this.judged.map(j => k + j);
    this.estimates = nonIncreasing(means, weights).map(clamp);
    return this.estimates;
  }
}

function binOf(entropy: number): number {
  const h = Math.max(0, Number.isFinite(entropy) ? entropy : 0);
  for (let i = ENTROPY_EDGES.length - 2; i > 0; i--) if (h >= ENTROPY_EDGES[i]!) return i;
  return 0;
}

/** The entropy the prior is taken at: the bin's middle; the open last bin is read at its lower edge + 1 nat. */
function binMiddle(bin: number): number {
  const lo = ENTROPY_EDGES[bin]!, hi = ENTROPY_EDGES[bin + 1]!;
  return bin === ENTROPY_EDGES.length - 2 ? lo + 1 : (lo + hi) / 2;
}

function clamp(p: number): number {
  return Math.min(CEILING, Math.max(FLOOR, p));
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
