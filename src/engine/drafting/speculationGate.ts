// Whether a drafter (the draft model, or lookup) may run in the next round, from the speed-up its
// rounds have measured (drafting/speculationGain.ts): never slower than the target alone beyond
// a stated bound, and no paying for learning (docs/algorithm.md, "Never slower").
//
// - A drafter earns its way in: it runs every round only once the gain its rounds measured is above
//   1 + margin, and it keeps running while the gain's upper bound (two standard errors) stays above
//   that. With no evidence (a pair never calibrated in this window and none saved) it sits out.
// - While it sits out, one round in `exploreEvery` runs it anyway, so a gain is measured and a
//   change (a cooler machine, easier code) is noticed. With no evidence at all, the first
//   COLD_EXPLORATIONS rounds it could run in explore, so that one unlucky first round does not
//   decide for the next 31. An exploring round costs at
//   most one losing round's deficit, so over R rounds exploring costs at most ceil(R / exploreEvery)
//   such deficits.
// - Each exploring round after which the drafter still sits out, while its gain is below 1 + margin
//   even four standard errors up, doubles the interval, up to exploreAtMost; running again by
//   its gain sets it back to exploreEvery.
// - Where `exitDiscount` is set, a drafter that stops running by its gain has its gain record
//   discounted to that many rounds (SpeculationGain.discount): its explorations then move the record
//   as a fresh one's first rounds do, and the plan's word (entryByPlan) is heard again up to the
//   record's ENTRY_ROUNDS-th round. Undiscounted, a record of hundreds of rounds moved 1/32 of the
//   way per exploration, one round in 32: a stretch of bad luck kept a paying draft out for about a
//   thousand rounds (docs/algorithm.md, "Coming back in").
import type {SpeculationGain} from "./speculationGain";

/** Rounds explored at once where the gain holds no evidence yet. */
export const COLD_EXPLORATIONS = 4;
/**
 * With entryByPlan, the rounds during which the plan's word may run a drafter its gain has not let
 * in: past them the gain decides alone. Unbounded, a plan that read a marginal draft as paying kept
 * it running at a measured gain of 0.92–0.96 (the padded rig under its own costs), since the gain's
 * bound stays above break-even there for a long time.
 */
export const ENTRY_ROUNDS = 16;

export interface SpeculationGateOptions {
  /** The gain must be above 1 + margin. */
  margin: number;
  /** While the drafter sits out, every exploreEvery-th round runs it anyway. */
  exploreEvery: number;
  /** The most that interval grows to while explorations keep finding no gain. */
  exploreAtMost: number;
  /**
   * Standard errors of the gain a drafter that has earned its way in may fall short of 1 + margin
   * by and keep running. Default 2. At the steady state of SpeculationGain (about the last 32
   * rounds, per-round gains scattered by about 0.4: a standard error near 0.05), 2 keeps a drafter
   * whose rounds gain only 0.92 running, 1 one down to about 0.97.
   */
  keepErrors?: number;
  /**
   * true: from its COLD_EXPLORATIONS-th round to its ENTRY_ROUNDS-th, a drafter its gain has not let
   * in still runs while the evidence does not rule a gain out (its upper bound is above 1 + margin)
   * and the caller's `mayEnter` (a plan from what has been learned, read without optimism) says a
   * round with it pays; past that, only its gain lets it in. Default false.
   */
  entryByPlan?: boolean;
  /** Rounds the gain record is discounted to when the drafter stops running by its gain. Default: none. */
  exitDiscount?: number;
}

export class SpeculationGate {
  /** Earned its way in: runs by its gain, not by exploring. */
  private earned = false;
  /** Rounds it sat out since it last ran. */
  private idleRounds = 0;
  private interval = 0;
  private exploring = false;
  private runs = false;

  constructor(private readonly options: SpeculationGateOptions) {}

  /** Whether the drafter runs in the round being decided. */
  get running(): boolean {
    return this.runs;
  }

  /** Whether it runs by its gain (not exploring). */
  get earnedIn(): boolean {
    return this.earned;
  }

  /**
   * Decides the next round. `mayPay`: a further word, asked only while the gain says it may run
   * (the cost-aware plan's value of a round where the gain is not above 1). `mayEnter`: with
   * entryByPlan, whether what has been learned says a round with the drafter pays.
   */
  decide(gain: SpeculationGain, mayPay: () => boolean = () => true, mayEnter: () => boolean = () => false): boolean {
    const threshold = 1 + this.options.margin;
    const wasEarned = this.earned;
    this.earned = this.earned ? gain.upper(this.options.keepErrors ?? 2) > threshold : gain.value() > threshold;
    // The plan's word while the evidence is thin; it does not latch as the gain's does.
    const entering = !this.earned && this.options.entryByPlan === true && gain.roundsHeld >= COLD_EXPLORATIONS &&
      gain.roundsHeld < ENTRY_ROUNDS && gain.upper() > threshold && mayEnter();
    const pays = (this.earned && mayPay()) || entering;
    if (pays || this.interval === 0) this.interval = this.options.exploreEvery;
    this.exploring = !pays && (gain.roundsHeld < COLD_EXPLORATIONS || this.idleRounds + 1 >= this.interval);
    this.runs = pays || this.exploring;
    // After this round's decision, so that the round the drafter stops in is decided on the evidence that stopped it.
    if (wasEarned && !this.earned && this.options.exitDiscount !== undefined) gain.discount(this.options.exitDiscount);
    return this.runs;
  }

  /** The round decided last has ended; `ran`: the drafter drafted in it. Backs off after fruitless explorations. */
  ended(ran: boolean): void {
    this.idleRounds = ran ? 0 : this.idleRounds + 1;
  }

  /** After `decide`: an exploration that left the drafter sitting out, where it loses beyond doubt, doubles the interval. */
  backOff(explored: boolean, gain: SpeculationGain): void {
    if (explored && !this.runs && gain.upper(4) < 1 + this.options.margin)
      this.interval = Math.min(2 * this.interval, Math.max(this.options.exploreEvery, this.options.exploreAtMost));
  }

  /** Whether the round decided last explores (runs though the gain does not say so). */
  get explores(): boolean {
    return this.exploring;
  }

  reset(): void {
    this.earned = false;
    this.idleRounds = 0;
    this.interval = 0;
    this.exploring = false;
    this.runs = false;
  }
}
