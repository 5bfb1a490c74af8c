// Snooze: no completions for a while (5, 15, 60 minutes) or until resumed, then they come back by
// themselves. The clock and the timer are injected so the timing is tested without waiting.

/** Longest timed snooze; beyond it "until resumed" says what is meant. */
export const MAX_SNOOZE_MINUTES = 24 * 60;

/** The durations the status-bar menu offers. */
export const SNOOZE_CHOICES_MINUTES = [5, 15, 60] as const;

export type SnoozeState =
  | {snoozed: false}
  /** `until`: Date.now() when it ends; undefined when it lasts until resumed. */
  | {snoozed: true; until: number | undefined};

export interface SnoozeClock {
  /** Milliseconds since the epoch (Date.now()). */
  now(): number;
  /** Calls callback after ms; the returned function cancels it. */
  setTimer(callback: () => void, ms: number): () => void;
}

export const SYSTEM_CLOCK: SnoozeClock = {
  now: () => Date.now(),
  setTimer: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  }
};

/** A snooze duration that is not a positive number of minutes up to MAX_SNOOZE_MINUTES. */
export class SnoozeDurationError extends RangeError {
  constructor(readonly minutes: unknown) {
    super(`Draftstop: cannot snooze for ${JSON.stringify(minutes) ?? String(minutes)} minutes; ` +
      `give a number of minutes > 0 and ≤ ${MAX_SNOOZE_MINUTES}, or "untilResumed".`);
    this.name = "SnoozeDurationError";
  }
}

export class Snooze {
  private until: number | undefined;
  private active = false;
  private cancelTimer: (() => void) | undefined;
  private readonly listeners = new Set<(state: SnoozeState) => void>();

  constructor(private readonly clock: SnoozeClock = SYSTEM_CLOCK) {}

  get state(): SnoozeState {
    if (!this.active) return {snoozed: false};
    // A timer that fires late must not leave completions off past the end.
    if (this.until !== undefined && this.clock.now() >= this.until) {
      this.end();
      return {snoozed: false};
    }
    return {snoozed: true, until: this.until};
  }

  get snoozed(): boolean {
    return this.state.snoozed;
  }

  /** Snoozes for `minutes` from now (replacing any snooze in effect). */
  snoozeFor(minutes: number): SnoozeState {
    if (typeof minutes !== "number" || !Number.isFinite(minutes) || minutes <= 0 || minutes > MAX_SNOOZE_MINUTES)
      throw new SnoozeDurationError(minutes);
    const ms = minutes * 60_000;
    this.start(this.clock.now() + ms);
    this.cancelTimer = this.clock.setTimer(() => this.end(), ms);
    return this.changed();
  }

  snoozeUntilResumed(): SnoozeState {
    this.start(undefined);
    return this.changed();
  }

  /** Ends the snooze now (nothing happens when none is in effect). */
  resume(): SnoozeState {
    if (this.active) this.end();
    return this.state;
  }

  onDidChange(listener: (state: SnoozeState) => void): {dispose(): void} {
    this.listeners.add(listener);
    return {dispose: () => this.listeners.delete(listener)};
  }

  dispose(): void {
    this.cancelTimer?.();
    this.listeners.clear();
  }

  private start(until: number | undefined): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.active = true;
    this.until = until;
  }

  private end(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.active = false;
    this.until = undefined;
    this.changed();
  }

  private changed(): SnoozeState {
    const state: SnoozeState = this.active ? {snoozed: true, until: this.until} : {snoozed: false};
    for (const listener of [...this.listeners]) listener(state);
    return state;
  }
}
