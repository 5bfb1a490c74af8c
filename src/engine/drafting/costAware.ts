// Cost-aware AdaEDL (docs/algorithm.md, "Cost-aware drafting"): AdaEDL's entropy signal, read as
// a calibrated acceptance probability, decides each token by what it adds to the round's expected
// tokens per unit time on the machine at hand, and the draft does not run at all while
// speculation has not been paying.
//
// - Per token: the draft's entropy H_i gives α_i, the learned acceptance at H_i (AdaEDL's bound
//   1 − sqrt(γ·H) until outcomes say otherwise; the first token of a round read optimistically
//   while evidence is thin). By default the round is planned ahead (draftPlan.ts): token i is
//   drafted when what it adds, with what may follow it over where the next entropies tend to fall,
//   pays for its share of the verify pass, and the pass for token i + 1 runs only when what it may
//   bring pays for the pass (PlannedRounds). Without planning ahead, token i is drafted when the
//   draft length that maximises E(k)/T(k) (throughput.ts), with later tokens assumed as likely as
//   this one, is at least i (LengthRule). λ, the acceptance one drafted token needs to pay, follows from the cost model and
//   moves with it: about 0.45 on a 2-core CPU, near 0 where a pass over many tokens costs what one does.
// - Per round (speculationGate.ts): the draft earns its way in. It runs every round once the rounds
//   that ran it have measured a gain above 1 + `margin` over target-only decoding, and keeps running
//   while the gain plus two standard errors of its noisy mean stays above that and, while the gain
//   is not above 1, the plan values a round with the draft (its first pass included) above one the
//   target decodes alone. With no evidence yet (a pair this window has not calibrated, none saved), the
//   first COLD_EXPLORATIONS (4) rounds it could run explore; whenever it sits out, rounds are
//   target-only and one round in `exploreEvery` runs the draft anyway, so a gain is measured and a change (a cooler machine, easier code) is noticed; each
//   exploration that finds no gain doubles that interval, up to `exploreAtMost` rounds. That bounds
//   what exploring costs to 1/exploreEvery of one speculative round's loss per round, and to
//   1/exploreAtMost once it has kept finding nothing.
import {acceptanceBound} from "./adaedl";
import {BasePolicy, DraftStep, PolicyEnvironment, PolicyState} from "./policy";
import {SpeculationGate} from "./speculationGate";
import {bestDraftLength, breakEvenAcceptance} from "./throughput";
import {DraftPlan} from "./draftPlan";
import {binMiddle, binOf} from "./acceptanceMap";
import {requireBoolean, requireInteger, requireNumber} from "../options";

export interface CostAwareParameters {
  /** Most tokens drafted in a round. Default 16. */
  maxDraft: number;
  /** The draft runs while speculation's measured gain is above 1 + margin. Default 0.02. */
  margin: number;
  /** While it does not run, every exploreEvery-th round runs it anyway. Default 32. */
  exploreEvery: number;
  /**
   * Each exploring round after which the draft still does not pay doubles that interval, up to
   * this many rounds; the first round that runs the draft by its gain sets it back to
   * exploreEvery. Default 256 (exploreEvery: never doubled).
   */
  exploreAtMost: number;
  /** Standard deviations of its estimate added to the learned acceptance of a round's first drafted token. Default 2. */
  optimism: number;
  /**
   * The same for the second and later tokens of a round. Default 0: optimism there compounds into
   * long drafts the evidence does not support (docs/algorithm.md, "Optimism").
   */
  laterOptimism: number;
  /**
   * true: each round is planned ahead over where the next entropies may fall (draftPlan.ts); false:
   * later tokens are assumed as likely to be accepted as the current one (throughput.ts). Default true.
   */
  planAhead: boolean;
  /**
   * With planAhead, true: while speculation has measured no gain above 1, a round runs the draft only
   * when the plan says a round that does beats one decoded by the target alone; false: every round
   * does while the gain's upper bound is above break-even. Default true.
   */
  roundGate: boolean;
  /**
   * true: after its first rounds, a draft whose measured gain is not yet above 1 + margin still runs
   * while the gain's upper bound is above that and a plan from the learned acceptance map, read
   * without optimism, values a round with it above a target-only one; false: only its measured gain
   * lets it in. Needs planAhead. Default true.
   */
  entryByPlan: boolean;
}

export const COST_AWARE_DEFAULTS: CostAwareParameters = {maxDraft: 16, margin: 0.02, exploreEvery: 32, exploreAtMost: 256, optimism: 2, laterOptimism: 0, planAhead: true, roundGate: true, entryByPlan: true};

