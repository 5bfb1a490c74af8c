// How close to the exact optimum (optimum.ts) can a stopping rule on the draft's entropy get at
// T = 0? AdaEDL, as published or cost-aware, drafts a token while its entropy says the token is
// likely enough to be accepted; in its simplest form that is a threshold: draft token i while
// H_i < h, at most K a round (AdaEDL with λ held fixed). This file charges such rules, with the
// round's first token allowed a threshold of its own, on a recorded trace (draftTrace.ts: along
// the target's greedy continuation, whether the draft's greedy token matches there and the
// draft's entropy; past a rejected token, the entropies along the draft's own tokens) and finds
// the best rule in hindsight for the traces it is given. Two ways to charge what a round drafts
// past its first rejected token:
// - "drafted": as the round loop does, on along the draft's own tokens until its entropy or the
//   cap stops it. The rule as it would run; the best one for a few tasks is fitted to them, so the
//   CLI also charges the one chosen on other tasks.
// - "free": the round stops right after its first rejected token, at no cost. No threshold rule
//   can do better than this: an upper bound on the whole family, however its thresholds are chosen.
// Costs are charged as the round loop and optimum.ts charge them; what else separates a rule from
// the optimum is the pass a rule needs to see the entropy of the token it then does not draft.
import {afterRound, RoundCosts, RoundState, scheduleCost} from "./optimum";

/** Along the target's greedy continuation: whether the draft's greedy token matches, and the draft's entropy there (nats). */
export interface DraftTrace {
  matches: readonly boolean[];
  entropies: readonly number[];
  /**
   * At a position whose draft token is rejected: the entropies a round meets drafting on along the
   * draft's own tokens (those at the positions after it). Needed to charge "drafted".
   */
  afterRejection?: readonly (readonly number[] | undefined)[];
}

/** What a round drafting past its first rejected token pays: see the file's head. */
export type PastRejection = "drafted" | "free";

/**
 * Draft a round's first token while its entropy is below `maxEntropy`, each later one while its
 * entropy is below `laterMaxEntropy`, at most `maxDraft` a round. One threshold for both is AdaEDL
 * with λ held fixed; two let the first token, which costs the draft a pass however the round goes
 * on, be held to another standard than the tokens after it, as the cost-aware plan does.
 */
export interface ThresholdRule {
  maxEntropy: number;
  laterMaxEntropy: number;
  maxDraft: number;
}

/**
 * The time of a generation under `rule`, charged round by round. A round with tokens left to
 * draft runs the draft's catch-up pass over the pending tokens, which shows the first token's
 * entropy; each drafted token below the cap is followed by a one-token pass showing the next one's.
 * A round stops at the cap (no further pass), at a token at or above the threshold (its pass paid,
 * not drafted), or, with `pastRejection` "free", just after drafting a rejected token.
 * maxDraft 0 is target-only.
 */
export function thresholdRuleMs(trace: DraftTrace, costs: RoundCosts, rule: ThresholdRule, pastRejection: PastRejection = "drafted"): number {
  const {matches, entropies} = trace;
  const n = matches.length;
  let state: RoundState = {position: 0, pending: 1};
  let total = 0;
  while (state.position < n) {
    const i = state.position;
    const cap = Math.min(rule.maxDraft, n - i - 1);
    if (cap <= 0) {
      total += costs.targetPassMs(1);
      state = afterRound(state, 0, 0);
      continue;
    }
    let passes = 1;
    let passMs = costs.draftPassMs(state.pending);
    let drafted = 0;
    let accepted = 0;
    let rejectedAt = -1; // the position of the round's first rejected draft
    let endsWithPass = true; // the draft has evaluated every drafted token
    for (;;) {
      const at = i + drafted;
      const h = rejectedAt < 0 ? entropies[at]! : afterRejectionAt(trace, rejectedAt, at);
      if (!(h < (drafted === 0 ? rule.maxEntropy : rule.laterMaxEntropy))) break;
      drafted++;
      if (rejectedAt < 0) {
        if (matches[at]) accepted++;
        else rejectedAt = at;
      }
      if (drafted === cap || (rejectedAt >= 0 && pastRejection === "free")) {
        endsWithPass = false;
        break;
      }
      passes++;
      passMs += costs.draftPassMs(1);
    }
    total += passMs + passes * costs.bookkeepingMs + costs.targetPassMs(drafted + 1);
    // After a pass over the last drafted token (a stop by entropy), only the target's token is
    // pending; otherwise as the round loop leaves it (optimum.ts, afterRound).
    state = drafted === 0 || endsWithPass ? {position: i + accepted + 1, pending: 1} : afterRound(state, drafted, accepted);
  }
  return total;
}

