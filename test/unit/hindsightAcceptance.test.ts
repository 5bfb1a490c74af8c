// The policy replay's hindsight acceptance map: what the traces show by entropy bin, and a bin no
// position fell in read as its nearest filled one.
import assert from "node:assert/strict";
import {binOf} from "../../src/engine/drafting/acceptanceMap";
import {hindsightAcceptance} from "../../src/lab/bench/policyReplay";

describe("the replay's hindsight acceptance map", () => {
  it("reads each bin's share of matching positions, the nearest filled bin's where none fell, within (0, 1)", () => {
    // Bins of 0.01, 1.2 and 5 nats: 3 of 4 match at 0.01, 1 of 2 at 1.2, none of 2 at 5.
    const map = hindsightAcceptance([
      {matches: [true, true, false, true], entropies: [0.01, 0.01, 0.01, 0.01]},
      {matches: [true, false, false, false], entropies: [1.2, 1.2, 5, 5]}
    ]);
    assert.equal(map.optimistic(0.02), 0.75);
    assert.equal(map.optimistic(1.3), 0.5);
    assert.equal(map.optimistic(7), 0.001, "never certain: the floor");
    assert.equal(binOf(0.2), 2);
    assert.equal(map.optimistic(0.2), 0.75, "bin 2 is empty: nearest is bin 0 (two away) rather than bin 6 (four away)");
    assert.equal(map.optimistic(2.5), 0.001, "bin 8 is empty: bin 9 is nearer than bin 6");
    assert.equal(map.best(), 0.75);
    assert.throws(() => hindsightAcceptance([{matches: [], entropies: []}]), /no positions/);
  });
});
