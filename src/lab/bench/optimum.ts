// The exact cost-aware optimum of greedy speculative decoding (T = 0) with a given draft model.
// At T = 0 every draft-length rule emits the same text, the target's greedy continuation; rules
// differ only in how many tokens each round drafts, and so in time. Knowing, for each position of
// the continuation, whether the draft's greedy token there matches, the fastest schedule of draft
// lengths under a pass-cost profile is a bound that no stopping rule using this draft can beat at
// T = 0 under that profile. The hindsight oracle (oracle.ts) is not such a bound: it drafts while
// the draft matches whatever a longer pass costs.
//
// Costs are charged exactly as the round loop charges them. A round drafting k ≥ 1 tokens pays one
// draft pass over the `pending` committed tokens the draft has not evaluated yet, k − 1 one-token
// draft passes, k bookkeeping steps and one target pass over k + 1 tokens; a = min(k, run of
// matches from the round's start) drafts are accepted and a + 1 tokens emitted. Afterwards the
// draft has 2 tokens pending if all k were accepted (the last draft's own token and the target's
// next one), else 1. A target-only round (k = 0) pays a one-token target pass, emits 1 token and
// leaves the draft one more token behind, so skipping drafting makes the next draft pass wider.

export interface RoundCosts {
  /** One target pass over n tokens (n = k + 1). */
  targetPassMs(n: number): number;
  /** One draft pass over `width` tokens: the catch-up pass is as wide as `pending`. */
  draftPassMs(width: number): number;
  /** Charged once per draft pass: the probability map, entropy and the policy's decision. */
  bookkeepingMs: number;
}

export interface OptimalSchedule {
  /** k of each round, in order. */
  draftLengths: number[];
  totalMs: number;
  rounds: number;
}

/**
 * Costs are memoised per pass size so that a caller's curve is evaluated (and checked) once per
 * size, and only for sizes the schedule space can reach: a curve may be undefined beyond them.
 */
class PassCosts {
  private readonly target: number[] = [];
  private readonly draft: number[] = [];
  readonly bookkeepingMs: number;

  constructor(private readonly costs: RoundCosts) {
    this.bookkeepingMs = checkedCost("bookkeepingMs", costs.bookkeepingMs);
  }

  targetMs(n: number): number {
    return this.target[n] ??= checkedCost(`targetPassMs(${n})`, this.costs.targetPassMs(n));
  }

  draftMs(width: number): number {
    return this.draft[width] ??= checkedCost(`draftPassMs(${width})`, this.costs.draftPassMs(width));
  }

  /** The cost of a round drafting k tokens with `pending` tokens for the draft to catch up on. */
  roundMs(k: number, pending: number): number {
    if (k === 0) return this.targetMs(1);
    const extraDraft = k > 1 ? (k - 1) * this.draftMs(1) : 0;
    return this.draftMs(pending) + extraDraft + k * this.bookkeepingMs + this.targetMs(k + 1);
  }
}

