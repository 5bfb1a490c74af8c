import assert from "node:assert/strict";
// Generations that take a while, so that newer requests overlap them; no test judges how long anything took.
import {setTimeout as sleep} from "node:timers/promises";
import {RequestGate} from "../../../src/extension/completion/requestGate";

/** A generation that takes `ms` unless aborted, like the engine (which stops within a round). */
function generation<T>(value: T, ms: number) {
  return async (signal: AbortSignal): Promise<T> => {
    await sleep(ms, undefined, {signal});
    return value;
  };
}

describe("RequestGate", () => {
  it("requests made in the same tick: only the last starts", async () => {
    const gate = new RequestGate();
    let starts = 0;
    const task = async () => ++starts;
    assert.deepEqual(await Promise.all([gate.run(task), gate.run(task), gate.run(task)]), [undefined, undefined, 1]);
  });

  it("runs a lone request and returns its result", async () => {
    const gate = new RequestGate();
    assert.equal(await gate.run(generation("done", 5)), "done");
    assert.deepEqual(gate.counters, {inFlight: 0, peakInFlight: 1, started: 1, superseded: 0});
  });

  it("aborts the running request when a newer one arrives, and starts the newer one after it", async () => {
    const gate = new RequestGate();
    const events: string[] = [];
    const first = gate.run(async signal => {
      events.push("first started");
      await new Promise(resolve => signal.addEventListener("abort", resolve));
      await sleep(10); // winding down after the abort
      events.push("first settled");
      return "first";
    });
    await sleep(1);
    const second = gate.run(async () => {
      events.push("second started");
      return "second";
    });
    assert.equal(await first, undefined);
    assert.equal(await second, "second");
    assert.deepEqual(events, ["first started", "first settled", "second started"]);
  });

  it("a request superseded while waiting never starts", async () => {
    const gate = new RequestGate();
    let starts = 0;
    const task = async (signal: AbortSignal) => {
      starts++;
      await sleep(20, undefined, {signal});
      return starts;
    };
    const first = gate.run(task);
    await sleep(1);
    const results = await Promise.all([first, gate.run(task), gate.run(task)]);
    // The second waited for the first and was superseded by the third before its turn came.
    assert.deepEqual(results, [undefined, undefined, 2]);
    assert.equal(starts, 2);
    assert.equal(gate.counters.superseded, 2);
  });

  it("storm of 200 requests 1 ms apart: one in flight, only the last produces a result", async function () {
    this.timeout(20_000);
    const gate = new RequestGate();
    let concurrent = 0;
    let peak = 0;
    const runs: Array<Promise<number | undefined>> = [];
    for (let i = 0; i < 200; i++) {
      runs.push(gate.run(async signal => {
        peak = Math.max(peak, ++concurrent);
        try {
          // Ignores the abort for a while, like a generation finishing its current round.
          await sleep(10);
          await sleep(300, undefined, {signal});
          return i;
        } finally {
          concurrent--;
        }
      }));
      await sleep(1);
    }
    const results = await Promise.all(runs);
    assert.deepEqual(results.filter(r => r !== undefined), [199]);
    assert.equal(peak, 1);
    assert.equal(gate.counters.peakInFlight, 1);
    assert.equal(gate.counters.inFlight, 0);
    assert.equal(gate.counters.superseded, 199);
    assert.ok(gate.counters.started < 200, `started ${gate.counters.started}: waiting requests should be skipped`);
  });

  it("discards the result of a superseded task that ignored the abort", async () => {
    const gate = new RequestGate();
    const stale = gate.run(async () => {
      await sleep(10);
      return "stale";
    });
    const fresh = gate.run(generation("fresh", 1));
    assert.equal(await stale, undefined);
    assert.equal(await fresh, "fresh");
  });

  it("passes on errors of the current request, swallows those of superseded ones", async () => {
    const gate = new RequestGate();
    await assert.rejects(gate.run(async () => {
      throw new Error("model crashed");
    }), /model crashed/);
    const superseded = gate.run(async signal => {
      await sleep(50, undefined, {signal}); // rejects with AbortError when aborted
      return 1;
    });
    const next = gate.run(generation(2, 1));
    assert.equal(await superseded, undefined);
    assert.equal(await next, 2);
  });

  it("honours the caller's own signal", async () => {
    const gate = new RequestGate();
    const aborted = new AbortController();
    aborted.abort();
    let ran = false;
    assert.equal(await gate.run(async () => (ran = true), {signal: aborted.signal}), undefined);
    assert.equal(ran, false);

    const caller = new AbortController();
    const running = gate.run(generation("late", 5_000), {signal: caller.signal});
    // Node runs due timers in the order they fall due, however late: the abort always comes first.
    setTimeout(() => caller.abort(), 5);
    assert.equal(await running, undefined);
    assert.equal(gate.counters.superseded, 0);
  });

  it("cancel aborts the current request", async () => {
    const gate = new RequestGate();
    const running = gate.run(generation("x", 5_000));
    await sleep(1);
    gate.cancel();
    assert.equal(await running, undefined);
    assert.equal(await gate.run(generation("after", 1)), "after");
  });
});
