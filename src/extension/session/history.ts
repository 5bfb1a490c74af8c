// A bounded record of this session's completions, for the stats panel's live plots.
import type {GenerationSummary} from "../../protocol";
import {DraftLengthCounts, DraftLengthHistogram} from "../../engine/stats/draftLengthHistogram";
import {AcceptanceBin, EntropyAcceptance} from "../../engine/stats/entropyBins";
import {speedup} from "../../engine/stats/figures";

interface Entry {
  at: number;
  tokens: number;
  decodeMs: number;
  targetTokenMs: number;
}

export class SessionHistory {
  private readonly entries: Entry[] = [];
  private readonly lambdas: number[] = [];
  private lengths = new DraftLengthHistogram();
  private acceptance = new EntropyAcceptance();

  constructor(private readonly maxEntries = 500, private readonly maxRounds = 5000) {}

  add(summary: Pick<GenerationSummary, "totals" | "rounds" | "targetTokenMs">): void {
    this.entries.push({at: Date.now(), tokens: summary.totals.tokens, decodeMs: summary.totals.decodeMs, targetTokenMs: summary.targetTokenMs});
    if (this.entries.length > this.maxEntries) this.entries.shift();
    for (const round of summary.rounds) {
      if (round.lambda !== undefined) this.lambdas.push(round.lambda);
      this.lengths.add(round);
      this.acceptance.add(round);
    }
    if (this.lambdas.length > this.maxRounds) this.lambdas.splice(0, this.lambdas.length - this.maxRounds);
  }

  clear(): void {
    this.entries.length = 0;
    this.lambdas.length = 0;
    this.lengths = new DraftLengthHistogram();
    this.acceptance = new EntropyAcceptance();
  }

  get size(): number {
    return this.entries.length;
  }

  /**
   * The session's estimated speed-up after each completion: target-only time (tokens × what one
   * target token cost when the completion ended) over the time taken, both summed so far (one
   * short completion on its own says little).
   */
  speedups(): Array<{x: number; y: number}> {
    let targetOnlyMs = 0;
    let takenMs = 0;
    const points: Array<{x: number; y: number}> = [];
    this.entries.forEach((e, i) => {
      if (!(e.decodeMs > 0) || !Number.isFinite(e.targetTokenMs)) return;
      targetOnlyMs += e.tokens * e.targetTokenMs;
      takenMs += e.decodeMs;
      points.push({x: i + 1, y: speedup(targetOnlyMs, takenMs)});
    });
    return points;
  }

  acceptanceBins(): AcceptanceBin[] {
    return this.acceptance.bins().map(bin => ({temperature: 0, series: "this session", ...bin}));
  }

  draftLengths(label: string): DraftLengthCounts {
    return {label, counts: this.lengths.counts()};
  }

  lambdaTrace(): number[] {
    return [...this.lambdas];
  }
}
