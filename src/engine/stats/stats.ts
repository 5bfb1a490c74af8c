// Per-round records and the aggregates every view of Draftstop shows (status bar, stats panel,
// benchmark): one definition of each figure, computed from running totals. The data the plots
// take (entropy bins, draft-length counts), the median and the byte formatter live here too, so
// that no layer above defines them again.
import type {Token} from "../nlc";
import type {DrafterName} from "../options";

export interface RoundRecord {
  /** Round number within its generation, from 0. */
  index: number;
  /** Tokens drafted (k) and accepted (a) this round. */
  drafted: number;
  accepted: number;
  /** Tokens committed this round: a + 1, fewer when a stop condition cut the round. */
  emitted: number;
  /** The tokens committed this round, an end-of-generation token included. */
  tokens: Token[];
  /** Which drafter proposed this round's drafts; absent when nothing was drafted. */
  drafter?: DrafterName;
  /**
   * A lookup draft's match: how many committed tokens the earlier occurrence it copies matched, and
   * of the earlier occurrences that long, how many there were and how many agreed on its first
   * token (drafting/ngramIndex.ts).
   */
  match?: {length: number; support: number; occurrences: number};
  /** Entropy (nats) of the draft distribution each drafted token came from, in order (a model draft's; empty for lookup). */
  entropies: number[];
  /** Entropy at the step where the policy stopped drafting, if it stopped on its own. */
  stopEntropy?: number;
  /** AdaEDL's λ in force while drafting this round. */
  lambda?: number;
  /** Draft model evaluations this round (catch-up tokens and drafted tokens, batched per call). */
  draftPasses: number;
  draftMs: number;
  verifyMs: number;
  /** Entropy computation and policy decisions. */
  entropyMs: number;
  totalMs: number;
  /** Committed tokens before this round (prompt included). */
  contextLength: number;
}

export interface StatsTotals {
  generations: number;
  tokens: number;
  rounds: number;
  drafted: number;
  accepted: number;
  /** The part of rounds, drafted and accepted that came from lookup drafts. */
  lookupRounds: number;
  lookupDrafted: number;
  lookupAccepted: number;
  draftPasses: number;
  decodeMs: number;
  draftMs: number;
  verifyMs: number;
  entropyMs: number;
  prefillMs: number;
  /**
   * What the target alone would have taken for these tokens, ms: each generation's tokens × C_t(1)
   * as the cost model read it when the generation ended (its level follows the machine's load).
   */
  targetOnlyMs: number;
}

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

export function emptyTotals(): StatsTotals {
  return {generations: 0, tokens: 0, rounds: 0, drafted: 0, accepted: 0, lookupRounds: 0, lookupDrafted: 0, lookupAccepted: 0, draftPasses: 0, decodeMs: 0, draftMs: 0,
    verifyMs: 0, entropyMs: 0, prefillMs: 0, targetOnlyMs: 0};
}

/** Adds one round to running totals (not `generations`, `prefillMs` or `targetOnlyMs`: those belong to a generation). */
export function addRound(totals: StatsTotals, round: RoundRecord): void {
  totals.rounds++;
  totals.tokens += round.emitted;
  totals.drafted += round.drafted;
  totals.accepted += round.accepted;
  if (round.drafter === "lookup") {
    totals.lookupRounds++;
    totals.lookupDrafted += round.drafted;
    totals.lookupAccepted += round.accepted;
  }
  totals.draftPasses += round.draftPasses;
  totals.decodeMs += round.totalMs;
  totals.draftMs += round.draftMs;
  totals.verifyMs += round.verifyMs;
  totals.entropyMs += round.entropyMs;
}

/** Adds totals (a generation's, a repeat's, or a part of them: absent fields count 0) into `into`; returns `into`. */
export function addTotals(into: StatsTotals, from: Partial<StatsTotals>): StatsTotals {
  for (const key of Object.keys(into) as Array<keyof StatsTotals>) into[key] += from[key] ?? 0;
  return into;
}

/** The sum of several totals. */
export function sumTotals(list: Iterable<Partial<StatsTotals>>): StatsTotals {
  const sum = emptyTotals();
  for (const totals of list) addTotals(sum, totals);
  return sum;
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

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * A size for people: `2.18 GB`, `11.1 MB`, `640 kB` (decimal units, as Hugging Face shows file sizes).
 * It lives here, the lowest layer, so that every layer above (host, models, ui) shows sizes alike.
 */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.round(bytes / 1e3)} kB`;
}

/** Entropy bin edges in nats; the last edge is above any entropy (ln of a 150K vocabulary is 11.9) and survives JSON, unlike Infinity. */
export const ENTROPY_EDGES = [0, 0.05, 0.15, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 100];

export interface EntropyBinCounts {
  lo: number;
  hi: number;
  /** Drafted tokens whose fate was decided: the accepted ones and each round's first rejected one. */
  drafted: number;
  accepted: number;
}

/** Entropy bin counts as the benchmark, the panel and the plots carry them: per temperature, and optionally a legend entry. */
export interface AcceptanceBin extends EntropyBinCounts {
  temperature: number;
  /** Legend entry; default "T = temperature". */
  series?: string;
}

/** Rounds by draft length (index k: rounds that drafted k tokens) for one policy. */
export interface DraftLengthCounts {
  label: string;
  counts: readonly number[];
}

/** Acceptance by draft entropy: the data behind AdaEDL's bound 1 − sqrt(γ·H). */
export class EntropyAcceptance {
  private readonly counts = ENTROPY_EDGES.slice(1).map(() => ({drafted: 0, accepted: 0}));

  add(round: RoundRecord): void {
    if (round.drafter === "lookup") return; // no entropy: nothing drew it from a distribution
    // Drafts after a round's first rejection were never judged; they say nothing about acceptance.
    const decided = round.accepted + (round.accepted < round.drafted ? 1 : 0);
    for (let i = 0; i < decided; i++) {
      const entropy = round.entropies[i]!;
      const bin = ENTROPY_EDGES.findIndex((edge, j) => entropy >= edge && entropy < ENTROPY_EDGES[j + 1]!);
      if (bin < 0) continue;
      this.counts[bin]!.drafted++;
      if (i < round.accepted) this.counts[bin]!.accepted++;
    }
  }

  bins(): EntropyBinCounts[] {
    return this.counts.map((c, i) => ({lo: ENTROPY_EDGES[i]!, hi: ENTROPY_EDGES[i + 1]!, ...c}));
  }
}

/** Rounds by number of tokens drafted. */
export class DraftLengthHistogram {
  private readonly rounds: number[] = [];

  add(round: RoundRecord): void {
    while (this.rounds.length <= round.drafted) this.rounds.push(0);
    this.rounds[round.drafted]!++;
  }

  counts(): number[] {
    return [...this.rounds];
  }
}
