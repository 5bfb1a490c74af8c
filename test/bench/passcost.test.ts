import assert from "node:assert/strict";
import {join} from "node:path";
import {loadCalibrationReadings, loadCalibrationText, measureDraftPass, measuredProfile, measurePassCost, passCostTableText} from "../../src/lab/cli/passcost";
import {validateCostProfile} from "../../src/lab/bench/costProfiles";
import {timeTargetPasses} from "../../src/engine/decoding/passCost";
import {disposeModel, loadModelPair} from "../../src/engine/modelPair";

describe("passcost", function () {
  this.timeout(120_000);

  it("times passes over 1..N tokens on a real GGUF and prints C(n)/C(1)", async () => {
    const model = join(__dirname, "..", "..", "..", "media", "models", "tinypair", "target.gguf");
    const report = await measurePassCost({model, threads: 1, gpu: false, context: 64, repeats: 3, max: 9});
    assert.equal(report.ms.length, 9);
    assert.equal(report.ratio[0], 1);
    assert.ok(report.ms.every(ms => ms > 0));
    // The ratios are what was measured: on a loaded machine C(9)/C(1) has read 9.1 (issue 31), so
    // the test checks that they are ratios of those timings, not how fast this machine is.
    report.ms.forEach((ms, i) => assert.ok(Math.abs(report.ratio[i]! - ms / report.ms[0]!) < 1e-9, `C(${i + 1})/C(1)`));
    assert.equal(report.contextLength, 64);
    const table = passCostTableText(report);
    assert.match(table, /context 64, median of 3/);
    assert.equal(table.split("\n").length, 3 + 9);
  });

  it("writes a cost profile of this machine and pair: the measured curve made non-decreasing, and C_d/C_t(1)", async () => {
    const models = join(__dirname, "..", "..", "..", "media", "models", "tinypair");
    const report = await measurePassCost({model: join(models, "target.gguf"), threads: 1, gpu: false, context: 64, repeats: 3, max: 17});
    const draftMs = await measureDraftPass({model: join(models, "draft.gguf"), threads: 1, gpu: false, context: 64, repeats: 3});
    assert.ok(draftMs > 0);
    const noisy = {...report, ratio: report.ratio.map((r, i) => (i === 5 ? report.ratio[4]! - 0.01 : r))};
    const profile = measuredProfile("here-test", noisy, {model: "draft.gguf", ms: draftMs});
    assert.equal(profile.target[5], Math.max(...noisy.ratio.slice(0, 6)), "a dip is lifted to the dearest pass before it");
    assert.ok(profile.target.every((r, i, all) => i === 0 || r >= all[i - 1]!));
    assert.ok(Math.abs(profile.draft - draftMs / report.ms[0]!) < 1e-12 && profile.targetTokenMs === report.ms[0]);
    assert.deepEqual(validateCostProfile(JSON.parse(JSON.stringify(profile)), "written").target, profile.target, "the clock reads it back");
  });

  it("times each pass size as often as asked, and every size once however short the budget", async () => {
    const model = join(__dirname, "..", "..", "..", "media", "models", "tinypair", "target.gguf");
    const pair = await loadModelPair({targetPath: model, threads: 1, gpu: false, contextSize: 128});
    try {
      const {sequence, model: loaded} = pair.target;
      const tokens = loaded.tokenize("let x = 1;\n", false);
      await sequence.controlledEvaluate(Array.from({length: 32}, (_, i) => tokens[i % tokens.length]!));
      const counts = (samples: Map<number, number[]>) => [...samples].map(([n, ms]) => `${n}:${ms.length}`).join(" ");
      const uneven = await timeTargetPasses(sequence, {sizes: [1, 2, 3, 5, 9], repeats: n => (n <= 3 ? 5 : 2), tokens});
      assert.equal(counts(uneven.samples), "1:5 2:5 3:5 5:2 9:2");
      assert.equal(sequence.nextTokenIndex, 32, "every timed pass is erased again");
      const rushed = await timeTargetPasses(sequence, {sizes: [1, 2, 3, 5, 9], repeats: n => (n <= 3 ? 5 : 2), budgetMs: 0, tokens});
      assert.equal(counts(rushed.samples), "1:1 2:1 3:1 5:1 9:1");
    } finally {
      await disposeModel(pair.target);
    }
  });

  it("loads the model as the extension does, once per reading, and prints each load-time curve", async () => {
    const model = join(__dirname, "..", "..", "..", "media", "models", "tinypair", "target.gguf");
    const readings = await loadCalibrationReadings({model, threads: 1, gpu: false, loads: 2});
    assert.equal(readings.length, 2);
    for (const reading of readings) {
      assert.equal(reading.ratio.length, 17);
      assert.equal(reading.ratio[0], 1);
      assert.ok(reading.ratio.every((r, i, all) => i === 0 || r >= all[i - 1]!), "C(n)/C(1) never falls");
      assert.ok(reading.targetTokenMs > 0 && reading.calibrationMs > 0);
    }
    const lines = loadCalibrationText(readings).trim().split("\n");
    assert.equal(lines.length, 2 + 2);
    assert.match(lines[2]!, new RegExp(`^\\s+1\\s+${readings[0]!.ratio[1]!.toFixed(2)}\\s`));
  });
});
