// The shared process's turns (generationTurns.ts): generations share the cores by their threads, in
// the order they came, real requests before background work, nothing overtaking a waiting head.
import assert from "node:assert/strict";
import {GenerationTurns, TurnOptions} from "../../src/modelProcess/generationTurns";

/** A generation the test ends by hand; `started` says whether its turn came. */
function generation(turns: GenerationTurns, name: string, log: string[], options: TurnOptions = {}) {
  let finish!: () => void;
  const state = {started: false, done: undefined as unknown as Promise<void>, finish: () => finish()};
  state.done = turns.run(() => new Promise<void>(resolve => {
    state.started = true;
    log.push(name);
    finish = resolve;
  }), options);
  return state;
}

const settle = () => new Promise(resolve => setImmediate(resolve));

describe("the shared process's turns", () => {
  it("runs as many one-thread generations at once as there are cores, the next when one ends", async () => {
    const turns = new GenerationTurns(2), log: string[] = [];
    const [a, b, c] = ["a", "b", "c"].map(name => generation(turns, name, log));
    await settle();
    assert.deepEqual(log, ["a", "b"]);
    assert.equal(turns.queued, 3);
    b!.finish();
    await b!.done;
    await settle();
    assert.deepEqual(log, ["a", "b", "c"]);
    a!.finish();
    c!.finish();
    await Promise.all([a!.done, c!.done]);
    assert.equal(turns.queued, 0);
  });

  it("starts a waiting real request before background work that came earlier", async () => {
    const turns = new GenerationTurns(1), log: string[] = [];
    const first = generation(turns, "first", log);
    const prefetch = generation(turns, "prefetch", log, {background: true});
    const keystroke = generation(turns, "keystroke", log);
    await settle();
    first.finish();
    await first.done;
    await settle();
    assert.deepEqual(log, ["first", "keystroke"], "the keystroke went first");
    keystroke.finish();
    await keystroke.done;
    await settle();
    assert.deepEqual(log, ["first", "keystroke", "prefetch"]);
    prefetch.finish();
    await prefetch.done;
  });

  it("ends running background work when a real request waits for its cores, and never another real request", async () => {
    const turns = new GenerationTurns(1), log: string[] = [];
    const preempted = [] as string[];
    const prefetch = generation(turns, "prefetch", log, {background: true, preempt: () => {
      preempted.push("prefetch");
      prefetch.finish(); // the engine answers an aborted request within a round
    }});
    await settle();
    const another = generation(turns, "another prefetch", log, {background: true, preempt: () => preempted.push("another prefetch")});
    await settle();
    assert.equal(preempted.length, 0, "background work waits behind background work");
    const keystroke = generation(turns, "keystroke", log, {preempt: () => preempted.push("keystroke")});
    await prefetch.done;
    await settle();
    assert.deepEqual(preempted, ["prefetch"]);
    assert.deepEqual(log, ["prefetch", "keystroke"]);
    const second = generation(turns, "second keystroke", log);
    await settle();
    assert.deepEqual(preempted, ["prefetch"], "a real request is never ended for another");
    keystroke.finish();
    await keystroke.done;
    await settle();
    second.finish();
    await second.done;
    await settle();
    assert.deepEqual(log, ["prefetch", "keystroke", "second keystroke", "another prefetch"]);
    another.finish();
    await another.done;
  });

  it("lets nothing overtake a head waiting for more cores, and runs a generation wider than the machine alone", async () => {
    const turns = new GenerationTurns(2), log: string[] = [];
    const one = generation(turns, "one", log);
    const wide = generation(turns, "wide", log, {threads: 8});
    const small = generation(turns, "small", log);
    await settle();
    assert.deepEqual(log, ["one"], "the wide one waits for the machine, and the small one behind it");
    one.finish();
    await one.done;
    await settle();
    assert.deepEqual(log, ["one", "wide"]);
    wide.finish();
    await wide.done;
    await settle();
    assert.deepEqual(log, ["one", "wide", "small"]);
    small.finish();
    await small.done;
  });

  it("gives the turn on when a generation fails", async () => {
    const turns = new GenerationTurns(1), log: string[] = [];
    const failing = turns.run(async () => {
      throw new Error("model gone");
    });
    const after = generation(turns, "after", log);
    await assert.rejects(failing, /model gone/);
    await settle();
    assert.deepEqual(log, ["after"]);
    after.finish();
    await after.done;
  });
});
