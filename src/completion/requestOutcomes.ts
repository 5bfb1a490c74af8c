// The outcomes of this session's requests: a count per reason (the statistics panel's table) and
// the latest ones (the status bar's tooltip). Listeners hear of each outcome as it is recorded.
import {isGenerated, REASON_LABELS, REQUEST_REASONS, RequestOutcome, RequestReason} from "./requestOutcome";

export interface ReasonCount {
  reason: RequestReason;
  label: string;
  count: number;
}

export class RequestOutcomes {
  private readonly counts = new Map<RequestReason, number>();
  private readonly listeners = new Set<(outcome: RequestOutcome) => void>();
  /** The latest request's outcome, whatever it was. */
  last: RequestOutcome | undefined;
  /** The latest request that ran the model or was served what it wrote. */
  lastGenerated: RequestOutcome | undefined;

  record(outcome: RequestOutcome): void {
    this.counts.set(outcome.reason, this.count(outcome.reason) + 1);
    this.last = outcome;
    if (isGenerated(outcome)) this.lastGenerated = outcome;
    for (const listener of [...this.listeners]) listener(outcome);
  }

  count(reason: RequestReason): number {
    return this.counts.get(reason) ?? 0;
  }

  get total(): number {
    let total = 0;
    for (const count of this.counts.values()) total += count;
    return total;
  }

  /** Every reason in the panel's order, with its count (zeros included, so the table's rows stay put). */
  table(): ReasonCount[] {
    return REQUEST_REASONS.map(reason => ({reason, label: REASON_LABELS[reason], count: this.count(reason)}));
  }

  clear(): void {
    this.counts.clear();
    this.last = undefined;
    this.lastGenerated = undefined;
  }

  /** Calls listener after each recorded outcome; returns the unsubscribe. */
  onDidRecord(listener: (outcome: RequestOutcome) => void): {dispose(): void} {
    this.listeners.add(listener);
    return {dispose: () => this.listeners.delete(listener)};
  }
}
