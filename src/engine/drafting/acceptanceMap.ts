// The probability that a model-drafted token is accepted, as a function of the draft's entropy H,
// learned from outcomes (docs/algorithm.md, "Acceptance from entropy"); the learning itself
// (prior, forgetting, monotone shape, optimistic reading) is binnedAcceptance.ts's.
//
// - Censoring: in a round that drafted k tokens and had a accepted, tokens 1..a were accepted, token
//   a + 1 (when a < k) was rejected, and tokens a + 2..k were never judged. Only judged tokens
//   count. What is estimated is then exactly what the stopping rule needs: the probability that
//   token i is accepted given that tokens 1..i − 1 were, at its entropy.
// - Prior: each entropy bin starts from AdaEDL's bound 1 − sqrt(γ·H) at the bin's middle.
// - Shape: non-increasing in entropy.
// - The optimistic reading matters most here: the bound is a lower bound, and at T > 0 a draft of
//   high entropy is often accepted (the tiny pair's drafts above 3 nats are, about half the
//   time). The optimism is +0.14 after 50 judged drafts at acceptance 0.5.
import {acceptanceBound} from "./adaedl";
import {ENTROPY_EDGES} from "../stats/entropyBins";
import {BINNED_ACCEPTANCE_DEFAULTS, BinnedAcceptance, BinnedAcceptanceOptions, BinnedAcceptanceState} from "./binnedAcceptance";

export {nonIncreasing} from "./binnedAcceptance";

export interface AcceptanceMapOptions extends BinnedAcceptanceOptions {
  /** γ of the prior bound. Default 0.2 (AdaEDL's default). */
  gamma?: number;
}

export const ACCEPTANCE_MAP_DEFAULTS: Required<AcceptanceMapOptions> = {gamma: 0.2, ...BINNED_ACCEPTANCE_DEFAULTS};

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

export type AcceptanceMapState = BinnedAcceptanceState;

export class AcceptanceMap {
  readonly options: Required<AcceptanceMapOptions>;
  private readonly core: BinnedAcceptance;

  constructor(options: AcceptanceMapOptions = {}, state?: AcceptanceMapState) {
    this.options = {...ACCEPTANCE_MAP_DEFAULTS, ...options};
    const priors = Array.from({length: ENTROPY_EDGES.length - 1}, (_, i) => acceptanceBound(this.options.gamma, binMiddle(i)));
    this.core = new BinnedAcceptance(priors, this.options, state);
  }

  /** One verified round: the drafted tokens' entropies, in order, and how many were accepted. */
  observeRound(entropies: readonly number[], accepted: number): void {
    const judged = Math.min(entropies.length, accepted + 1);
    for (let i = 0; i < judged; i++) this.observe(entropies[i]!, i < accepted);
  }

  observe(entropy: number, accepted: boolean): void {
    this.core.observe(binOf(entropy), accepted);
  }

  /** The calibrated acceptance probability of a token drafted at this entropy. */
  estimate(entropy: number): number {
    return this.core.estimate(binOf(entropy));
  }

  /** The estimate plus `optimism` standard deviations of it (default: the map's own option, 2): what decisions use. */
  optimistic(entropy: number, optimism?: number): number {
    return this.core.optimistic(binOf(entropy), optimism);
  }

  /** The highest optimistic reading of any bin: what the most confident draft could hope for. */
  best(optimism?: number): number {
    return this.core.best(optimism);
  }

  /** Judged tokens in all bins. */
  get evidence(): number {
    return this.core.evidence;
  }

  bins(): AcceptanceBinEstimate[] {
    return this.core.priors.map((prior, i) => ({
      lo: ENTROPY_EDGES[i]!, hi: ENTROPY_EDGES[i + 1]!, prior, judged: this.core.judgedIn(i), accepted: this.core.acceptedIn(i), estimate: this.core.estimate(i)
    }));
  }

  state(): AcceptanceMapState {
    return this.core.state();
  }
}

/** The map's entropy bin of an entropy (entropyBins.ts's edges; the last bin is open). */
export function binOf(entropy: number): number {
  const h = Math.max(0, Number.isFinite(entropy) ? entropy : 0);
  for (let i = ENTROPY_EDGES.length - 2; i > 0; i--) if (h >= ENTROPY_EDGES[i]!) return i;
  return 0;
}

/** The entropy the prior is taken at: the bin's middle; the open last bin is read at its lower edge + 1 nat. */
export function binMiddle(bin: number): number {
  const lo = ENTROPY_EDGES[bin]!, hi = ENTROPY_EDGES[bin + 1]!;
  return bin === ENTROPY_EDGES.length - 2 ? lo + 1 : (lo + hi) / 2;
}
