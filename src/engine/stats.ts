// Per-round records and the aggregates every view of Draftstop shows (status bar, stats panel,
// benchmark): one definition of each figure, computed from running totals.

export interface RoundRecord {
  /** Round number within its generation, from 0. */
  index: number;
  /** Tokens drafted (k) and accepted (a) this round. */
  drafted: number;
  accepted: number;
  /** Tokens committed this round: a + 1, fewer when a stop condition cut the round. */
  emitted: number;
  /** The tokens committed this round, an end-of-generation token included. */
  tokens: number[];
  /** Entropy (nats) of the draft distribution each drafted token came from, in order. */
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
  draftPasses: number;
  decodeMs: number;
  draftMs: number;
  verifyMs: number;
  entropyMs: number;
  prefillMs: number;
}

export interface StatsSummary extends StatsTotals {
  tokensPerSecond: number;
  /** accepted / drafted. */
  acceptanceRate: number;
  /** drafted / rounds. */
  meanDraftLength: number;
  /** tokens / rounds. */
  tokensPerRound: number;
  targetPassesPerToken: number;
  draftPassesPerToken: number;
  /** Measured single-token target latency used as the baseline, ms (NaN until measured). */
  targetTokenMs: number;
  /** tokens × targetTokenMs / decodeMs: target-only time for the same tokens over the time taken. */
  estimatedSpeedup: number;
}

export function emptyTotals(): StatsTotals {
  return {generations: 0, tokens: 0, rounds: 0, drafted: 0, accepted: 0, draftPasses: 0, decodeMs: 0, draftMs: 0,
    verifyMs: 0, entropyMs: 0, prefillMs: 0};
}

export function addRound(totals: StatsTotals, round: RoundRecord): void {
  totals.rounds++;
  totals.tokens += round.emitted;
  totals.drafted += round.drafted;
  totals.accepted += round.accepted;
  totals.draftPasses += round.draftPasses;
  totals.decodeMs += round.totalMs;
  totals.draftMs += round.draftMs;
  totals.verifyMs += round.verifyMs;
  totals.entropyMs += round.entropyMs;
}

export function summarize(totals: StatsTotals, targetTokenMs: number): StatsSummary {
  const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
  return {
    ...totals,
    tokensPerSecond: ratio(totals.tokens * 1000, totals.decodeMs),
    acceptanceRate: ratio(totals.accepted, totals.drafted),
    meanDraftLength: ratio(totals.drafted, totals.rounds),
    tokensPerRound: ratio(totals.tokens, totals.rounds),
    targetPassesPerToken: ratio(totals.rounds, totals.tokens),
    draftPassesPerToken: ratio(totals.draftPasses, totals.tokens),
    targetTokenMs,
    estimatedSpeedup: Number.isFinite(targetTokenMs) && totals.decodeMs > 0
      ? totals.tokens * targetTokenMs / totals.decodeMs
      : NaN
  };
}

/**
 * Single-token target latency by context length, from the engine's own probes and from
 * target-only rounds. The estimate is the median of recent samples taken at a similar context
 * length (attention cost grows with it), or of all recent samples when none is close.
 */
export class LatencyTracker {
  private readonly samples: Array<{contextLength: number; ms: number}> = [];

  constructor(private readonly capacity = 64) {}

  record(contextLength: number, ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) return;
    this.samples.push({contextLength, ms});
    if (this.samples.length > this.capacity) this.samples.shift();
  }

  /** ms for one target token at `contextLength`, NaN before any measurement. */
  estimate(contextLength?: number): number {
    if (this.samples.length === 0) return NaN;
    const near = contextLength === undefined ? [] : this.samples.filter(s =>
      Math.abs(s.contextLength - contextLength) <= Math.max(64, 0.25 * contextLength));
    return median((near.length > 0 ? near : this.samples).map(s => s.ms));
  }

  /** Context length of the newest sample, for deciding when a new probe is due. */
  get latestContextLength(): number | undefined {
    return this.samples.at(-1)?.contextLength;
  }

  get size(): number {
    return this.samples.length;
  }
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
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

/** Acceptance by draft entropy: the data behind AdaEDL's bound 1 − sqrt(γ·H). */
export class EntropyAcceptance {
  private readonly counts = ENTROPY_EDGES.slice(1).map(() => ({drafted: 0, accepted: 0}));

  add(round: RoundRecord): void {
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
