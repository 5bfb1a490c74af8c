// Cost-aware AdaEDL (docs/algorithm.md, "Cost-aware drafting"): AdaEDL's entropy signal, read as
// a calibrated acceptance probability, decides each token by what it adds to the round's expected
// tokens per unit time on the machine at hand, and the draft does not run at all while
// speculation has not been paying.
//
// - Per token: the draft's entropy H_i gives α_i, the learned acceptance at H_i (AdaEDL's bound
//   1 − sqrt(γ·H) until outcomes say otherwise, read optimistically while evidence is thin). Token i is drafted when the draft length that
//   maximises E(k)/T(k) (throughput.ts), with later tokens assumed as likely as this one, is at
//   least i. Before the pass for token i + 1 it asks whether that token could pay even at the
//   best acceptance any entropy has shown; when not, the pass is not run. λ, the acceptance one drafted token needs to pay, follows from the cost model and
//   moves with it: about 0.45 on a 2-core CPU, near 0 where a pass over many tokens costs what one does.
// - Per round: the draft runs unless the rounds that ran it have been slower than target-only
//   decoding plus `margin`, by more than two standard errors of their noisy mean. Otherwise rounds are target-only, and one round in
//   `exploreEvery` runs the draft anyway, so a change (a cooler machine, easier code) is noticed.
//   That bounds what exploring costs to 1/exploreEvery of one speculative round's loss per round.
import {acceptanceBound} from "./adaedl";
import {BasePolicy, DraftStep, PolicyEnvironment, PolicyState} from "./policy";
import {bestDraftLength, breakEvenAcceptance} from "./throughput";
import {requireInteger, requireNumber} from "../options";

export interface CostAwareParameters {
  /** Most tokens drafted in a round. Default 16. */
  maxDraft: number;
  /** The draft runs while speculation's measured gain is above 1 + margin. Default 0.02. */
  margin: number;
  /** While it does not run, every exploreEvery-th round runs it anyway. Default 32. */
  exploreEvery: number;
  /** Standard deviations of its estimate added to the learned acceptance of a round's first drafted token. Default 2. */
  optimism: number;
  /** The same for the second and later tokens of a round, where optimism compounds. Default 2. */
  laterOptimism: number;
}

export const COST_AWARE_DEFAULTS: CostAwareParameters = {maxDraft: 16, margin: 0.02, exploreEvery: 32, optimism: 2, laterOptimism: 2};

/** Without an environment (a policy used outside the engine) the rule falls back to AdaEDL's bound against λ0. */
const FALLBACK_GAMMA = 0.2, FALLBACK_LAMBDA = 0.5;

export class CostAwarePolicy extends BasePolicy<CostAwareParameters> {
  readonly name = "costAware";
  private environment: PolicyEnvironment | undefined;
  private speculating = true;
  private targetOnlyRounds = 0;
  /** α of the tokens the draft proposed in the current round, and its draft passes. */
  private acceptance: number[] = [];
  private passes = 0;

  constructor(parameters: Partial<CostAwareParameters> = {}) {
    super(COST_AWARE_DEFAULTS, parameters, p => {
      requireInteger("costAware.maxDraft", p.maxDraft, 1, 256);
      requireNumber("costAware.margin", p.margin, 0, 10);
      requireInteger("costAware.exploreEvery", p.exploreEvery, 1, 1_000_000);
      requireNumber("costAware.optimism", p.optimism, 0, 10);
      requireNumber("costAware.laterOptimism", p.laterOptimism, 0, 10);
    });
  }

  prepare(environment: PolicyEnvironment): void {
    this.environment = environment;
    this.decide();
  }

  mayDraftLater(): boolean {
    return true;
  }

  maxDraftThisRound(): number {
    return this.speculating ? this.parameters.maxDraft : 0;
  }

  override shouldDraft(step: DraftStep): boolean {
    if (step.index === 1) this.acceptance = [];
    this.passes = step.index;
    const environment = this.environment;
    if (!environment) return acceptanceBound(FALLBACK_GAMMA, step.entropy) >= FALLBACK_LAMBDA;
    this.acceptance.push(environment.acceptance.optimistic(step.entropy, this.optimismAt(step.index)));
    return bestDraftLength(this.acceptance, environment.costs, this.parameters.maxDraft) >= step.index;
  }

  /** Token `index` cannot pay even if the draft turned out as sure as it ever is: spare the pass. */
  worthAnotherPass(index: number): boolean {
    const environment = this.environment;
    if (!environment) return true;
    const acceptance = [...this.acceptance.slice(0, index - 1), environment.acceptance.best(this.optimismAt(index))];
    return bestDraftLength(acceptance, environment.costs, this.parameters.maxDraft) >= index;
  }

  override update(drafted: number, accepted: number): void {
    const environment = this.environment;
    if (environment && this.passes > 0) {
      const {costs} = environment;
      const time = (this.passes * costs.draftMs() + costs.targetMs(drafted + 1)) / costs.targetMs(1);
      environment.gain.observe(accepted + 1, time);
      this.targetOnlyRounds = 0;
    } else this.targetOnlyRounds++;
    this.passes = 0;
    this.decide();
  }

  override reset(): void {
    this.speculating = true;
    this.targetOnlyRounds = 0;
    this.passes = 0;
    this.decide();
  }

  override state(): PolicyState {
    const environment = this.environment;
    // Without a draft there is no C_d, so no λ and no gain: fields that would be NaN are left out
    // (NaN does not survive the trip to the extension as a number).
    const lambda = environment ? breakEvenAcceptance(environment.costs) : FALLBACK_LAMBDA;
    const gain = environment?.gain.value();
    return {
      lambda: Number.isFinite(lambda) ? lambda : undefined,
      speculationGain: gain !== undefined && Number.isFinite(gain) ? gain : undefined,
      speculating: this.speculating
    };
  }

  private optimismAt(index: number): number {
    return index === 1 ? this.parameters.optimism : this.parameters.laterOptimism;
  }

  /** Whether the next round runs the draft. No evidence yet (NaN gain) counts as "try it". */
  private decide(): void {
    const gain = this.environment?.gain.upper() ?? NaN;
    const exploring = this.targetOnlyRounds + 1 >= this.parameters.exploreEvery;
    this.speculating = !(gain <= 1 + this.parameters.margin) || exploring;
  }
}
