// The figures every view of Draftstop shows (status bar, stats panel, benchmark), one definition of
// each, computed from running totals (roundRecord.ts): acceptance rate, k̄, tokens per round, passes
// per token, speed-up, and the summary that applies them all.
import type {StatsTotals} from "./roundRecord";

export interface StatsSummary extends StatsTotals {
  tokensPerSecond: number;
  /** accepted / drafted. */
  acceptanceRate: number;
  /** lookupAccepted / accepted: how much of the accepted drafts lookup proposed. */
  lookupShare: number;
  /** drafted / rounds. */
  meanDraftLength: number;
  /** tokens / rounds. */
  tokensPerRound: number;
  targetPassesPerToken: number;
  draftPassesPerToken: number;
  /** What one target-only token costs now, ms: the cost model's level from the latest passes (NaN until measured). */
  targetTokenMs: number;
  /** targetOnlyMs / decodeMs (tokens × targetTokenMs / decodeMs before any generation set targetOnlyMs). */
  estimatedSpeedup: number;
}

// One function per figure. Before any data (a zero denominator) a figure is 0, not NaN or an error;
// the speed-ups are NaN while their baseline is unknown.
const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);

/** The figure `scale · t[numerator] / t[denominator]` of any totals that hold both. */
function ratioOf<N extends keyof StatsTotals, D extends keyof StatsTotals>(numerator: N, denominator: D, scale = 1) {
  return (t: Pick<StatsTotals, N | D>): number => ratio(scale * t[numerator], t[denominator]);
}

/** Committed tokens per second of decoding (the prompt's evaluation excluded). */
export const tokensPerSecond = ratioOf("tokens", "decodeMs", 1000);

/** accepted / drafted. */
export const acceptanceRate = ratioOf("accepted", "drafted");

/** Share of accepted drafts that lookup proposed: lookupAccepted / accepted. */
export const lookupShare = ratioOf("lookupAccepted", "accepted");

/** Mean draft length k̄: drafted / rounds. */
export const meanDraftLength = ratioOf("drafted", "rounds");

/**
 * Tokens per round (one target pass each): tokens / rounds. A round commits accepted + 1 tokens,
 * fewer when a stop condition (maxTokens, end of generation, stop string) cut it.
 */
export const tokensPerRound = ratioOf("tokens", "rounds");

/** rounds / tokens: target passes (one per round, the prompt's evaluation excluded) per committed token. */
export const targetPassesPerToken = ratioOf("rounds", "tokens");

/** draftPasses / tokens. */
export const draftPassesPerToken = ratioOf("draftPasses", "tokens");

/** Share of drafting time spent on entropy and policy decisions: entropyMs / draftMs. */
export const entropyShareOfDrafting = ratioOf("entropyMs", "draftMs");

/** Speed-up over the target alone: the time target-only decoding takes for the same tokens ÷ the time taken. */
export function speedup(targetOnlyMs: number, takenMs: number): number {
  return Number.isFinite(targetOnlyMs) && takenMs > 0 ? targetOnlyMs / takenMs : NaN;
}

/** The speed-up estimated from what one target token costs: tokens × targetTokenMs ÷ decodeMs. */
export function estimatedSpeedup(t: Pick<StatsTotals, "tokens" | "decodeMs">, targetTokenMs: number): number {
  return speedup(t.tokens * targetTokenMs, t.decodeMs);
}

/**
 * The speed-up measured against target-only decoding of the same work: tokens/s ÷ target-only
 * tokens/s (the same ratio as above, from rates); NaN without a baseline.
 */
export function measuredSpeedup(t: Pick<StatsTotals, "tokens" | "decodeMs">, targetOnly: Pick<StatsTotals, "tokens" | "decodeMs"> | undefined): number {
  const baseline = targetOnly ? tokensPerSecond(targetOnly) : 0;
  return baseline > 0 ? tokensPerSecond(t) / baseline : NaN;
}

export function summarize(totals: StatsTotals, targetTokenMs: number): StatsSummary {
  return {
    ...totals,
    tokensPerSecond: tokensPerSecond(totals),
    acceptanceRate: acceptanceRate(totals),
    lookupShare: lookupShare(totals),
    meanDraftLength: meanDraftLength(totals),
    tokensPerRound: tokensPerRound(totals),
    targetPassesPerToken: targetPassesPerToken(totals),
    draftPassesPerToken: draftPassesPerToken(totals),
    targetTokenMs,
    estimatedSpeedup: totals.targetOnlyMs > 0 ? speedup(totals.targetOnlyMs, totals.decodeMs) : estimatedSpeedup(totals, targetTokenMs)
  };
}
