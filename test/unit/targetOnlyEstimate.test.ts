// The speed-up's baseline (targetOnlyEstimate.ts): rounds without drafts at their own time, drafted
// rounds' tokens at a target-only step's cost, scaled by how skewed recent steps were.
import assert from "node:assert/strict";
import {RollingMedian} from "../../src/engine/drafting/rollingMedian";
import {SKEW_MIN_STEPS, stepSkew, targetOnlyMs, targetOnlyStepMs} from "../../src/engine/stats/targetOnlyEstimate";

const round = (drafted: number, emitted: number, totalMs: number, draftMs = 0, entropyMs = 0) => ({drafted, emitted, totalMs, draftMs, entropyMs});

describe("the speed-up's baseline", () => {
  it("counts a round without drafts at its own time less drafting and deciding, and a drafted round's tokens at the step's cost", () => {
    assert.equal(targetOnlyStepMs(round(0, 1, 30, 4, 1)), 25);
    assert.equal(targetOnlyMs([round(0, 1, 48), round(0, 1, 22), round(3, 4, 60, 10, 2), round(0, 1, 30, 4, 1)], 20), 48 + 22 + 4 * 20 + 25);
  });

  it("reads target-only decoding as exactly what it took", () => {
    const rounds = [48, 21, 22, 37, 20].map(ms => round(0, 1, ms));
    assert.equal(targetOnlyMs(rounds, 1000), 148, "the per-token cost is never used without drafts");
  });

  it("scales by mean over median of recent steps, from enough of them, never below 1 or above 3", () => {
    const steps = new RollingMedian(63);
    for (let i = 0; i < SKEW_MIN_STEPS - 1; i++) steps.push(i === 0 ? 100 : 20);
    assert.equal(stepSkew(steps), 1, "too few steps");
    steps.push(20);
    assert.equal(stepSkew(steps), (100 + 7 * 20) / 8 / 20);
    const even = new RollingMedian(63);
    for (let i = 0; i < 10; i++) even.push(i % 2 ? 10 : 30);
    assert.ok(stepSkew(even) >= 1);
    const wild = new RollingMedian(63);
    for (let i = 0; i < 10; i++) wild.push(i < 4 ? 1000 : 1);
    assert.equal(stepSkew(wild), 3);
  });
});
