// What a saved load-time measurement must be to be used again (loadTimeCosts.ts): whole, finite,
// positive, and at most ten minutes old; JSON's nulls for sizes that were not timed read as gaps.
import assert from "node:assert/strict";
import {costConditionsKey, LOAD_TIME_COSTS_REUSE_MS, reusableLoadTimeCosts} from "../../src/engine/drafting/loadTimeCosts";

const NOW = Date.parse("2026-12-06T18:00:00Z");
const saved = (overrides: Record<string, unknown> = {}, table: Record<string, unknown> = {}) => JSON.parse(JSON.stringify({
  table: {targetMs: [20, 30, undefined, 41], draftMs: 2, contextLength: 128, ...table},
  ms: 900, passes: [{tokens: 1, timed: 9}], measuredAt: new Date(NOW - 60_000).toISOString(), ...overrides
}));

describe("reusing a load-time measurement", () => {
  it("reads a recent, whole one back, a size not timed as a gap", () => {
    const costs = reusableLoadTimeCosts(saved(), NOW);
    assert.deepEqual(costs?.table, {targetMs: [20, 30, undefined, 41], draftMs: 2, contextLength: 128});
    assert.equal(costs?.ms, 900);
  });

  it("refuses one too old, from the future, or of another shape", () => {
    assert.equal(reusableLoadTimeCosts(saved({measuredAt: new Date(NOW - LOAD_TIME_COSTS_REUSE_MS - 1).toISOString()}), NOW), undefined);
    assert.equal(reusableLoadTimeCosts(saved({measuredAt: new Date(NOW + 60_000).toISOString()}), NOW), undefined);
    assert.equal(reusableLoadTimeCosts(saved({measuredAt: "yesterday"}), NOW), undefined);
    assert.equal(reusableLoadTimeCosts(saved({}, {targetMs: [0, 30]}), NOW), undefined, "a pass of 0 ms");
    assert.equal(reusableLoadTimeCosts(saved({}, {targetMs: [null, 30]}), NOW), undefined, "no single-token pass");
    assert.equal(reusableLoadTimeCosts(saved({}, {targetMs: [20, "30"]}), NOW), undefined);
    assert.equal(reusableLoadTimeCosts(saved({}, {draftMs: -1}), NOW), undefined);
    assert.equal(reusableLoadTimeCosts(saved({ms: "fast"}), NOW), undefined);
    assert.equal(reusableLoadTimeCosts(null, NOW), undefined);
    assert.equal(reusableLoadTimeCosts("costs", NOW), undefined);
  });

  it("keys the conditions by every setting that changes a pass's cost", () => {
    const base = {threads: 1, contextSize: 2048, batchSize: 64, flashAttention: false, kvCacheType: "F16", device: "cpu"};
    const keys = new Set([base, {...base, threads: 2}, {...base, contextSize: 1024}, {...base, batchSize: undefined}, {...base, flashAttention: true},
      {...base, kvCacheType: "F32"}, {...base, device: "cuda"}].map(costConditionsKey));
    assert.equal(keys.size, 7);
    assert.equal(costConditionsKey({...base}), costConditionsKey(base));
  });
});