/**
 * When the draft stops running by its gain, its gain record counts as this many rounds from then
 * on (speculationGate.ts, exitDiscount). Replayed on 40 tasks a set (npm run replay), 4 and 8 both
 * brought the tiny pair's worst cell from 0.91 to 0.98 of its best static K and changed no strong
 * or SmolLM2 cell by more than 0.005; 8 keeps more of what was measured before.
 */
const EXIT_DISCOUNT_ROUNDS = 8;

/** Without an environment (a policy used outside the engine) the rule falls back to AdaEDL's bound against λ0. */
const FALLBACK_GAMMA = 0.2, FALLBACK_LAMBDA = 0.5;
/**
 * Rounds between two rebuilds of the plan, besides one per generation: what it reads moves slowly,
 * and a rebuild takes about 0.6 ms on a 2-core CPU (rebuilt every 8 rounds it took 10 % of the draft's time).
 */
const PLAN_EVERY = 32;

/** How one round's drafting is decided, token by token, once the gate lets the draft run. */
interface RoundRule {
  /** A round the draft runs in begins. */
  begin(): void;
  /** Whether to draft token `step.index`. */
  draft(step: DraftStep): boolean;
  /** Whether the pass for token `index` (2 or more) may pay. */
  anotherPass(index: number): boolean;
  /** Whether a round with the draft may beat a target-only one where the gain measured is not above 1. */
  roundMayPay(): boolean;
  /** Whether what has been learned, read without optimism, says a round with the draft beats a target-only one. */
  roundPays(): boolean;
  /** A round ended. */
  ended(): void;
  /** Forget the generation's plan (a new generation, a reset). */
  forget(): void;
}

/** What the rules read: the engine's environment and the optimism a token's position in the round gets. */
interface RuleContext {
  environment: PolicyEnvironment;
  maxDraft: number;
  optimismAt(index: number): number;
}

/** Planned ahead (draftPlan.ts): a token is drafted while what it adds, with what may follow it, pays for its share. */
class PlannedRounds implements RoundRule {
  private plan: DraftPlan | undefined;
  /** At ρ = 1 with no optimism: the entry test's plan (entryByPlan), made on the same schedule as `plan`. */
  private soberPlan: DraftPlan | undefined;
  private roundsSincePlan = 0;
  /** Survival of the drafts so far in the round, and the last one's entropy bin. */
  private survive = 1;
  private lastBin = 0;

  constructor(private readonly context: RuleContext, private readonly roundGate: boolean) {}

  begin(): void {
    this.survive = 1;
    this.plan ??= this.makePlan();
  }

  draft(step: DraftStep): boolean {
    const plan = this.plan ??= this.makePlan();
    const bin = binOf(step.entropy);
    if (plan.draftValue(step.index, this.survive, bin) <= 0) return false;
    this.survive *= plan.acceptance(step.index, bin);
    this.lastBin = bin;
    return true;
  }

  anotherPass(index: number): boolean {
    return (this.plan ??= this.makePlan()).passValue(index, this.lastBin, this.survive) > 0;
  }

  /**
   * The plan's word on a whole round, read only at ρ = 1: where speculation has measured a gain,
   * the plan is made at that gain, where a round's value is near 0 by construction (Dinkelbach).
   */
  roundMayPay(): boolean {
    if (!this.roundGate || this.context.environment.gain.value() > 1) return true;
    // A plan made while the gain stood above 1 values rounds at that gain: make it again at ρ = 1.
    if (this.plan && this.plan.rate > 1) this.plan = undefined;
    return (this.plan ??= this.makePlan()).roundValue > 0;
  }

  roundPays(): boolean {
    return (this.soberPlan ??= this.makePlan({sober: true})).roundValue > 0;
  }

  ended(): void {
    if (++this.roundsSincePlan >= PLAN_EVERY) this.forget();
  }

  forget(): void {
    this.plan = undefined;
    this.soberPlan = undefined;
  }

  private makePlan({sober = false} = {}): DraftPlan {
    if (!sober) this.roundsSincePlan = 0;
    const {environment, maxDraft} = this.context;
    const gain = environment.gain.value();
    const {acceptance, transitions, costs} = environment;
    return new DraftPlan({
      acceptance: (index, bin) => acceptance.optimistic(binMiddle(bin), sober ? 0 : this.context.optimismAt(index)),
      next: bin => transitions.next(bin), start: transitions.start(), bins: transitions.bins, costs,
      rate: sober || !Number.isFinite(gain) ? 1 : Math.max(1, gain), maxDraft
    });
  }
}

/** Not planned: token i is drafted while the best draft length, later tokens as likely as this one, is at least i. */
class LengthRule implements RoundRule {
  /** α of the tokens the draft proposed in the current round. */
  private acceptance: number[] = [];

  constructor(private readonly context: RuleContext) {}

