import assert from "node:assert/strict";
import {ADAPTIVE_DEBOUNCE_DEFAULTS, AdaptiveDebounce, wait} from "../../../src/extension/completion/adaptiveDebounce";

/** A debounce on a clock the test moves: type(100, 100) = two keystrokes 100 ms apart each. */
function fakeTyping(options = {}) {
  options = {minMs: 30, maxMs: 300, ...options}; // the adaptive wait, as a user who turns it on sets it
  let now = 1_000;
  const debounce = new AdaptiveDebounce(options, () => now);
  debounce.recordKeystroke();
  return {
    debounce,
    type(...gaps: number[]) {
      for (const gap of gaps) {
        now += gap;
        debounce.recordKeystroke();
      }
    }
  };
}

describe("AdaptiveDebounce", () => {
  it("uses the initial delay before any interval is known", () => {
    const {debounce} = fakeTyping();
    assert.equal(debounce.typicalIntervalMs(), undefined);
    assert.equal(debounce.delayMs(), ADAPTIVE_DEBOUNCE_DEFAULTS.initialMs);
  });

  it("waits factor × the median interval", () => {
    const {debounce, type} = fakeTyping();
    type(100, 100, 100);
    assert.equal(debounce.delayMs(), 120);
    type(200, 200, 200, 200);
    assert.equal(debounce.typicalIntervalMs(), 200);
    assert.equal(debounce.delayMs(), 240);
  });

  it("waits for nothing by default, however the user types", () => {
    let now = 0;
    const debounce = new AdaptiveDebounce({}, () => now);
    assert.equal(debounce.delayMs(), 0);
    for (const gap of [150, 150, 150]) {
      now += gap;
      debounce.recordKeystroke();
    }
    assert.equal(debounce.typicalIntervalMs(), 150);
    assert.equal(debounce.delayMs(), 0);
  });

  it("clamps to minMs and maxMs", () => {
    const fast = fakeTyping();
    fast.type(5, 5, 5);
    assert.equal(fast.debounce.delayMs(), 30);
    const slow = fakeTyping();
    slow.type(1_500, 1_500);
    assert.equal(slow.debounce.delayMs(), 300);
  });

  it("ignores pauses longer than pauseMs", () => {
    const {debounce, type} = fakeTyping();
    type(100, 5_000, 2_500);
    assert.equal(debounce.typicalIntervalMs(), 100);
    assert.equal(debounce.delayMs(), 120);
  });

  it("shrugs off a single outlier (median) and forgets old intervals (window)", () => {
    const {debounce, type} = fakeTyping({window: 4});
    type(100, 100, 1_900, 100);
    assert.equal(debounce.typicalIntervalMs(), 100);
    type(50, 50, 50, 50);
    assert.equal(debounce.typicalIntervalMs(), 50);
  });

  it("averages the middle pair for an even count", () => {
    const {debounce, type} = fakeTyping();
    type(100, 200);
    assert.equal(debounce.typicalIntervalMs(), 150);
  });

  it("starts over after reset", () => {
    const {debounce, type} = fakeTyping();
    type(50, 50);
    debounce.reset();
    assert.equal(debounce.delayMs(), 120);
  });

  it("rejects inconsistent options", () => {
    assert.throws(() => new AdaptiveDebounce({minMs: 400, maxMs: 300}), RangeError);
    assert.throws(() => new AdaptiveDebounce({window: 0}), RangeError);
  });
});

describe("wait", () => {
  it("resolves true after the delay", async () => {
    // Due 1 ms before the wait's end: Node runs it first however late the timers run.
    let almost = false;
    setTimeout(() => (almost = true), 19); // an order of timers, not a speed (above)
    assert.equal(await wait(20, new AbortController().signal), true);
    assert.equal(almost, true, "not before the delay");
  });

  it("resolves false at once when already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    assert.equal(await wait(10_000, controller.signal), false);
  });

  it("resolves false as soon as the signal aborts", async () => {
    const controller = new AbortController();
    // Node runs due timers in the order they fall due, however late, and the promise reactions
    // of each before the next: these tell "at the abort" from "at the delay's end" on any machine.
    let delayOver = false;
    const end = setTimeout(() => (delayOver = true), 5_000); // marks the delay's end
    setTimeout(() => controller.abort(), 10); // falls due first, however late timers run
    const result = await wait(5_000, controller.signal);
    clearTimeout(end);
    assert.equal(result, false);
    assert.equal(delayOver, false, "resolved at the abort, not at the delay's end");
  });

  it("an abort after the delay changes nothing", async () => {
    const controller = new AbortController();
    assert.equal(await wait(1, controller.signal), true);
    controller.abort();
  });
});
