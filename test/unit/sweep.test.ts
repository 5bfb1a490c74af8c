// The paper's comparison under cost profiles (src/lab/bench/sweep.ts): the verdicts per cell, the
// one static K chosen for every profile, and the figure.
import assert from "node:assert/strict";
import type {PolicyRun} from "../../src/benchmark/runner";
import {cellVerdict, geometricMean, robustness, SweepCell, sweepCell, sweepChart, sweepColumns} from "../../src/lab/bench/sweep";
import {renderSvg} from "../../src/extension/charts/render";
import {sweepTables} from "../../src/lab/cli/sweep";

const cell = (profile: string, draftCost: number, speedups: Record<string, number>): SweepCell =>
  ({pair: "tiny", tasks: "held-out", profile, draftCost, temperature: 0, speedups});

describe("the paper's comparison under cost profiles", () => {
  it("runs the paper's line-up: target-only, static K = 1..8, max-confidence, AdaEDL, cost-aware AdaEDL and the optimum", () => {
    assert.deepEqual(sweepColumns().map(c => c.label), ["off", ...[1, 2, 3, 4, 5, 6, 7, 8].map(k => `static(k=${k})`),
      "maxConfidence(pMin=0.6)", "adaedl", "costAware", "optimum(maxDraft=16)"]);
  });

  it("takes a cell's speed-ups from the mix at its temperature", () => {
    const run = (label: string, temperature: number, speedup: number, set?: "fim") => ({label, temperature, speedup, set} as PolicyRun);
    const made = sweepCell({pair: "p", tasks: "t", profile: "x", draftCost: 0.1}, [run("costAware", 0, 1.5), run("costAware", 1, 1.2), run("costAware", 0, 9, "fim")], 0);
    assert.deepEqual(made.speedups, {costAware: 1.5});
  });

  it("judges cost-aware AdaEDL against the optimum and against the profile's best static K", () => {
    const verdict = cellVerdict(cell("a", 0.1, {"static(k=1)": 1.2, "static(k=3)": 1.5, "static(k=8)": 0.9, costAware: 1.35, "optimum(maxDraft=16)": 1.8}));
    assert.deepEqual(verdict.bestStatic, {label: "static(k=3)", speedup: 1.5});
    assert.ok(Math.abs(verdict.ofOptimum - 0.75) < 1e-12 && Math.abs(verdict.ofBestStatic - 0.9) < 1e-12);
  });

  it("chooses one static K for every profile by the geometric mean, and sets cost-aware AdaEDL's mean beside it", () => {
    // K = 1 wins where drafting is dear, K = 4 where it is cheap; K = 2 is the best compromise.
    const cells = [
      cell("cheap", 0.01, {"static(k=1)": 1.4, "static(k=2)": 1.8, "static(k=4)": 2.4, costAware: 2.3}),
      cell("dear", 0.3, {"static(k=1)": 1.1, "static(k=2)": 1.0, "static(k=4)": 0.6, costAware: 1.1})
    ];
    const robust = robustness(cells);
    assert.equal(robust.staticLabel, "static(k=2)");
    assert.ok(Math.abs(robust.staticMean - Math.sqrt(1.8)) < 1e-12);
    assert.ok(Math.abs(robust.costAwareMean - Math.sqrt(2.3 * 1.1)) < 1e-12);
    assert.ok(Math.abs(robust.ratio - Math.sqrt(2.3 * 1.1 / 1.8)) < 1e-12);
    assert.ok(Number.isNaN(geometricMean([1, 0])) && Number.isNaN(geometricMean([])), "no mean over a zero or nothing");
    assert.equal(robustness([cell("k1 missing", 0.1, {"static(k=3)": 1.2, costAware: 1.3})]).staticLabel, "static(k=3)", "a K that did not run never wins");
  });

  it("prints a row per profile with the verdicts, and draws speed-up against C_d with a panel per curve", async () => {
    const cells = [0.01, 0.3].flatMap(cd => ["flat", "stepped"].map(curve => cell(`sweep-${curve}-cd${cd}`, cd,
      {"static(k=1)": 1.2, "static(k=2)": 1.3, adaedl: 1.1, costAware: 1.25 + cd, "optimum(maxDraft=16)": 1.6})));
    const table = sweepTables(cells, "test");
    assert.match(table, /tiny, held-out, T = 0:/);
    assert.match(table, /sweep-flat-cd0\.01 +0\.01 +1\.20 +1\.30/);
    assert.match(table, /one static K for every profile: K2, geometric mean 1\.30×/);
    const svg = await renderSvg(sweepChart(cells, profile => /^sweep-(flat|stepped)-/.exec(profile)?.[1]));
    for (const text of ["flat C_t(n)", "stepped C_t(n)", "C_d / C_t(1)", "costAware"]) assert.ok(svg.includes(text), text);
  });
});
