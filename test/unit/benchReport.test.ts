import assert from "node:assert/strict";
import {BENCH_COLUMNS, benchCells, benchTable} from "../../src/benchmark/report";
import type {BenchResult, PolicyRun} from "../../src/benchmark/runner";

const run = (over: Partial<PolicyRun>): PolicyRun => ({
  policy: "adaedl", params: {}, label: "adaedl", temperature: 0, tokensPerSecond: 41.26, speedup: 1.234, acceptanceRate: 0.826,
  meanDraftLength: 4.216, tokensPerRound: 2.5, targetPassesPerToken: 0.4, draftPassesPerToken: 1.6875, draftingMs: 80, verifyingMs: 20,
  entropyMs: 1, spread: {min: 1.1, max: 1.3}, repeats: 3, tokens: 144, ...over
});

describe("benchmark report", () => {
  it("formats a run's figures once, for the table and the panel", () => {
    assert.equal(BENCH_COLUMNS.length, benchCells(run({})).length);
    assert.deepEqual(benchCells(run({})), ["0", "adaedl", "41.3", "1.23×", "1.10–1.30", "83 %", "4.22", "2.50", "0.400", "1.688"]);
    const off = benchCells(run({policy: "off", label: "off", speedup: 1, acceptanceRate: 0, meanDraftLength: 0}));
    assert.equal(off[5], "", "no acceptance for target-only");
    const peer = benchCells(run({policy: "nlcDraftPredictor", label: "nlcDraftPredictor", meanDraftLength: NaN, tokensPerRound: NaN,
      speedup: NaN, spread: {min: NaN, max: NaN}}));
    assert.deepEqual([peer[3], peer[4], peer[6], peer[7]], ["–×", "–––", "–", "–"]);
  });

  it("adds the entropy share of drafting time to the printed table", () => {
    const result = {runs: [run({}), run({label: "x", draftingMs: 0})]} as unknown as BenchResult;
    const lines = benchTable(result, "heading").split("\n");
    assert.match(lines[2]!, /entropy\/draft time$/);
    assert.match(lines[4]!, /1\.688 {2}\s*1\.3 %$/, "1 ms of 80 ms");
    assert.match(lines[5]!, /1\.688 {2}\s*$/, "no drafting time, no share");
  });
});
