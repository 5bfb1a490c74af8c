// The signal bound's charging of entropy-threshold rules: a run computed by hand, its relation to
// the exact optimum (never faster, on random traces), static K where every draft matches, and the
// hindsight search returning the rule it charges best.
import assert from "node:assert/strict";
import {optimalSchedule, RoundCosts} from "../../src/lab/bench/optimum";
import {bestThresholdRule, DraftTrace, staticMs, thresholdRuleMs} from "../../src/lab/bench/signalBound";
import {seededRandom} from "./seededRandom";

const linear: RoundCosts = {targetPassMs: n => 10 + n, draftPassMs: w => 2 * w, bookkeepingMs: 0.5};

describe("signal bound: entropy-threshold rules charged on a trace", () => {
  it("charges a run as computed by hand: a stop after a rejected draft, a stop by entropy, a last target-only round", () => {
    const trace: DraftTrace = {matches: [true, true, false, true, true], entropies: [0.1, 0.2, 0.3, 2.0, 0.1]};
    // Round 1: catch-up pass and two one-token passes (6), drafts 3 (the third rejected: stop, free),
    // 3 bookkeeping steps (1.5), C_t(4) = 14 → 21.5. Round 2 at position 3, cap 1: its pass shows
    // H = 2.0 ≥ 1, nothing drafted: 2 + 0.5 + C_t(1) → 13.5. Round 3: the last token, target-only: 11.
    assert.equal(thresholdRuleMs(trace, linear, {maxEntropy: 1, laterMaxEntropy: 1, maxDraft: 4}, "free"), 46);
    // No threshold: round 1 as before; round 2 drafts its one token (cap 1, accepted, no further pass):
    // 2 + 0.5 + C_t(2) = 14.5, and emits the last two tokens.
    assert.equal(thresholdRuleMs(trace, linear, {maxEntropy: Infinity, laterMaxEntropy: Infinity, maxDraft: 4}, "free"), 21.5 + 14.5);
  });

  it("is never faster than the exact optimum, for any threshold and cap, on random traces", () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(random() * 14);
      const matches = Array.from({length: n}, () => random() < 0.7);
      const trace: DraftTrace = {matches, entropies: matches.map(() => 3 * random()), afterRejection: matches.map(m => (m ? undefined : Array.from({length: 16}, () => 3 * random())))};
      const costs: RoundCosts = {targetPassMs: w => 5 + 0.3 * w, draftPassMs: w => 0.5 + 0.2 * w, bookkeepingMs: 0.05};
      const optimum = optimalSchedule(trace.matches, costs, 16).totalMs;
      for (const maxEntropy of [0.5, 1.5, 2.5, Infinity]) {
        for (const maxDraft of [1, 3, 16]) {
          const free = thresholdRuleMs(trace, costs, {maxEntropy, laterMaxEntropy: maxEntropy, maxDraft}, "free");
          const drafted = thresholdRuleMs(trace, costs, {maxEntropy, laterMaxEntropy: maxEntropy, maxDraft}, "drafted");
          assert.ok(free >= optimum - 1e-9, `trial ${trial}: h ${maxEntropy}, K ${maxDraft}: ${free} < optimum ${optimum}`);
          assert.ok(drafted >= free - 1e-9, `trial ${trial}: h ${maxEntropy}, K ${maxDraft}: drafted ${drafted} < free ${free}`);
        }
      }
    }
  });

  it("with no threshold, charged as drafted, is static K", () => {
    const random = seededRandom(11);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + Math.floor(random() * 20);
      const matches = Array.from({length: n}, () => random() < 0.6);
      const trace: DraftTrace = {matches, entropies: matches.map(() => random()),
        afterRejection: matches.map(m => (m ? undefined : Array.from({length: 16}, () => random())))};
      for (const k of [1, 2, 3, 5, 8]) assert.equal(thresholdRuleMs(trace, linear, {maxEntropy: Infinity, laterMaxEntropy: Infinity, maxDraft: k}), staticMs(trace, linear, k), `trial ${trial}, K ${k}`);
    }
  });

  it("charged as drafted, goes on past a rejection along the draft's own entropies; free stops there", () => {
    const trace: DraftTrace = {matches: [true, false, true, true, true, true], entropies: [0.1, 0.1, 0.1, 0.1, 0.1, 0.1], afterRejection: [undefined, [0.2, 0.3, 2.0, 0.1]]};
    const rule = {maxEntropy: 1, laterMaxEntropy: 1, maxDraft: 8};
    // Drafted: round 1 drafts positions 0 and 1 (rejected), then 2 and 3 on the draft's own tokens
    // (0.2, 0.3), whose pass shows 2.0: 5 passes (catch-up + 4), 4 drafts: 10 + 2.5 + C_t(5) = 27.5;
    // 2 tokens out, pending 1. Round 2 at 2, cap 3: drafts 2, 3, 4 (cap), all accepted: 2 + 4 + 1.5 + 14 = 21.5.
    assert.equal(thresholdRuleMs(trace, linear, rule, "drafted"), 27.5 + 21.5);
    // Free: round 1 stops after the rejection: 2 passes, 2 drafts: 4 + 1 + C_t(3) = 18. Round 2 the same.
    assert.equal(thresholdRuleMs(trace, linear, rule, "free"), 18 + 21.5);
    assert.throws(() => thresholdRuleMs({matches: [false, true, true], entropies: [0, 0, 0]}, linear, rule, "drafted"), /no entropy for position 1 after the rejection at 0/);
  });

  it("holds a round's first token and the later ones to thresholds of their own", () => {
    const trace: DraftTrace = {matches: [true, true, true, true], entropies: [2.5, 0.5, 1.5, 0.1]};
    // First tokens up to 3 nats, later ones below 1: round 1 drafts position 0 (2.5), then 1 (0.5),
    // and its pass at 2 shows 1.5: 3 passes, 2 drafts, 6 + 1.5 + C_t(3) = 20.5; round 2 at 3 is the
    // last token: target-only, 11.
    assert.equal(thresholdRuleMs(trace, linear, {maxEntropy: 3, laterMaxEntropy: 1, maxDraft: 8}), 20.5 + 11);
    // One threshold of 1: round 1's pass shows 2.5 and drafts nothing (2 + 0.5 + 11); round 2 at 1
    // drafts 1 (0.5) and stops at 2 (1.5): 4 + 1 + C_t(2) = 17; round 3 at 3: 11.
    assert.equal(thresholdRuleMs(trace, linear, {maxEntropy: 1, laterMaxEntropy: 1, maxDraft: 8}), 13.5 + 17 + 11);
  });

  it("static K drafts past a rejection, as the round loop does", () => {
    // K = 3 on 4 tokens: round 1 drafts 3, accepts 1 (2 tokens out), pending 1: 2 + 2·2 + 1.5 + C_t(4) = 21.5;
    // round 2 drafts 1 (the cap: 1 token left after the next), accepted: 2 + 0.5 + C_t(2) = 14.5.
    assert.equal(staticMs({matches: [true, false, true, true], entropies: [0, 0, 0, 0]}, linear, 3), 36);
  });

  it("finds the best rule in hindsight: the threshold that keeps out the drafts the target rejects", () => {
    // Rejected drafts are exactly the unsure ones: the best rule drafts below 1 nat and stops there.
    const random = seededRandom(3);
    const traces: DraftTrace[] = Array.from({length: 4}, () => {
      const matches = Array.from({length: 24}, () => random() < 0.75);
      return {matches, entropies: matches.map(m => (m ? 0.2 + 0.3 * random() : 1.5 + random())), afterRejection: matches.map(m => (m ? undefined : Array.from({length: 16}, () => 3 * random())))};
    });
    const costs: RoundCosts = {targetPassMs: n => 10 + 0.1 * n, draftPassMs: w => 0.5 * w, bookkeepingMs: 0};
    const best = bestThresholdRule(traces, costs);
    for (const h of [best.rule.maxEntropy, best.rule.laterMaxEntropy]) assert.ok(h > 0.45 && h <= 1.5, `thresholds ${best.rule.maxEntropy}, ${best.rule.laterMaxEntropy}`);
    const charged = traces.reduce((sum, t) => sum + thresholdRuleMs(t, costs, best.rule), 0);
    assert.equal(best.totalMs, charged);
    for (const rule of [{maxEntropy: Infinity, laterMaxEntropy: Infinity, maxDraft: best.rule.maxDraft}, {maxEntropy: 0.5, laterMaxEntropy: 0.5, maxDraft: 16}, {maxEntropy: 2, laterMaxEntropy: 2, maxDraft: 4}])
      assert.ok(traces.reduce((sum, t) => sum + thresholdRuleMs(t, costs, rule), 0) >= best.totalMs);
  });
});
