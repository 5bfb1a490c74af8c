// How long to wait after a keystroke before generating: a little longer than the user's usual gap
// between keystrokes, so a fast typist's burst triggers no generation until they pause, and a slow
// typist is not kept waiting by a fixed delay tuned for fast ones.
//
// Off by default (minMs = maxMs = 0): a keystroke's generation starts at once and the next
// keystroke cancels it within one model pass, so the last keystroke of a burst waits for nothing.
// Waiting saves the CPU a burst spends on generations it cancels, at the price of the wait itself
// on every completion (1.2 × 200 ms for a typist at 200 ms a key). docs/benchmarks.md measures it.
//
// delay = clamp(factor × median of the last `window` keystroke intervals, minMs, maxMs);
// initialMs until the first interval is known. Gaps longer than pauseMs are the user stopping to
// think, not their typing speed, and are not recorded.
import {median} from "../../engine/stats/median";

export interface AdaptiveDebounceOptions {
  /** Shortest delay. Default 0 ms. */
  minMs: number;
  /** Longest delay. Default 0 ms: no wait (raise it, to 300 say, to wait for a pause in typing). */
  maxMs: number;
  /** Delay as a multiple of the typical interval. Default 1.2. */
  factor: number;
  /** Delay before any interval has been measured. Default 120 ms. */
  initialMs: number;
  /** Intervals longer than this are pauses and ignored. Default 2000 ms. */
  pauseMs: number;
  /** Intervals the median is taken over; a median shrugs off the odd slow or doubled keystroke. Default 8. */
  window: number;
}

export const ADAPTIVE_DEBOUNCE_DEFAULTS: AdaptiveDebounceOptions = {
  minMs: 0,
  maxMs: 0,
  factor: 1.2,
  initialMs: 120,
  pauseMs: 2000,
  window: 8
};

/** Milliseconds from any fixed origin; performance.now by default. */
export type Clock = () => number;

export class AdaptiveDebounce {
  readonly options: Readonly<AdaptiveDebounceOptions>;
  private readonly intervals: number[] = [];
  private lastKeystroke: number | undefined;

  constructor(options: Partial<AdaptiveDebounceOptions> = {}, private readonly clock: Clock = () => performance.now()) {
    const o = {...ADAPTIVE_DEBOUNCE_DEFAULTS, ...options};
    if (!(o.minMs >= 0 && o.maxMs >= o.minMs && o.factor > 0 && o.initialMs >= 0 && o.pauseMs > 0 && Number.isInteger(o.window) && o.window >= 1))
      throw new RangeError(`invalid adaptive debounce options: ${JSON.stringify(o)}`);
    this.options = Object.freeze(o);
  }

  /** Call on every edit the user makes in the document. */
  recordKeystroke(): void {
    const now = this.clock();
    if (this.lastKeystroke !== undefined) {
      const interval = now - this.lastKeystroke;
      if (interval >= 0 && interval <= this.options.pauseMs) {
        this.intervals.push(interval);
        if (this.intervals.length > this.options.window) this.intervals.shift();
      }
    }
    this.lastKeystroke = now;
  }

  /** Median of the recorded intervals; undefined before the first. */
  typicalIntervalMs(): number | undefined {
    return this.intervals.length === 0 ? undefined : median(this.intervals);
  }

  delayMs(): number {
    const typical = this.typicalIntervalMs();
    const {minMs, maxMs, factor, initialMs} = this.options;
    const delay = typical === undefined ? initialMs : factor * typical;
    return Math.min(maxMs, Math.max(minMs, delay));
  }

  reset(): void {
    this.intervals.length = 0;
    this.lastKeystroke = undefined;
  }
}

/** Resolves true after delayMs, or false as soon as the signal aborts (at once if it already has). */
export function wait(delayMs: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise(resolve => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, Math.max(0, delayMs));
    signal.addEventListener("abort", onAbort, {once: true});
  });
}
