// The replay's robustness figure: a policy's geometric mean over the profiles against the one
// static K with the best geometric mean, computed here by hand.
import assert from "node:assert/strict";
import {bootstrapSpread, robustnessFigures} from "../../src/lab/cli/replay";

describe("the replay's figure against the one static K", () => {
  it("divides each policy's geometric mean by the best static K's, chosen once for all profiles", () => {
    const statics = (k1: number, k2: number) => [k1, k2, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
    // K = 1: √(2·1) = 1.414; K = 2: √(1.5·1.5) = 1.5, the one K. Each profile's best K would give √(2·1.5).
    const figures = robustnessFigures([
      {statics: statics(2, 1.5), policies: {a: 2, b: 3}},
      {statics: statics(1, 1.5), policies: {a: 1.5, b: 0.75}}
    ]);
    assert.ok(Math.abs(figures.a! - Math.sqrt(3) / 1.5) < 1e-12);
    assert.ok(Math.abs(figures.b! - Math.sqrt(2.25) / 1.5) < 1e-12);
  });
});

describe("the replay's bootstrap over tasks", () => {
  const row = (policy: number) => ({statics: [1, 1, 1, 1, 1, 1, 1, 1], policies: {p: policy}});
  it("resamples the tasks with replacement and prints the 2.5 %, median and 97.5 % of each policy's figure", () => {
    const traces = [0, 1, 2, 3].map(i => ({matches: Array<boolean>(i + 1).fill(true), entropies: Array<number>(i + 1).fill(0)}));
    // The figure is the mean length of the resampled traces: 1 to 4, its median near 2.5.
    const spread = bootstrapSpread(traces, 400, resampled => [row(resampled.reduce((n, t) => n + t.matches.length, 0) / resampled.length)]);
    const [label, low, median, high] = spread.split(" ");
    assert.equal(label, "p");
    assert.ok(Number(low) >= 1 && Number(low) < Number(median) && Number(median) < Number(high) && Number(high) <= 4, spread);
    assert.ok(Math.abs(Number(median) - 2.5) <= 0.25, spread);
  });

  it("reads a sample that cannot move as no spread", () => {
    const same = {matches: [true], entropies: [0]};
    assert.equal(bootstrapSpread([same, same], 50, () => [row(1.2)]), "p 1.200 1.200 1.200");
  });
});
