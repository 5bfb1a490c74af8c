import assert from "node:assert/strict";
import {formatBytes} from "../../src/engine/formatBytes";
import {
  acceptanceRate, draftPassesPerToken, entropyShareOfDrafting, estimatedSpeedup, lookupShare, meanDraftLength, measuredSpeedup, speedup, summarize,
  targetPassesPerToken, tokensPerRound, tokensPerSecond
} from "../../src/engine/stats/figures";
import {median} from "../../src/engine/stats/median";
import {addRound, addTotals, emptyTotals, RoundRecord, StatsTotals, sumTotals} from "../../src/engine/stats/roundRecord";

const round = (drafted: number, accepted: number, totalMs: number): RoundRecord => ({
  index: 0, drafted, accepted, emitted: accepted + 1, tokens: [], entropies: [], draftPasses: drafted, draftMs: totalMs / 2,
  verifyMs: totalMs / 2, entropyMs: 0, totalMs, contextLength: 10
});

// Three rounds: 4 drafted / 3 accepted (4 tokens), 2 / 0 (1 token), 0 / 0 (1 token); 6 drafted, 3 accepted, 6 tokens, 16 ms.
function threeRounds(): StatsTotals {
  const totals = emptyTotals();
  addRound(totals, round(4, 3, 10));
  addRound(totals, round(2, 0, 5));
  addRound(totals, round(0, 0, 1));
  return totals;
}

