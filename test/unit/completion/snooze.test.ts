import assert from "node:assert/strict";
import {MAX_SNOOZE_MINUTES, Snooze, SnoozeClock, SnoozeDurationError, SnoozeState} from "../../../src/extension/completion/snooze";

/** A clock that moves only when told to, firing the timers that fall due on the way. */
class ManualClock implements SnoozeClock {
  private time = 1_000_000;
  private timers: Array<{at: number; callback: () => void; cancelled: boolean}> = [];

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, ms: number): () => void {
    const timer = {at: this.time + ms, callback, cancelled: false};
    this.timers.push(timer);
    return () => (timer.cancelled = true);
  }

  advance(ms: number): void {
    this.time += ms;
    for (const timer of this.timers.filter(t => !t.cancelled && t.at <= this.time)) {
      timer.cancelled = true;
      timer.callback();
    }
  }

  get pending(): number {
    return this.timers.filter(t => !t.cancelled).length;
  }
}

describe("snooze", () => {
  it("snoozes for the minutes asked and ends by itself, telling listeners both times", () => {
    const clock = new ManualClock();
    const snooze = new Snooze(clock);
    const heard: SnoozeState[] = [];
    snooze.onDidChange(state => heard.push(state));
    const start = clock.now();
    assert.deepEqual(snooze.snoozeFor(5), {snoozed: true, until: start + 5 * 60_000});
    clock.advance(5 * 60_000 - 1);
    assert.equal(snooze.snoozed, true, "still snoozed a millisecond before the end");
    clock.advance(1);
    assert.equal(snooze.snoozed, false, "over at the end");
    assert.deepEqual(heard, [{snoozed: true, until: start + 300_000}, {snoozed: false}]);
    assert.equal(clock.pending, 0);
  });

  it("ends at the end even when the timer has not fired yet (a late timer)", () => {
    let now = 0;
    const snooze = new Snooze({now: () => now, setTimer: () => () => {}});
    const heard: SnoozeState[] = [];
    snooze.onDidChange(state => heard.push(state));
    snooze.snoozeFor(1);
    now = 60_000;
    assert.equal(snooze.snoozed, false);
    assert.deepEqual(heard.at(-1), {snoozed: false}, "listeners hear the end");
  });

  it("a new snooze replaces the old one and its timer; resume ends it at once", () => {
    const clock = new ManualClock();
    const snooze = new Snooze(clock);
    snooze.snoozeFor(60);
    snooze.snoozeFor(5);
    assert.equal(clock.pending, 1, "the 60-minute timer is cancelled");
    clock.advance(5 * 60_000);
    assert.equal(snooze.snoozed, false, "the shorter snooze wins");
    snooze.snoozeFor(15);
    assert.deepEqual(snooze.resume(), {snoozed: false});
    assert.equal(clock.pending, 0);
  });

  it("snoozes until resumed, with no timer", () => {
    const clock = new ManualClock();
    const snooze = new Snooze(clock);
    assert.deepEqual(snooze.snoozeUntilResumed(), {snoozed: true, until: undefined});
    clock.advance(MAX_SNOOZE_MINUTES * 60_000 * 2);
    assert.equal(snooze.snoozed, true);
    snooze.resume();
    assert.equal(snooze.snoozed, false);
  });

  it("refuses durations that are not a positive number of minutes up to a day, saying what to give", () => {
    const snooze = new Snooze(new ManualClock());
    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY, MAX_SNOOZE_MINUTES + 1, "5" as unknown as number]) {
      assert.throws(() => snooze.snoozeFor(bad), (error: unknown) => error instanceof SnoozeDurationError &&
        /give a number of minutes > 0 and ≤ 1440, or "untilResumed"/.test(error.message), String(bad));
      assert.equal(snooze.snoozed, false, "a refused snooze leaves completions on");
    }
  });
});
