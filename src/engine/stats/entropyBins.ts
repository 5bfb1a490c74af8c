// Acceptance by draft entropy in fixed bins: the edges calibration's acceptance map shares, the counts
// the benchmark, the stats panel and the plots carry, and the counter that fills them from rounds.
import type {RoundRecord} from "./roundRecord";

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
