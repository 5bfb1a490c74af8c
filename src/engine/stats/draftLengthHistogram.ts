// Rounds by draft length, for the benchmark, the stats panel and the plots.
import type {RoundRecord} from "./roundRecord";

/** Rounds by draft length (index k: rounds that drafted k tokens) for one policy. */
export interface DraftLengthCounts {
  label: string;
  counts: readonly number[];
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