  begin(): void {
    this.acceptance = [];
  }

  draft(step: DraftStep): boolean {
    const {environment, maxDraft, optimismAt} = this.context;
    this.acceptance.push(environment.acceptance.optimistic(step.entropy, optimismAt(step.index)));
    return bestDraftLength(this.acceptance, environment.costs, maxDraft) >= step.index;
  }

  /** Unless the token could not pay even if the draft turned out as sure as it ever is. */
  anotherPass(index: number): boolean {
    const {environment, maxDraft, optimismAt} = this.context;
    const acceptance = [...this.acceptance.slice(0, index - 1), environment.acceptance.best(optimismAt(index))];
    return bestDraftLength(acceptance, environment.costs, maxDraft) >= index;
  }

  roundMayPay(): boolean {
    return true;
  }

  /** No plan to read: entryByPlan needs planAhead. */
  roundPays(): boolean {
    return false;
  }

  ended(): void {}

  forget(): void {}
}

export class CostAwarePolicy extends BasePolicy<CostAwareParameters> {
  readonly name = "costAware";
  private environment: PolicyEnvironment | undefined;
  private rule: RoundRule | undefined;
  private speculating = true;
  /** Whether the draft runs: earned by its measured gain, or exploring (speculationGate.ts). */
  private readonly gate = new SpeculationGate({...this.parameters, exitDiscount: EXIT_DISCOUNT_ROUNDS});
  /** Draft passes in the current round. */
  private passes = 0;

  constructor(parameters: Partial<CostAwareParameters> = {}) {
    super(COST_AWARE_DEFAULTS, parameters, p => {
      requireInteger("costAware.maxDraft", p.maxDraft, 1, 256);
      requireNumber("costAware.margin", p.margin, 0, 10);
      requireInteger("costAware.exploreEvery", p.exploreEvery, 1, 1_000_000);
      requireInteger("costAware.exploreAtMost", p.exploreAtMost, 1, 1_000_000);
      requireNumber("costAware.optimism", p.optimism, 0, 10);
      requireNumber("costAware.laterOptimism", p.laterOptimism, 0, 10);
      requireBoolean("costAware.planAhead", p.planAhead);
      requireBoolean("costAware.roundGate", p.roundGate);
      requireBoolean("costAware.entryByPlan", p.entryByPlan);
    });
  }

  prepare(environment: PolicyEnvironment): void {
    this.environment = environment;
    const context: RuleContext = {environment, maxDraft: this.parameters.maxDraft, optimismAt: index => this.optimismAt(index)};
    this.rule = this.parameters.planAhead ? new PlannedRounds(context, this.parameters.roundGate) : new LengthRule(context);
    this.decide();
  }

  mayDraftLater(): boolean {
    return true;
  }

  maxDraftThisRound(): number {
    return this.speculating ? this.parameters.maxDraft : 0;
  }

  override beginRound(): void {
    this.passes = 0;
    this.rule?.begin();
  }

  override shouldDraft(step: DraftStep): boolean {
    this.passes = step.index;
    if (!this.rule) return acceptanceBound(FALLBACK_GAMMA, step.entropy) >= FALLBACK_LAMBDA;
    return this.rule.draft(step);
  }

  /** Whether the pass for token `index` may pay (the round rule's word). */
  worthAnotherPass(index: number): boolean {
    return this.rule?.anotherPass(index) ?? true;
  }

  override update(drafted: number, accepted: number): void {
    const environment = this.environment;
    const explored = this.gate.explores;
    if (environment && this.passes > 0) {
      const {costs} = environment;
      const time = (this.passes * costs.draftMs() + costs.targetMs(drafted + 1)) / costs.targetMs(1);
      environment.gain.observe(accepted + 1, time);
    }
    this.gate.ended(this.passes > 0);
    this.passes = 0;
    this.rule?.ended();
    this.decide();
    if (environment) this.gate.backOff(explored, environment.gain);
  }

  override reset(): void {
    this.rule?.forget();
    this.gate.reset();
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
      speculating: this.speculating,
      exploring: this.speculating && this.gate.explores
    };
  }

  private optimismAt(index: number): number {
    return index === 1 ? this.parameters.optimism : this.parameters.laterOptimism;
  }

  /**
   * Whether the next round runs the draft (speculationGate.ts): once its measured gain has earned
   * it in and, where the gain measured is not above 1, the round rule values a round with the draft
   * above a target-only one; or as an exploration. Outside the engine (no gain to read) it drafts.
   */
  private decide(): void {
    const environment = this.environment, rule = this.rule;
    this.speculating = environment && rule ? this.gate.decide(environment.gain, () => rule.roundMayPay(), () => rule.roundPays()) : true;
  }
}
