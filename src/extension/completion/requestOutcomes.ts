// The outcomes of this session's requests: a count per reason (the statistics panel's table) and
// the latest ones (the status bar's tooltip). Listeners hear of each outcome as it is recorded.
import {isGenerated, REASON_LABELS, REQUEST_REASONS, RequestOutcome, RequestReason} from "./requestOutcome";

export interface ReasonCount {
  reason: RequestReason;
  label: string;
  count: number;
  /** Of these, the requests asked while the suggest widget was open. */
  withSuggestWidget: number;
}

/** What extra context cost over the session's generated requests that carried some. */
export interface ExtraContextTotals {
  requests: number;
  /** Requests whose chunks were all in the KV cache already. */
  reused: number;
  tokens: number;
  evaluated: number;
  prefillMs: number;
}

const noExtraContext = (): ExtraContextTotals => ({requests: 0, reused: 0, tokens: 0, evaluated: 0, prefillMs: 0});

export class RequestOutcomes {
  private context = noExtraContext();
  private readonly counts = new Map<RequestReason, number>();
  private readonly widgetCounts = new Map<RequestReason, number>();
  private readonly listeners = new Set<(outcome: RequestOutcome) => void>();
  /** The latest request's outcome, whatever it was. */
  last: RequestOutcome | undefined;
  /** The latest request that ran the model or was served what it wrote. */
  lastGenerated: RequestOutcome | undefined;

  record(outcome: RequestOutcome): void {
    this.counts.set(outcome.reason, this.count(outcome.reason) + 1);
    if (outcome.withSuggestWidget) this.widgetCounts.set(outcome.reason, (this.widgetCounts.get(outcome.reason) ?? 0) + 1);
    this.last = outcome;
    if (isGenerated(outcome)) this.lastGenerated = outcome;
    const extra = outcome.extraContext;
    if (extra) {
      this.context.requests++;
      if (extra.evaluated === 0) this.context.reused++;
      this.context.tokens += extra.tokens;
      this.context.evaluated += extra.evaluated;
      this.context.prefillMs += extra.prefillMs;
    }
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
    return REQUEST_REASONS.map(reason => ({reason, label: REASON_LABELS[reason], count: this.count(reason), withSuggestWidget: this.widgetCounts.get(reason) ?? 0}));
  }

  get extraContext(): ExtraContextTotals {
    return {...this.context};
  }

  clear(): void {
    this.counts.clear();
    this.widgetCounts.clear();
    this.context = noExtraContext();
    this.last = undefined;
    this.lastGenerated = undefined;
  }

  /** Calls listener after each recorded outcome; returns the unsubscribe. */
  onDidRecord(listener: (outcome: RequestOutcome) => void): {dispose(): void} {
    this.listeners.add(listener);
    return {dispose: () => this.listeners.delete(listener)};
  }
}
