import assert from "node:assert/strict";
import {addRound, emptyTotals, LatencyTracker, median, RoundRecord, summarize} from "../../src/engine/stats";

const round = (drafted: number, accepted: number, totalMs: number): RoundRecord => ({
  index: 0, drafted, accepted, emitted: accepted + 1, tokens: [], entropies: [], draftPasses: drafted, draftMs: totalMs / 2,
  verifyMs: totalMs / 2, entropyMs: 0, totalMs, contextLength: 10
});

describe("statistics", () => {
  it("aggregates rounds into the figures the UI shows", () => {
    const totals = emptyTotals();
    addRound(totals, round(4, 3, 10));
    addRound(totals, round(2, 0, 5));
    addRound(totals, round(0, 0, 1));
    const s = summarize(totals, 4);
    assert.equal(s.tokens, 6);
    assert.equal(s.rounds, 3);
    assert.equal(s.acceptanceRate, 3 / 6);
    assert.equal(s.meanDraftLength, 2);
    assert.equal(s.tokensPerRound, 2);
    assert.equal(s.targetPassesPerToken, 0.5);
    assert.equal(s.draftPassesPerToken, 1);
    assert.equal(s.tokensPerSecond, 6 * 1000 / 16);
    assert.equal(s.estimatedSpeedup, 6 * 4 / 16, "target-only would take 6 × 4 ms; it took 16 ms");
  });

  it("reports zeros and NaN, not errors, before any round", () => {
    const s = summarize(emptyTotals(), Number.NaN);
    assert.equal(s.tokensPerSecond, 0);
    assert.equal(s.acceptanceRate, 0);
    assert.ok(Number.isNaN(s.estimatedSpeedup));
  });

  it("estimates latency from samples at a similar context length", () => {
    const tracker = new LatencyTracker(8);
    assert.ok(Number.isNaN(tracker.estimate(100)));
    tracker.record(100, 1);
    tracker.record(110, 3);
    tracker.record(1000, 10);
    assert.equal(tracker.estimate(105), 2);
    assert.equal(tracker.estimate(1000), 10);
    assert.equal(tracker.estimate(5000), 3, "nothing near: median of all");
    for (let i = 0; i < 10; i++) tracker.record(1000, 20);
    assert.equal(tracker.size, 8, "bounded");
    assert.equal(tracker.estimate(100), 20, "old samples fell out");
    tracker.record(1, Number.NaN);
    assert.equal(tracker.size, 8, "NaN ignored");
  });

  it("median", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });
});