function afterRejectionAt(trace: DraftTrace, rejectedAt: number, at: number): number {
  const h = trace.afterRejection?.[rejectedAt]?.[at - rejectedAt - 1];
  if (h === undefined) throw new RangeError(`the trace has no entropy for position ${at} after the rejection at ${rejectedAt}: record it with draftTrace, or charge "free"`);
  return h;
}

/** Thresholds tried per token kind: every entropy seen up to this many, else this many quantiles of them. */
export const MAX_THRESHOLDS = 64;

/**
 * The best rule and its total time, over caps 0 (target-only) to maxDraft and both thresholds at
 * the entropies the traces show on the target's path (and none). Exact for "free" where those are
 * at most MAX_THRESHOLDS (one task's trace of up to 64 tokens), since only they are read there;
 * otherwise, and for "drafted" (a threshold between two entropies past a rejection could do a
 * little better), the figure is what some rule reaches, not necessarily the best one.
 */
export function bestThresholdRule(traces: readonly DraftTrace[], costs: RoundCosts, pastRejection: PastRejection = "drafted", maxDraft = 16): {rule: ThresholdRule; totalMs: number} {
  const all = [...new Set(traces.flatMap(t => t.entropies))].sort((a, b) => a - b);
  const seen = all.length <= MAX_THRESHOLDS ? all : Array.from({length: MAX_THRESHOLDS}, (_, i) => all[Math.round(i * (all.length - 1) / (MAX_THRESHOLDS - 1))]!);
  // Drafting token i needs H_i < h: each entropy seen, nudged up to include it, splits the rules.
  const thresholds = [...seen.map(h => h + Math.max(1e-9, Math.abs(h) * 1e-9)), Infinity];
  const charge = (rule: ThresholdRule) => traces.reduce((sum, t) => sum + thresholdRuleMs(t, costs, rule, pastRejection), 0);
  const targetOnly = {maxEntropy: Infinity, laterMaxEntropy: Infinity, maxDraft: 0};
  let best = {rule: targetOnly, totalMs: charge(targetOnly)};
  for (let k = 1; k <= maxDraft; k++) {
    for (const maxEntropy of thresholds) {
      // With a cap of 1 no token is ever a later one.
      for (const laterMaxEntropy of k === 1 ? [maxEntropy] : thresholds) {
        const rule = {maxEntropy, laterMaxEntropy, maxDraft: k};
        const totalMs = charge(rule);
        if (totalMs < best.totalMs) best = {rule, totalMs};
      }
    }
  }
  return best;
}

/** Static K exactly as the round loop runs it (every round drafts min(K, tokens left − 1), past a rejection too), for a check against the sweep's columns. */
export function staticMs(trace: DraftTrace, costs: RoundCosts, k: number): number {
  const n = trace.matches.length;
  const lengths: number[] = [];
  let state: RoundState = {position: 0, pending: 1};
  while (state.position < n) {
    const draft = Math.min(k, n - state.position - 1);
    let accepted = 0;
    while (accepted < draft && trace.matches[state.position + accepted]) accepted++;
    lengths.push(draft);
    state = afterRound(state, draft, accepted);
  }
  return scheduleCost(trace.matches, costs, lengths);
}
