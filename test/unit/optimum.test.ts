// The cost-aware optimum at T = 0 against an exhaustive search. The search enumerates every valid
// schedule of small generations and charges each with its own implementation of the round rules,
// so the dynamic program, its tie-breaking and scheduleCost are all checked against code that
// shares nothing with them.
import assert from "node:assert/strict";
import {afterRound, optimalPlan, optimalSchedule, RoundCosts, scheduleCost} from "../../src/lab/bench/optimum";
import {seededRandom} from "./seededRandom";

interface Found {
  minMs: number;
  count: number;
}

/** Every valid schedule from the start, each charged independently; calls `visit` on each. */
function enumerate(matches: readonly boolean[], costs: RoundCosts, maxDraft: number,
  visit: (schedule: number[], ms: number) => void): Found {
  const n = matches.length;
  let minMs = Infinity;
  let count = 0;
  const schedule: number[] = [];
  const walk = (position: number, pending: number, ms: number) => {
    if (position === n) {
      count++;
      minMs = Math.min(minMs, ms);
      visit(schedule, ms);
      return;
    }
    const remaining = n - position;
    for (let k = 0; k <= Math.min(maxDraft, remaining - 1); k++) {
      schedule.push(k);
      if (k === 0) {
        walk(position + 1, pending + 1, ms + costs.targetPassMs(1));
      } else {
        let accepted = 0;
        while (accepted < k && matches[position + accepted]) accepted++;
        let roundMs = costs.draftPassMs(pending) + costs.targetPassMs(k + 1);
        for (let d = 1; d < k; d++) roundMs += costs.draftPassMs(1);
        roundMs += k * costs.bookkeepingMs;
        walk(position + accepted + 1, accepted === k ? 2 : 1, ms + roundMs);
      }
      schedule.pop();
    }
  };
  walk(0, 1, 0);
  return {minMs, count};
}

const shapes: Record<string, RoundCosts> = {
  "flat target, cheap draft": {targetPassMs: n => 20 + 0.5 * (n - 1), draftPassMs: w => 1 + 0.2 * (w - 1), bookkeepingMs: 0},
  "steep target": {targetPassMs: n => 10 + 9 * (n - 1), draftPassMs: w => 2 + 0.5 * (w - 1), bookkeepingMs: 0},
  "draft as dear as the target": {targetPassMs: n => 10 + 2 * (n - 1), draftPassMs: w => 12 + 3 * (w - 1), bookkeepingMs: 0},
  "nonzero bookkeeping": {targetPassMs: n => 15 + 1.5 * (n - 1), draftPassMs: w => 1.5 + 1.1 * (w - 1), bookkeepingMs: 0.7},
  "wide catch-up passes": {targetPassMs: n => 12 + 0.3 * (n - 1) ** 2, draftPassMs: w => 0.8 * w * w, bookkeepingMs: 0.25},
};