describe("statistics", () => {
  it("adds rounds into totals", () => {
    assert.deepEqual(threeRounds(), {generations: 0, tokens: 6, rounds: 3, drafted: 6, accepted: 3, lookupRounds: 0, lookupDrafted: 0, lookupAccepted: 0,
      draftPasses: 6, decodeMs: 16, draftMs: 8, verifyMs: 8, entropyMs: 0, prefillMs: 0, targetOnlyMs: 0});
  });

  it("adds and sums totals, absent fields as 0", () => {
    const a = {...emptyTotals(), generations: 1, tokens: 10, rounds: 4, drafted: 8, accepted: 6, decodeMs: 20, prefillMs: 3};
    const into = {...a};
    assert.equal(addTotals(into, {tokens: 5, decodeMs: 7, drafted: 2, accepted: 1}), into);
    assert.deepEqual(into, {...a, tokens: 15, decodeMs: 27, drafted: 10, accepted: 7});
    assert.deepEqual(sumTotals([a, a, {rounds: 1}]), {...emptyTotals(), generations: 2, tokens: 20, rounds: 9, drafted: 16, accepted: 12,
      decodeMs: 40, prefillMs: 6});
    assert.deepEqual(sumTotals([]), emptyTotals());
  });

  it("one definition of each figure, by hand", () => {
    const t = threeRounds();
    assert.equal(tokensPerSecond(t), 375, "6 tokens in 16 ms");
    assert.equal(acceptanceRate(t), 0.5, "accepted / drafted = 3 / 6");
    assert.equal(meanDraftLength(t), 2, "drafted / rounds = 6 / 3");
    assert.equal(tokensPerRound(t), 2, "tokens / rounds = 6 / 3");
    assert.equal(targetPassesPerToken(t), 0.5, "rounds / tokens = 3 / 6");
    assert.equal(draftPassesPerToken(t), 1, "draft passes / tokens = 6 / 6");
    assert.equal(entropyShareOfDrafting({entropyMs: 1, draftMs: 8}), 0.125);
    assert.equal(speedup(30, 20), 1.5, "target-only time ÷ time taken");
    assert.equal(estimatedSpeedup(t, 4), 1.5, "target-only would take 6 × 4 ms; it took 16 ms");
    assert.equal(measuredSpeedup(t, {tokens: 6, decodeMs: 24}), 1.5, "375 tok/s ÷ 250 tok/s");
  });

  it("counts the rounds lookup drafted apart, and the share of accepted drafts it proposed", () => {
    const totals = threeRounds(); // model drafts: 6 drafted, 3 accepted
    addRound(totals, {...round(5, 4, 2), drafter: "lookup", draftPasses: 0});
    addRound(totals, {...round(3, 1, 2), drafter: "lookup", draftPasses: 0});
    addRound(totals, {...round(2, 2, 4), drafter: "model"});
    assert.deepEqual([totals.rounds, totals.drafted, totals.accepted], [6, 16, 10]);
    assert.deepEqual([totals.lookupRounds, totals.lookupDrafted, totals.lookupAccepted], [2, 8, 5]);
    assert.equal(lookupShare(totals), 0.5, "5 of the 10 accepted tokens came from lookup");
    assert.equal(summarize(totals, 4).lookupShare, 0.5);
    assert.equal(lookupShare(emptyTotals()), 0, "0 before any accepted draft, not NaN");
  });

  it("a round cut short counts the tokens it committed, not accepted + 1", () => {
    const totals = emptyTotals();
    addRound(totals, round(4, 4, 10)); // 5 tokens
    addRound(totals, {...round(4, 4, 10), emitted: 2}); // maxTokens reached after 2 of 5
    assert.equal(totals.tokens, 7);
    assert.equal(tokensPerRound(totals), 3.5);
    assert.equal(targetPassesPerToken(totals), 2 / 7);
  });

  it("zeros before any data; speed-ups NaN without a baseline", () => {
    const none = emptyTotals();
    for (const figure of [tokensPerSecond, acceptanceRate, meanDraftLength, tokensPerRound, targetPassesPerToken, draftPassesPerToken])
      assert.equal(figure(none), 0, figure.name);
    assert.equal(entropyShareOfDrafting(none), 0);
    assert.ok(Number.isNaN(speedup(10, 0)));
    assert.ok(Number.isNaN(speedup(Number.NaN, 10)));
    assert.ok(Number.isNaN(estimatedSpeedup(threeRounds(), Number.NaN)), "latency not measured yet");
    assert.ok(Number.isNaN(estimatedSpeedup(none, 4)));
    assert.ok(Number.isNaN(measuredSpeedup(threeRounds(), undefined)));
    assert.ok(Number.isNaN(measuredSpeedup(threeRounds(), none)));
    assert.equal(measuredSpeedup(none, threeRounds()), 0, "nothing decoded against a baseline");
  });

  it("summarize carries the totals and the figures above", () => {
    const t = threeRounds();
    assert.deepEqual(summarize(t, 4), {...t, tokensPerSecond: tokensPerSecond(t), acceptanceRate: acceptanceRate(t), lookupShare: 0, meanDraftLength: meanDraftLength(t),
      tokensPerRound: tokensPerRound(t), targetPassesPerToken: targetPassesPerToken(t), draftPassesPerToken: draftPassesPerToken(t), targetTokenMs: 4,
      estimatedSpeedup: estimatedSpeedup(t, 4)});
    assert.ok(Number.isNaN(summarize(emptyTotals(), Number.NaN).estimatedSpeedup));
  });

  it("reads the speed-up against the target-only time the generations recorded, when they did", () => {
    const t = {...threeRounds(), targetOnlyMs: 32};
    assert.equal(summarize(t, 4).estimatedSpeedup, 2, "32 ms target-only over 16 ms taken, whatever one token costs now");
    assert.equal(summarize(threeRounds(), 4).estimatedSpeedup, 1.5, "without it, tokens × what one target token costs now");
  });

  it("median", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });

  it("formats byte counts", () => {
    assert.equal(formatBytes(8.1e9), "8.10 GB");
    assert.equal(formatBytes(1e9), "1.00 GB");
    assert.equal(formatBytes(11_100_000), "11.1 MB");
    assert.equal(formatBytes(1e6), "1.0 MB");
    assert.equal(formatBytes(640_400), "640 kB");
    assert.equal(formatBytes(0), "0 kB");
  });
});
