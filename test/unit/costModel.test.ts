import assert from "node:assert/strict";
import {completeCurve, CostModel} from "../../src/engine/drafting/costModel";
import {RollingMedian} from "../../src/engine/drafting/rollingMedian";

/** A CPU-like curve: C_t(n) = 20 + 10·(n − 1) ms. */
const cpu = (n: number) => 20 + 10 * (n - 1);

function calibrated(): CostModel {
  return new CostModel({targetMs: [cpu(1), cpu(2), cpu(3), undefined, cpu(5), undefined, undefined, undefined, cpu(9)], draftMs: 2, contextLength: 128},
    {maxPassTokens: 9});
}

describe("rolling median", () => {
  it("is the median of the latest samples only", () => {
    const window = new RollingMedian(3);
    assert.ok(Number.isNaN(window.median()));
    for (const x of [5, 1, 9]) window.push(x);
    assert.equal(window.median(), 5);
    window.push(2); // 5 is the oldest left: [1, 9, 2]
    assert.equal(window.median(), 2);
    assert.deepEqual(window.values(), [1, 9, 2]);
    window.push(Number.NaN);
    assert.deepEqual(window.values(), [1, 9, 2], "non-finite samples are dropped");
  });
});

describe("cost model", () => {
  it("fills unmeasured pass sizes by interpolation and extrapolates the last step", () => {
    assert.deepEqual(completeCurve([10, undefined, 30], 5), [10, 20, 30, 40, 50]);
    assert.deepEqual(completeCurve([10], 3), [10, 10, 10]);
    assert.throws(() => completeCurve([undefined, 20], 2), /needs at least C_t\(1\)/);
  });

  it("starts from the calibration: C_t(n), C_d and their ratios", () => {
    const model = calibrated();
    for (const n of [1, 2, 3, 4, 5, 7, 9]) assert.ok(Math.abs(model.targetMs(n) - cpu(n)) < 1e-9, `C_t(${n})`);
    assert.equal(model.targetMs(11), cpu(11), "past the covered range the last step repeats");
    assert.equal(model.draftMs(), 2);
    const ratios = model.ratios();
    assert.ok(Math.abs(ratios.target[1]! - 1.5) < 1e-9 && Math.abs(ratios.draft - 0.1) < 1e-9);
  });

  it("ignores a single outlier (a GC pause) completely", () => {
    const model = calibrated();
    const feed = (rounds: number) => {
      for (let r = 0; r < rounds; r++) {
        const n = 1 + (r % 3);
        model.observeTargetPass(n, cpu(n));
        model.observeDraftPass(2);
      }
    };
    feed(40);
    const before = [1, 2, 3, 5, 9].map(n => model.targetMs(n));
    model.observeTargetPass(2, 500); // 16× the pass's cost
    model.observeDraftPass(80);
    assert.deepEqual([1, 2, 3, 5, 9].map(n => model.targetMs(n)), before);
    assert.equal(model.draftMs(), 2);
    feed(3);
    assert.deepEqual([1, 2, 3, 5, 9].map(n => model.targetMs(n)), before);
  });

  it("follows a sustained slowdown within 50 rounds, for pass sizes no round used too", () => {
    const model = calibrated();
    let followedAt = -1;
    for (let round = 0; round < 50; round++) {
      const n = round % 4 === 0 ? 1 : 3; // what a round mixes: target-only rounds and 2-token drafts
      model.observeTargetPass(n, 2 * cpu(n) * (1 + 0.05 * Math.sin(round)));
      model.observeDraftPass(4);
      const close = [1, 3, 5, 9].every(m => Math.abs(model.targetMs(m) / (2 * cpu(m)) - 1) < 0.1);
      if (close && followedAt < 0) followedAt = round;
    }
    assert.ok(followedAt >= 0 && followedAt < 50, `C_t(n) doubled everywhere within 50 rounds (at round ${followedAt})`);
    assert.ok(followedAt >= 3, "a few rounds are not enough to move it: it is not fooled by a short burst");
    assert.equal(model.draftMs(), 4);
    // The shape stayed: C_t(9)/C_t(1) is still the calibrated 4.2 within 10 %.
    assert.ok(Math.abs(model.ratios().target[8]! / (cpu(9) / cpu(1)) - 1) < 0.1);
  });

  it("never lets a bigger pass look cheaper than a smaller one", () => {
    const model = new CostModel({targetMs: [20, 30, 25], contextLength: 128}, {maxPassTokens: 3});
    assert.ok(model.targetMs(3) >= model.targetMs(2));
  });
});
