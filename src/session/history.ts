// A bounded record of this session's completions, for the stats panel's live plots.
import type {GenerationSummary} from "../host/protocol";
import {ENTROPY_EDGES} from "../bench/runner";
import type {AcceptanceBin, DraftLengthCounts} from "../charts/specs";

interface Entry {
  at: number;
  tokens: number;
  decodeMs: number;
  targetTokenMs: number;
}

export class SessionHistory {
  private readonly entries: Entry[] = [];
  private readonly lambdas: number[] = [];
  private readonly lengths: number[] = [];
  private readonly bins = ENTROPY_EDGES.slice(1).map(() => ({drafted: 0, accepted: 0}));

  constructor(private readonly maxEntries = 500, private readonly maxRounds = 5000) {}

  add(summary: GenerationSummary): void {
    this.entries.push({at: Date.now(), tokens: summary.totals.tokens, decodeMs: summary.totals.decodeMs, targetTokenMs: summary.targetTokenMs});
    if (this.entries.length > this.maxEntries) this.entries.shift();
    for (const round of summary.rounds) {
      if (round.lambda !== undefined) this.lambdas.push(round.lambda);
      this.lengths[round.drafted] = (this.lengths[round.drafted] ?? 0) + 1;
      const decided = round.accepted + (round.accepted < round.drafted ? 1 : 0);
      for (let i = 0; i < decided; i++) {
        const bin = ENTROPY_EDGES.findIndex((edge, j) => round.entropies[i]! >= edge && round.entropies[i]! < ENTROPY_EDGES[j + 1]!);
        if (bin < 0) continue;
        this.bins[bin]!.drafted++;
        if (i < round.accepted) this.bins[bin]!.accepted++;
      }
    }
    if (this.lambdas.length > this.maxRounds) this.lambdas.splice(0, this.lambdas.length - this.maxRounds);
  }

  clear(): void {
    this.entries.length = 0;
    this.lambdas.length = 0;
    this.lengths.length = 0;
    for (const bin of this.bins) bin.drafted = bin.accepted = 0;
  }

  get size(): number {
    return this.entries.length;
  }

  /**
   * The session's estimated speed-up after each completion: target-only time at the measured
   * single-token latency over the time taken, both summed so far (one short completion on its own
   * says little).
   */
  speedups(): Array<{x: number; y: number}> {
    let targetOnlyMs = 0;
    let takenMs = 0;
    const points: Array<{x: number; y: number}> = [];
    this.entries.forEach((e, i) => {
      if (!(e.decodeMs > 0) || !Number.isFinite(e.targetTokenMs)) return;
      targetOnlyMs += e.tokens * e.targetTokenMs;
      takenMs += e.decodeMs;
      points.push({x: i + 1, y: targetOnlyMs / takenMs});
    });
    return points;
  }

  acceptanceBins(): AcceptanceBin[] {
    return this.bins.map((b, i) => ({temperature: 0, series: "this session", lo: ENTROPY_EDGES[i]!, hi: ENTROPY_EDGES[i + 1]!, ...b}));
  }

  draftLengths(label: string): DraftLengthCounts {
    return {label, counts: Array.from(this.lengths, c => c ?? 0)};
  }

  lambdaTrace(): number[] {
    return [...this.lambdas];
  }
}
