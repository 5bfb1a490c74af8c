// The replay's robustness figure: a policy's geometric mean over the profiles against the one
// static K with the best geometric mean, computed here by hand.
import assert from "node:assert/strict";
import {robustnessFigures} from "../../src/lab/cli/replay";

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
