import assert from "node:assert/strict";
import {ESTIMATORS, JudgedToken, RecordingPolicy, score} from "../../src/lab/cli/acceptanceSignals";

describe("acceptance signals (src/lab/cli/acceptanceSignals.ts)", () => {
  it("records judged tokens only: those up to a round's first rejection", () => {
    const policy = new RecordingPolicy();
    policy.startTask(0, 3);
    for (let index = 1; index <= 4; index++) policy.shouldDraft({index, entropy: index / 10, topProbability: 1 - index / 10, position: index});
    policy.update(4, 1);
    assert.deepEqual(policy.judged.map(t => [t.index, t.accepted, t.task]), [[1, true, 3], [2, false, 3]]);
  });

  it("scores an informative signal below the base rate, and an uninformative one not", () => {
    // Low entropy with a high top probability is accepted 90 % of the time, high entropy 10 %.
    const tokens: JudgedToken[] = [];
    for (let task = 0; task < 40; task++)
      for (let i = 0; i < 20; i++) {
        const sure = i % 2 === 0;
        tokens.push({temperature: 0, task, index: 1, entropy: sure ? 0.02 : 2.5, topProbability: sure ? 0.97 : 0.3, accepted: sure ? i % 20 !== 0 : i % 10 === 1});
      }
    const base = score(tokens, ESTIMATORS["base rate"]!).logLoss;
    for (const name of ["entropy (the map's bins)", "top probability (11 bins)", "entropy × top probability"])
      assert.ok(score(tokens, ESTIMATORS[name]!).logLoss < base * 0.7, `${name} beats the base rate`);
    const noise = tokens.map((t, i) => ({...t, entropy: (i * 7919) % 3, topProbability: ((i * 104729) % 100) / 100}));
    assert.ok(score(noise, ESTIMATORS["entropy (the map's bins)"]!).logLoss > base * 0.97, "a signal unrelated to acceptance does not");
  });
});