function checkedCost(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite, non-negative number of ms, got ${String(value)}`);
  }
  return value;
}

/** Where a generation stands between rounds: tokens emitted, and tokens the draft has not evaluated yet. */
export interface RoundState {
  position: number;
  pending: number;
}

/**
 * The state after a round that drafted k tokens and had `accepted` of them accepted, as the round
 * loop leaves it: a target-only round emits one token and leaves the draft one more behind; a
 * drafting round emits accepted + 1 and leaves 2 pending when all were accepted (the last draft
 * and the target's next token), else 1.
 */
export function afterRound({position, pending}: RoundState, k: number, accepted: number): RoundState {
  return k === 0 ? {position: position + 1, pending: pending + 1} : {position: position + accepted + 1, pending: accepted === k ? 2 : 1};
}

/** runs[i]: how many consecutive matches start at i (runs[N] = 0), so a round's acceptance is O(1). */
function matchRuns(matches: readonly boolean[]): Int32Array {
  const runs = new Int32Array(matches.length + 1);
  for (let i = matches.length - 1; i >= 0; i--) runs[i] = matches[i] ? runs[i + 1] + 1 : 0;
  return runs;
}

/**
 * Charges the schedule round by round from the start. Shared by both exports so that the optimum's
 * totalMs is bit-for-bit what scheduleCost charges for its schedule (the dynamic program sums in
 * the opposite order, which can differ in the last bits).
 */
function charge(matches: readonly boolean[], runs: Int32Array, pass: PassCosts, draftLengths: readonly number[]): number {
  const n = matches.length;
  let position = 0;
  let pending = 1;
  let total = 0;
  for (let round = 0; round < draftLengths.length; round++) {
    const k = draftLengths[round];
    const remaining = n - position;
    const where = `round ${round + 1} (draftLengths[${round}] = ${String(k)})`;
    if (remaining === 0) {
      throw new RangeError(`${where} starts after all ${n} tokens were emitted`);
    }
    if (!Number.isInteger(k) || k < 0 || k > remaining - 1) {
      throw new RangeError(`${where}: k must be an integer in 0..${remaining - 1}, since ${remaining} tokens are left to emit`);
    }
    total += pass.roundMs(k, pending);
    ({position, pending} = afterRound({position, pending}, k, Math.min(k, runs[position])));
  }
  if (position !== n) {
    throw new RangeError(`the schedule ends after ${draftLengths.length} rounds at position ${position}, short of the ${n} tokens to emit`);
  }
  return total;
}

/**
 * The time of a given schedule under the rules above. A k that would draft past the end, a schedule
 * that stops short of N tokens and rounds after the end are errors, not charged: a schedule that
 * does not emit exactly the continuation is not comparable with the optimum.
 */
export function scheduleCost(matches: readonly boolean[], costs: RoundCosts, draftLengths: readonly number[]): number {
  return charge(matches, matchRuns(matches), new PassCosts(costs), draftLengths);
}

/**
 * Below this relative margin two totals count as tied, so that rounding noise in sums that are equal
 * in exact arithmetic cannot make the choice depend on the order of additions.
 */
const TIE_MARGIN = 1e-12;

/**
 * The fastest schedule, by a dynamic program over (position i, pending p). p must be part of the
 * state: target-only rounds widen the next catch-up pass, so the best k at i depends on how far the
 * draft has fallen behind. p ≤ i + 1 (it grows by at most one per emitted token), which bounds the
 * table at O(N²) states and the work at O(N²·maxDraft).
 *
 * Ties go to the smaller k in each round, the earliest round first: drafting less wastes no draft
 * work when the totals are equal, and it makes the schedule deterministic.
 */
export function optimalSchedule(matches: readonly boolean[], costs: RoundCosts, maxDraft: number): OptimalSchedule {
  return optimalPlan(matches, costs, maxDraft).schedule;
}

/**
 * The optimal schedule, and the optimal k from any state (tokens emitted, tokens pending for the
 * draft), for a run that leaves the schedule's path: where a pass of another width rounds a
 * near-tie the other way, the tokens a round accepts can differ from what `matches` said.
 */
export function optimalPlan(matches: readonly boolean[], costs: RoundCosts, maxDraft: number): {schedule: OptimalSchedule; draftAt(position: number, pending: number): number} {
  if (typeof maxDraft !== "number" || !Number.isInteger(maxDraft) || maxDraft < 0) {
    throw new RangeError(`maxDraft must be a non-negative integer, got ${String(maxDraft)}`);
  }
  const pass = new PassCosts(costs);
  const n = matches.length;
  if (n === 0) return {schedule: {draftLengths: [], totalMs: 0, rounds: 0}, draftAt: () => 0};

  const runs = matchRuns(matches);
  // Row i holds pending 0..n + 1 (0 unused); a target-only round from (n − 1, n) lands on (n, n + 1).
  const stride = n + 2;
  const best = new Float64Array((n + 1) * stride); // row n: nothing left to emit, 0 ms
  const choice = new Int32Array(n * stride);

  for (let i = n - 1; i >= 0; i--) {
    const remaining = n - i;
    const kMax = Math.min(maxDraft, remaining - 1);
    const run = runs[i];
    for (let p = 1; p <= i + 1; p++) {
      let bestMs = pass.roundMs(0, p) + best[(i + 1) * stride + p + 1];
      let bestK = 0;
      for (let k = 1; k <= kMax; k++) {
        const accepted = Math.min(k, run);
        const next = (i + accepted + 1) * stride + (accepted === k ? 2 : 1);
        const ms = pass.roundMs(k, p) + best[next];
        if (ms < bestMs - TIE_MARGIN * Math.max(1, Math.abs(bestMs))) {
          bestMs = ms;
          bestK = k;
        }
      }
      best[i * stride + p] = bestMs;
      choice[i * stride + p] = bestK;
    }
  }

  const draftLengths: number[] = [];
  let position = 0;
  let pending = 1;
  while (position < n) {
    const k = choice[position * stride + pending];
    draftLengths.push(k);
    ({position, pending} = afterRound({position, pending}, k, Math.min(k, runs[position])));
  }
  return {
    schedule: {draftLengths, totalMs: charge(matches, runs, pass, draftLengths), rounds: draftLengths.length},
    draftAt: (at, pendingThen) => (at >= 0 && at < n ? choice[at * stride + Math.min(Math.max(1, pendingThen), at + 1)]! : 0)
  };
}
