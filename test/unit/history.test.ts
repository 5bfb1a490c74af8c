import assert from "node:assert/strict";
import type {GenerationSummary} from "../../src/protocol";
import {emptyTotals, RoundRecord} from "../../src/engine/stats/roundRecord";
import {SessionHistory} from "../../src/extension/session/history";

const round = (drafted: number, accepted: number, entropies: number[], lambda = 0.5): RoundRecord => ({
  index: 0, drafted, accepted, emitted: accepted + 1, tokens: [], entropies, lambda, draftPasses: drafted, draftMs: 1, verifyMs: 1,
  entropyMs: 0, totalMs: 2, contextLength: 10
});

function summary(tokens: number, decodeMs: number, targetTokenMs: number, rounds: RoundRecord[]): Omit<GenerationSummary, "stats"> {
  return {text: "", tokenCount: tokens, tokensPastStop: 0, stopReason: "maxTokens", policy: "adaedl", promptLayout: "psm", promptTokens: 10, droppedPromptTokens: 0,
    prefill: {promptTokens: 10, targetReused: 0, draftReused: 0, targetEvaluated: 9, draftEvaluated: 9, ms: 1},
    totals: {...emptyTotals(), tokens, decodeMs}, rounds, targetTokenMs, seed: 1};
}

describe("session history", () => {
  it("plots the session's cumulative speed-up, not each completion's", () => {
    const history = new SessionHistory();
    history.add(summary(10, 50, 10, [])); // 100 ms of target-only work in 50 ms
    history.add(summary(2, 50, 10, []));  // then 20 ms in 50 ms
    assert.deepEqual(history.speedups(), [{x: 1, y: 2}, {x: 2, y: 120 / 100}]);
  });

  it("bins decided drafts by entropy, counts draft lengths, keeps λ", () => {
    const history = new SessionHistory();
    // 3 drafted, 1 accepted: tokens 1 (accepted) and 2 (rejected) are decided, token 3 is not.
    history.add(summary(2, 4, 1, [round(3, 1, [0.01, 0.4, 2.5], 0.51), round(0, 0, [], 0.52)]));
    const bins = history.acceptanceBins().filter(b => b.drafted > 0);
    assert.deepEqual(bins.map(b => [b.lo, b.hi, b.drafted, b.accepted]), [[0, 0.05, 1, 1], [0.3, 0.5, 1, 0]]);
    assert.deepEqual(history.draftLengths("adaedl"), {label: "adaedl", counts: [1, 0, 0, 1]});
    assert.deepEqual(history.lambdaTrace(), [0.51, 0.52]);
    history.clear();
    assert.equal(history.size, 0);
    assert.deepEqual(history.lambdaTrace(), []);
  });
});
