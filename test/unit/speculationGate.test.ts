// The speculation gate's way back in: a drafter a stretch of bad luck stopped comes back within a
// few explorations once its rounds pay again when its gain record is discounted on the way out,
// and only after about a thousand rounds when it is not.
import assert from "node:assert/strict";
import {SpeculationGain} from "../../src/engine/drafting/speculationGain";
import {SpeculationGate} from "../../src/engine/drafting/speculationGate";

/** Rounds from the drafter's stop until it runs by its gain again; it pays 1.33 a round before and after a losing stretch. */
function roundsBackIn(exitDiscount: number | undefined): {rounds: number; explorations: number} {
  const gate = new SpeculationGate({margin: 0.02, exploreEvery: 32, exploreAtMost: 256, ...(exitDiscount === undefined ? {} : {exitDiscount})});
  const gain = new SpeculationGain();
  const round = (tokens: number) => {
    const ran = gate.decide(gain);
    if (ran) gain.observe(tokens, 1.5);
    gate.ended(ran);
    gate.backOff(gate.explores, gain);
    return ran;
  };
  for (let i = 0; i < 300; i++) round(2);
  assert.ok(gate.earnedIn, "a paying drafter earns its way in");
  let losing = 0;
  while (gate.earnedIn && losing < 200) (round(1), losing++);
  assert.ok(!gate.earnedIn && losing > 5, `a losing stretch stops it (after ${losing} rounds)`);
  let rounds = 0, explorations = 0;
  while (!gate.earnedIn && rounds < 5000) {
    if (round(2)) explorations++;
    rounds++;
  }
  return {rounds, explorations};
}

describe("the speculation gate", () => {
  it("lets a drafter back in within a few explorations when its gain record is discounted as it stops", () => {
    const discounted = roundsBackIn(8), kept = roundsBackIn(undefined);
    assert.ok(discounted.explorations <= 5 && discounted.rounds <= 5 * 32, `discounted: back after ${JSON.stringify(discounted)}`);
    assert.ok(kept.explorations >= 8 && kept.rounds >= 8 * 32, `undiscounted: back after ${JSON.stringify(kept)}`);
  });
});
