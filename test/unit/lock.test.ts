import assert from "node:assert/strict";
// Holders that take a while, so that others queue; no test judges how long anything took.
import {setTimeout as sleep} from "node:timers/promises";
import {AbortableLock, isAbortError} from "../../src/engine/lock";

describe("AbortableLock", () => {
  it("hands the lock over in the order it was asked for", async () => {
    const lock = new AbortableLock();
    const order: number[] = [];
    await Promise.all([3, 1, 2].map((ms, i) => lock.run(async () => {
      order.push(i);
      await sleep(ms);
      order.push(i);
    })));
    assert.deepEqual(order, [0, 0, 1, 1, 2, 2], "never two holders at once, first come first served");
    assert.equal(lock.locked, false);
  });

  it("rejects a waiter at once when its signal fires, without running it, and serves the next one", async () => {
    const lock = new AbortableLock();
    const release = await lock.acquire();
    const controller = new AbortController();
    let ran = false;
    const cancelled = lock.run(async () => (ran = true), controller.signal);
    const next = lock.run(async () => "next");
    assert.equal(lock.waiting, 2);
    controller.abort();
    // The holder releases only further down: a rejection that waited for the lock would never come
    // (mocha's timeout fails that).
    await assert.rejects(cancelled, (error: unknown) => isAbortError(error));
    assert.equal(lock.waiting, 1, "the cancelled waiter left the queue");
    assert.equal(lock.locked, true, "rejected while the holder still holds the lock");
    release();
    assert.equal(await next, "next");
    assert.equal(ran, false);
  });

  it("rejects an already aborted signal without queueing, with the signal's reason", async () => {
    const lock = new AbortableLock();
    const reason = new DOMException("superseded", "AbortError");
    await assert.rejects(lock.acquire(AbortSignal.abort(reason)), (error: unknown) => error === reason);
    assert.equal(lock.locked, false);
    assert.equal(lock.waiting, 0);
  });

  it("ignores a second release and releases after a task that threw", async () => {
    const lock = new AbortableLock();
    const first = await lock.acquire();
    const second = lock.acquire();
    const third = lock.acquire();
    first();
    first(); // must not hand the lock to `third` as well
    const releaseSecond = await second;
    const state = await Promise.race([third.then(() => "granted"), sleep(20, "waiting")]);
    assert.equal(state, "waiting");
    releaseSecond();
    (await third)();
    await assert.rejects(lock.run(async () => {
      throw new Error("boom");
    }), /boom/);
    assert.equal(lock.locked, false, "a failed task still releases");
  });
});
