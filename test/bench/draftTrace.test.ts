// The signal bound's trace on real models (Markov-chain GGUF files): whichever signal it records,
// the matches are the same, and the min-entropy it records with signal "top" is −ln of the draft's
// top probability, never above the Shannon entropy it records by default.
import assert from "node:assert/strict";
import {DraftstopEngine} from "../../src/engine";
import type {Distribution} from "../../src/engine/distribution";
import type {Token} from "../../src/engine/nlc";
import {GENERATE_DEFAULTS} from "../../src/engine/options";
import {draftTrace, SIGNALS} from "../../src/lab/bench/draftTrace";
import {referenceContinuation} from "../../src/lab/bench/oracle";
import {makeMarkovPair, MarkovPair} from "../engine/helpers/markovPair";

describe("the signal bound's draft trace", function () {
  this.timeout(300_000);
  let pair: MarkovPair;
  let engine: DraftstopEngine;

  before(async () => {
    // A draft that often disagrees, so that the trace holds rejections to roll out past.
    pair = makeMarkovPair({seed: 9, cycleBoost: 0.3, draftMix: 0.5, fimLayouts: ["psm"]});
    engine = await DraftstopEngine.load({targetPath: pair.targetPath, draftPath: pair.draftPath, threads: 1, contextSize: 512});
  });
  after(async () => {
    await engine?.dispose();
    pair?.cleanup();
  });

  it("records the same matches with either signal, and the min-entropy at or below the entropy everywhere", async () => {
    const prompt = engine.tokenize("abcabdca", {bos: true});
    const continuation = await referenceContinuation(engine, prompt, {maxTokens: 24, stopOnEog: false, temperature: 0, topK: 40, topP: 0.95, seed: 1});
    assert.equal(continuation.length, 24);
    const sequence = engine.loadedPair.draft!.sequence;
    const byEntropy = await draftTrace(sequence, prompt, continuation, GENERATE_DEFAULTS.entropyTopK, 4, "entropy");
    const byTop = await draftTrace(sequence, prompt, continuation, GENERATE_DEFAULTS.entropyTopK, 4, "top");
    assert.deepEqual(byTop.matches, byEntropy.matches);
    const rejected = byEntropy.matches.flatMap((match, m) => (match ? [] : [m]));
    assert.ok(rejected.length > 0 && rejected.length < 24, `the draft disagrees somewhere, not everywhere (${rejected.length} of 24)`);
    const pairs = [
      ...byEntropy.entropies.map((h, m) => [h, byTop.entropies[m]!] as const),
      ...rejected.flatMap(m => (byEntropy.afterRejection?.[m] ?? []).map((h, j) => [h, byTop.afterRejection![m]![j]!] as const))
    ];
    assert.ok(pairs.length > 24, "rollouts past the rejections are recorded too");
    for (const [h, top] of pairs) {
      assert.ok(Number.isFinite(top) && top >= 0, `min-entropy ${top}`);
      assert.ok(top <= h + 1e-9, `min-entropy ${top} above the entropy ${h}`);
    }
    assert.ok(pairs.some(([h, top]) => top < h - 1e-3), "the two signals differ where the draft is unsure");
  });

  it("reads −ln of the top probability, after renormalising the map", () => {
    const map = (entries: Array<[number, number]>) => new Map(entries) as unknown as Map<Token, number> satisfies Distribution;
    assert.ok(Math.abs(SIGNALS.top(map([[1, 0.3], [2, 0.2], [3, 0.1]])) - -Math.log(0.5)) < 1e-12);
    const uniform = map([[1, 0.25], [2, 0.25]]);
    assert.ok(Math.abs(SIGNALS.top(uniform) - SIGNALS.entropy(uniform)) < 1e-12, "equal on a uniform map");
  });
});