describe("cost-aware optimum at T = 0", () => {
  it("matches an exhaustive search over every schedule of small generations", () => {
    const random = seededRandom(0x5eed);
    let cases = 0;
    for (const [shape, costs] of Object.entries(shapes)) {
      for (let n = 0; n <= 8; n++) {
        for (let maxDraft = 0; maxDraft <= 4; maxDraft++) {
          for (let trial = 0; trial < 6; trial++) {
            const matchRate = [0.2, 0.5, 0.8, 0.95, 0.5, 0.7][trial];
            const matches = Array.from({length: n}, () => random() < matchRate);
            const label = `${shape}, maxDraft ${maxDraft}, matches ${matches.map(m => (m ? 1 : 0)).join("")}`;
            const optimum = optimalSchedule(matches, costs, maxDraft);
            const found = enumerate(matches, costs, maxDraft, (schedule, ms) => {
              if (trial === 0) assert.ok(Math.abs(scheduleCost(matches, costs, schedule) - ms) < 1e-9, `${label}: [${schedule}]`);
            });
            assert.ok(found.count >= 1);
            assert.ok(Math.abs(optimum.totalMs - found.minMs) < 1e-9, `${label}: ${optimum.totalMs} vs ${found.minMs}`);
            assert.ok(Math.abs(scheduleCost(matches, costs, optimum.draftLengths) - optimum.totalMs) < 1e-9, label);
            assert.equal(optimum.rounds, optimum.draftLengths.length);
            assert.ok(optimum.draftLengths.every(k => k <= maxDraft), label);
            cases++;
          }
        }
      }
    }
    assert.equal(cases, 5 * 9 * 5 * 6);
  });

  it("breaks ties towards the smaller k, round by round", () => {
    // Free drafting and a flat target: every schedule with the fewest rounds costs the same.
    const free: RoundCosts = {targetPassMs: () => 10, draftPassMs: () => 0, bookkeepingMs: 0};
    const matches = [true, true, true, true, true, true, true];
    const random = seededRandom(7);
    for (let trial = 0; trial < 20; trial++) {
      const m = matches.map(() => random() < 0.7);
      const optimum = optimalSchedule(m, free, 4);
      let lexicographicFirst: number[] | undefined;
      const found = enumerate(m, free, 4, (schedule, ms) => {
        if (Math.abs(ms - optimum.totalMs) < 1e-9 && lexicographicFirst === undefined) lexicographicFirst = [...schedule];
      });
      assert.ok(Math.abs(found.minMs - optimum.totalMs) < 1e-9);
      // The search tries k in increasing order, so its first optimal schedule is the smallest-k one.
      assert.deepEqual(optimum.draftLengths, lexicographicFirst);
    }
  });

  it("drafts maxDraft-long rounds when every draft matches and drafting is cheap", () => {
    const costs: RoundCosts = {targetPassMs: () => 10, draftPassMs: w => 1 + 0.5 * (w - 1), bookkeepingMs: 0};
    const optimum = optimalSchedule(Array(15).fill(true), costs, 4);
    assert.deepEqual(optimum.draftLengths, [4, 4, 4]);
    // Round 1 catches up on 1 token (1 ms), the next two on 2 (1.5 ms); each drafts 3 more at 1 ms.
    assert.equal(optimum.totalMs, (1 + 3 + 10) + 2 * (1.5 + 3 + 10));
    assert.equal(optimum.rounds, 3);
  });

  it("never drafts when no draft matches and drafting costs anything", () => {
    const costs: RoundCosts = {targetPassMs: n => 10 + (n - 1), draftPassMs: () => 0.01, bookkeepingMs: 0};
    const optimum = optimalSchedule(Array(6).fill(false), costs, 4);
    assert.deepEqual(optimum.draftLengths, [0, 0, 0, 0, 0, 0]);
    assert.equal(optimum.totalMs, 60);
    const onlyBookkeeping: RoundCosts = {targetPassMs: () => 10, draftPassMs: () => 0, bookkeepingMs: 0.1};
    assert.deepEqual(optimalSchedule(Array(5).fill(false), onlyBookkeeping, 3).draftLengths, [0, 0, 0, 0, 0]);
  });

  it("drafts a doomed round to keep the draft caught up when wide catch-up passes are dear", () => {
    // The draft at position 1 matches; at 0 and 2 it does not. Flat target: 10 ms a pass.
    const matches = [false, true, false];
    const cheapCatchUp: RoundCosts = {targetPassMs: () => 10, draftPassMs: () => 1, bookkeepingMs: 0};
    // Skip round 1 (10), then draft 1 with 2 tokens pending (1 + 10): 21. Drafting in round 1 too costs 22.
    assert.deepEqual(optimalSchedule(matches, cheapCatchUp, 2).draftLengths, [0, 1]);
    assert.equal(optimalSchedule(matches, cheapCatchUp, 2).totalMs, 21);
    const dearCatchUp: RoundCosts = {targetPassMs: () => 10, draftPassMs: w => 1 + 12 * (w - 1), bookkeepingMs: 0};
    // Now [0, 1] pays a 13 ms catch-up pass: 10 + 13 + 10 = 33; target only: 30; a rejected one-token
    // draft first keeps the draft one behind: (1 + 10) + (1 + 10) = 22.
    assert.equal(scheduleCost(matches, dearCatchUp, [0, 1]), 33);
    assert.equal(scheduleCost(matches, dearCatchUp, [0, 0, 0]), 30);
    const optimum = optimalSchedule(matches, dearCatchUp, 2);
    assert.deepEqual(optimum.draftLengths, [1, 1]);
    assert.equal(optimum.totalMs, 22);
  });

  it("gives an empty schedule for an empty continuation", () => {
    const costs: RoundCosts = {targetPassMs: () => 10, draftPassMs: () => 1, bookkeepingMs: 0};
    assert.deepEqual(optimalSchedule([], costs, 16), {draftLengths: [], totalMs: 0, rounds: 0});
    assert.equal(scheduleCost([], costs, []), 0);
  });

  it("is fast for long generations", () => {
    const random = seededRandom(42);
    const matches = Array.from({length: 256}, () => random() < 0.8);
    const costs: RoundCosts = {targetPassMs: n => 20 + 0.8 * (n - 1), draftPassMs: w => 1 + 0.1 * (w - 1), bookkeepingMs: 0.05};
    const started = performance.now();
    const optimum = optimalSchedule(matches, costs, 16);
    assert.ok(performance.now() - started < 1000);
    assert.equal(scheduleCost(matches, costs, optimum.draftLengths), optimum.totalMs);
    assert.ok(optimum.draftLengths.every(k => k <= 16));
  });

  it("rejects a bad maxDraft or cost, naming the value", () => {
    const good: RoundCosts = {targetPassMs: () => 10, draftPassMs: () => 1, bookkeepingMs: 0};
    for (const maxDraft of [-1, 1.5, Number.NaN, Infinity]) {
      assert.throws(() => optimalSchedule([true], good, maxDraft), (e: unknown) =>
        e instanceof RangeError && e.message.includes("maxDraft") && e.message.includes(String(maxDraft)));
    }
    assert.throws(() => optimalSchedule([true, true], {...good, bookkeepingMs: -1}, 2), /RangeError: bookkeepingMs .*-1/);
    assert.throws(() => optimalSchedule([true, true], {...good, targetPassMs: () => Number.NaN}, 2), /RangeError: targetPassMs\(\d+\) .*NaN/);
    // Costs are checked as the search reaches them: width 2 is first needed at position 1.
    assert.doesNotThrow(() => optimalSchedule([true, true], {...good, draftPassMs: w => (w === 2 ? -3 : 1)}, 2));
    assert.throws(() => optimalSchedule([true, true, true], {...good, draftPassMs: w => (w === 2 ? -3 : 1)}, 2), /RangeError: draftPassMs\(2\) .*-3/);
    assert.throws(() => scheduleCost([true], {...good, targetPassMs: () => Infinity}, [0]), /RangeError: targetPassMs\(1\) .*Infinity/);
  });

  it("rejects a schedule that drafts past the end or does not emit exactly the continuation", () => {
    const costs: RoundCosts = {targetPassMs: () => 10, draftPassMs: () => 1, bookkeepingMs: 0};
    const matches = [true, true, false, true];
    // Round 2 starts at position 3 with 1 token left: it may not draft.
    assert.throws(() => scheduleCost(matches, costs, [2, 1]), /RangeError: round 2 \(draftLengths\[1\] = 1\)/);
    assert.throws(() => scheduleCost(matches, costs, [4]), /RangeError: round 1 .*0\.\.3/);
    assert.throws(() => scheduleCost(matches, costs, [0, -1]), /RangeError: round 2/);
    assert.throws(() => scheduleCost(matches, costs, [1.5]), /RangeError: round 1/);
    assert.throws(() => scheduleCost(matches, costs, [2]), /RangeError: .*short of the 4 tokens/);
    assert.throws(() => scheduleCost(matches, costs, [2, 0, 0]), /RangeError: round 3 .*after all 4 tokens/);
    assert.equal(scheduleCost(matches, costs, [2, 0]), (1 + 1 + 10) + 10);
  });

  it("gives the optimal k from any state, the schedule's own along its path", () => {
    const matches = [true, true, false, true, true, true, false, false, true, true, true, true];
    const costs = {targetPassMs: (n: number) => 10 + n, draftPassMs: (w: number) => 1 + 0.1 * w, bookkeepingMs: 0.2};
    const {schedule, draftAt} = optimalPlan(matches, costs, 4);
    assert.deepEqual(schedule, optimalSchedule(matches, costs, 4));
    let at = {position: 0, pending: 1};
    for (const k of schedule.draftLengths) {
      assert.equal(draftAt(at.position, at.pending), k, `at ${at.position} with ${at.pending} pending`);
      let run = 0;
      while (run < k && matches[at.position + run]) run++;
      at = afterRound(at, k, run);
    }
    assert.equal(draftAt(matches.length, 1), 0, "nothing left to emit");
    // Off the path: the rest of the text from position 3, where three matches follow, as if it were the start.
    assert.equal(draftAt(3, 1), optimalSchedule(matches.slice(3), costs, 4).draftLengths[0]);
  });
});
