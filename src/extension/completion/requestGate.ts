// At most one generation in flight, and only the newest request matters: the engine has one
// context and can run one generation at a time, and a completion for an older cursor position is
// stale once the user has typed on.
//
// run(task) aborts the signal of the request before it (started or still waiting), waits for the
// gate's lock (engine/lock.ts) until that one has settled, and starts the task only if no newer
// request arrived meanwhile: a superseded waiter leaves the lock's queue at once. A
// request that was superseded, or whose own signal aborted, resolves to undefined, whether it
// had started or not, and its errors are swallowed (they are most likely the AbortError it
// was asked for). Errors of a request that is still current reach the caller.
import {AbortableLock} from "../../engine/lock";

export interface RequestGateCounters {
  /** Tasks running now: never more than 1. */
  inFlight: number;
  peakInFlight: number;
  /** Tasks started. */
  started: number;
  /** Requests a newer request replaced, before or after they started. */
  superseded: number;
}

export interface RunOptions {
  /** The caller's own cancellation (e.g. the provider's CancellationToken). */
  signal?: AbortSignal;
}

export class RequestGate {
  private readonly counts: RequestGateCounters = {inFlight: 0, peakInFlight: 0, started: 0, superseded: 0};
  private latest: AbortController | undefined;
  private readonly lock = new AbortableLock();

  get counters(): Readonly<RequestGateCounters> {
    return {...this.counts};
  }

  async run<T>(task: (signal: AbortSignal) => Promise<T>, options: RunOptions = {}): Promise<T | undefined> {
    const controller = new AbortController();
    if (this.latest && !this.latest.signal.aborted) {
      this.counts.superseded++;
      this.latest.abort(new DOMException("superseded by a newer request", "AbortError"));
    }
    this.latest = controller;
    const unlink = link(options.signal, controller);

    let release: (() => void) | undefined;
    try {
      release = await this.lock.acquire(controller.signal).catch(() => undefined);
      if (!release || controller.signal.aborted) return undefined;
      this.counts.started++;
      this.counts.peakInFlight = Math.max(this.counts.peakInFlight, ++this.counts.inFlight);
      try {
        const result = await task(controller.signal);
        return controller.signal.aborted ? undefined : result;
      } catch (error) {
        if (controller.signal.aborted) return undefined;
        throw error;
      } finally {
        this.counts.inFlight--;
      }
    } finally {
      if (this.latest === controller) this.latest = undefined;
      unlink();
      release?.();
    }
  }

  /** Aborts the current request, if any; the next run starts once it has settled. */
  cancel(): void {
    this.latest?.abort(new DOMException("cancelled", "AbortError"));
  }
}

function link(outer: AbortSignal | undefined, controller: AbortController): () => void {
  if (!outer) return () => {};
  if (outer.aborted) {
    controller.abort(outer.reason);
    return () => {};
  }
  const onAbort = () => controller.abort(outer.reason);
  outer.addEventListener("abort", onAbort, {once: true});
  return () => outer.removeEventListener("abort", onAbort);
}
