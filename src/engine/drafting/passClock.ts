// What the round loop charges for its passes. The wall clock charges what each pass took; a cost
// profile charges what it would take on the hardware the profile describes (docs/algorithm.md,
// "The cost-profile clock"). Under a profile, a benchmark's figures depend on what was drafted and
// accepted alone, so two runs print the same tables and a 2 % difference between policies shows
// instead of drowning in the machine's ±10 % noise. The policies' cost model reads the profile too,
// so that they decide for the hardware the profile charges for.
import {CostModel, PassCostTable} from "./costModel";

/** Pass costs of one machine and pair: C_t(n) for n = 1..17, C_d, and the CPU-side bookkeeping. */
export interface CostProfile {
  name: string;
  /** C_t(1), ms. */
  targetTokenMs: number;
  /** C_t(n) / C_t(1) for n = 1 .. 17; target[0] is 1. */
  target: readonly number[];
  /** C_d / C_t(1): one draft pass over a single token. */
  draft: number;
  /** The CPU's work per draft pass (probability map, entropy, the policy's decision), ms; absent: charged as measured. */
  bookkeepingMs?: number;
  /** Lookup's matching per round that consults it, ms; absent: charged as measured. */
  lookupMs?: number;
}

export interface PassClock {
  /** true: the time measured is the time charged, so a round's total also holds the loop's own overhead. */
  readonly measured: boolean;
  /** One target pass over `tokens` tokens. */
  targetPass(tokens: number, measuredMs: number): number;
  /** One draft pass over `tokens` tokens (catch-up and the token drafted from). */
  draftPass(tokens: number, measuredMs: number): number;
  /** The decision after one draft pass: probability map, entropy, policy. */
  bookkeeping(measuredMs: number): number;
  /** One round's lookup matching. */
  lookup(measuredMs: number): number;
}

export const WALL_CLOCK: PassClock = {
  measured: true,
  targetPass: (_tokens, ms) => ms,
  draftPass: (_tokens, ms) => ms,
  bookkeeping: ms => ms,
  lookup: ms => ms
};

/**
 * Charges a profile's costs. A target pass over n tokens costs C_t(n); n past the profile's 17
 * extends its last step. A draft pass over m tokens costs C_d · C_t(m)/C_t(1): a catch-up pass
 * batches tokens the way a target pass does, on the same hardware.
 */
export class ProfileClock implements PassClock {
  readonly measured = false;
  /** Greedy and sampled verification share the profile: it states one curve. */
  private readonly costs: CostModel;

  constructor(readonly profile: CostProfile) {
    this.costs = new FixedCostModel(profileCostTable(profile), {maxPassTokens: profile.target.length});
  }

  targetPass(tokens: number, _measuredMs?: number): number {
    return this.profile.targetTokenMs * ratio(this.profile.target, tokens);
  }

  draftPass(tokens: number, _measuredMs?: number): number {
    return this.profile.targetTokenMs * this.profile.draft * ratio(this.profile.target, tokens);
  }

  bookkeeping(measuredMs: number): number {
    return this.profile.bookkeepingMs ?? measuredMs;
  }

  lookup(measuredMs: number): number {
    return this.profile.lookupMs ?? measuredMs;
  }

  /** The cost model the policies read under this clock: the profile, whatever the passes charged. */
  costModel(): CostModel {
    return this.costs;
  }
}

/**
 * A cost model that observes nothing: fed the charged passes it would learn a pass wider than the
 * profile's 17 tokens (a static K of 20) as C_t(17), and drift from the profile.
 */
class FixedCostModel extends CostModel {
  override observeTargetPass(): void {}
  override observeDraftPass(): void {}
}

export function profileCostTable(profile: CostProfile): PassCostTable {
  return {targetMs: profile.target.map(r => r * profile.targetTokenMs), draftMs: profile.draft * profile.targetTokenMs, contextLength: 0};
}

function ratio(curve: readonly number[], tokens: number): number {
  const n = Math.max(1, tokens);
  if (n <= curve.length) return curve[n - 1]!;
  const step = curve.length >= 2 ? curve.at(-1)! - curve.at(-2)! : 0;
  return curve.at(-1)! + Math.max(0, step) * (n - curve.length);
}
