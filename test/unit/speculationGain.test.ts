import assert from "node:assert/strict";
import {PRIOR_GAIN_VARIANCE, SpeculationGain} from "../../src/engine/calibration/speculationGain";

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
    // Per-round gains ±0.42 around 1.25: variance about 0.17; steady spread 0.125 / 1.875.
    const steady = 2 * Math.sqrt(0.17 * 0.125 / 1.875);
    assert.ok(Math.abs(widths.at(-1)! - steady) < 0.03, `steady width ${widths.at(-1)} against ${steady}`);
  });

  it("keeps what it holds across a save: the spread round-trips, a state without one is read as many rounds", () => {
    const gain = new SpeculationGain();
    gain.observe(2, 1.2);
    gain.observe(1, 1.2);
    const state = gain.state()!;
    assert.ok(state.spread! < 1 && state.spread! > 0.5, `spread ${state.spread} after two rounds`);
    assert.equal(new SpeculationGain(undefined, state).upper(), gain.upper());
    const floor = 0.125 / 1.875;
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
