import assert from "node:assert/strict";
import {GAIN_WEIGHT, PRIOR_GAIN_VARIANCE, SpeculationGain} from "../../src/engine/drafting/speculationGain";

describe("speculation gain", () => {
  it("does not read one round as certainty: a first draft rejected leaves the bound above break-even", () => {
    const gain = new SpeculationGain();
    gain.observe(1, 1.09); // one drafted token, rejected, on a curve where C_t(2) + C_d = 1.09
    assert.ok(Math.abs(gain.value() - 1 / 1.09) < 1e-12);
    assert.ok(gain.upper() > 1.5, `upper ${gain.upper()} after one round`);
  });

  it("still rules speculation out after a handful of rounds that all lost", () => {
    const gain = new SpeculationGain();
    let rounds = 0;
    do (gain.observe(1, 1.6), rounds++); while (gain.upper() > 1.02 && rounds < 100);
    assert.ok(rounds >= 3 && rounds <= 8, `bound below break-even after ${rounds} losing rounds`);
  });

  it("narrows its bound as rounds come in, to the weighted mean's steady standard error", () => {
    const gain = new SpeculationGain();
    const widths: number[] = [];
    for (let round = 0; round < 200; round++) {
      gain.observe(round % 2 === 0 ? 1 : 2, 1.2); // per-round gains 0.83 and 1.67
      widths.push(gain.upper() - gain.value());
    }
    assert.ok(widths[19]! < widths[0]! / 2, `width ${widths[19]} after 20 rounds, ${widths[0]} after one`);
    // Per-round gains ±0.42 around 1.25: variance about 0.17; steady spread w / (2 − w).
    const steady = 2 * Math.sqrt(0.17 * GAIN_WEIGHT / (2 - GAIN_WEIGHT));
    assert.ok(Math.abs(widths.at(-1)! - steady) < 0.03, `steady width ${widths.at(-1)} against ${steady}`);
    assert.ok(widths.at(-1)! < 0.12, "a long record bounds the gain within about 0.1");
  });

  it("discounted, moves as a record of that many rounds does: the next round weighs 1/(R + 1)", () => {
    const gain = new SpeculationGain();
    for (let round = 0; round < 300; round++) gain.observe(1, 1.1);
    const steady = gain.upper() - gain.value();
    gain.discount(8);
    assert.equal(gain.roundsHeld, 8);
    gain.observe(2, 1.1); // tokens move 1/9 of the way from 1 to 2, time stays at 1.1
    assert.ok(Math.abs(gain.value() - (1 + 1 / 9) / 1.1) < 1e-9, `${gain.value()}`);
    assert.ok(gain.upper() - gain.value() > steady, "a record worth fewer rounds is less sure");
    gain.discount(20);
    assert.equal(gain.roundsHeld, 9, "a discount never adds rounds");
  });

  it("keeps what it holds across a save: the spread round-trips, a state without one is read as many rounds", () => {
    const gain = new SpeculationGain();
    gain.observe(2, 1.2);
    gain.observe(1, 1.2);
    const state = gain.state()!;
    // Plain averages while few rounds are in: the second round counts as much as the first.
    assert.equal(state.spread, 0.5);
    assert.equal(state.rounds, 2);
    assert.ok(Math.abs(gain.value() - 1.5 / 1.2) < 1e-12);
    assert.equal(new SpeculationGain(undefined, state).upper(), gain.upper());
    const floor = GAIN_WEIGHT / (2 - GAIN_WEIGHT);
    const old = new SpeculationGain(undefined, {tokens: 1, time: 1.5, variance: 0.04});
    assert.ok(Math.abs(old.upper() - (1 / 1.5 + 2 * Math.sqrt(0.04 * floor))) < 1e-12);
    for (const spread of [2, -1, NaN, 0]) {
      const bad = new SpeculationGain(undefined, {tokens: 1, time: 1.5, variance: 0.04, spread});
      assert.equal(bad.upper(), old.upper(), `spread ${spread} is not a spread`);
    }
    const noVariance = new SpeculationGain(undefined, {tokens: 1, time: 1.5});
    assert.ok(Math.abs(noVariance.upper() - (1 / 1.5 + 2 * Math.sqrt(PRIOR_GAIN_VARIANCE * floor))) < 1e-12);
  });
});
