// How lookup drafts are judged and cut: the learned acceptance by match (censoring, the match-length
// shape, the agreement classes, persistence) and the length the drafter takes under a cost model.
import assert from "node:assert/strict";
import {agreementOf, LookupAcceptance, MATCH_LENGTH_EDGES} from "../../src/engine/drafting/lookupAcceptance";
import {LOOKUP_GATE, LookupDrafter, lookupGates, type LookupGates} from "../../src/engine/drafting/lookupDrafter";
import {COLD_EXPLORATIONS, SpeculationGate} from "../../src/engine/drafting/speculationGate";
import {SpeculationGain} from "../../src/engine/drafting/speculationGain";
import type {Token} from "../../src/engine/nlc";
import {Prng} from "../../src/engine/decoding/sampling";

const tokens = (ids: readonly number[]) => ids as unknown as Token[];
const single = (length: number) => ({length, support: 1, occurrences: 1});

describe("lookup acceptance", () => {
  it("counts only judged tokens: those accepted and a round's first rejected one", () => {
    const map = new LookupAcceptance();
    map.observeRound(single(4), 6, 2); // tokens at effective lengths 4, 5 accepted; 6 rejected; 7, 8, 9 never judged
    const judged = Object.fromEntries(map.bins().filter(b => b.agreement === "single" && b.judged > 0).map(b => [b.matchLength, [b.judged, b.accepted]]));
    assert.deepEqual(judged, {4: [1, 1], 5: [1, 1], 6: [1, 0]});
    assert.equal(map.evidence, 3);
  });

  it("learns each match length's acceptance from censored rounds, and reads it as non-decreasing in the length", () => {
    // Truth: a token at effective match length m is accepted with probability 1 − 1/m.
    const truth = (m: number) => 1 - 1 / m;
    const map = new LookupAcceptance({maxEvidence: 1e9});
    const prng = new Prng(5);
    for (let round = 0; round < 20_000; round++) {
      const length = 2 + Math.floor(prng.uniform() * 10);
      let accepted = 0;
      while (accepted < 8 && prng.uniform() < truth(length + accepted)) accepted++;
      map.observeRound(single(length), 8, accepted);
    }
    for (const [bin, edge] of MATCH_LENGTH_EDGES.entries()) {
      const estimate = map.estimate(single(edge));
      const next = MATCH_LENGTH_EDGES[bin + 1];
      if (next !== undefined) assert.ok(estimate >= map.estimate(single(next)), `non-decreasing at ${edge}`);
      if (edge <= 5) assert.ok(Math.abs(estimate - truth(edge)) < 0.02, `length ${edge}: ${estimate} vs ${truth(edge)}`);
    }
  });

  it("keeps the three agreement classes apart", () => {
    assert.equal(agreementOf({length: 3, support: 1, occurrences: 1}), "single");
    assert.equal(agreementOf({length: 3, support: 4, occurrences: 4}), "agreed");
    assert.equal(agreementOf({length: 3, support: 2, occurrences: 4}), "split");
    const map = new LookupAcceptance();
    const split = {length: 3, support: 2, occurrences: 4};
    for (let i = 0; i < 200; i++) map.observeRound(split, 1, 0);
    assert.ok(map.estimate(split) < 0.05);
    assert.equal(map.estimate(single(3)), 0.5, "the single-occurrence class still has its prior 3/(3 + 3)");
  });

  it("survives its state: a copy from state() reads the same", () => {
    const map = new LookupAcceptance();
    map.observeRound(single(7), 4, 3);
    map.observeRound({length: 2, support: 3, occurrences: 3}, 2, 0);
    const copy = new LookupAcceptance({}, JSON.parse(JSON.stringify(map.state())));
    assert.deepEqual(copy.bins(), map.bins());
    assert.deepEqual(new LookupAcceptance({}, {agreements: [{judged: [1], accepted: [2]}]}).bins(), new LookupAcceptance().bins(), "a bad state is ignored");
  });
});

/** Gates that have let lookup in, whatever the match's agreement: its rounds gained 2× (the gates themselves are tested below). */
const GAINED = {tokens: 2, time: 1};
const earned = (): {gates: LookupGates} => ({gates: lookupGates({single: GAINED, agreed: GAINED, split: GAINED})});

describe("lookup drafter", () => {
  const repeated = tokens([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 0, 1, 2, 3]);

  function drafter(targetMs: (n: number) => number, acceptance = new LookupAcceptance()) {
    const lookup = new LookupDrafter();
    lookup.prepare({acceptance, costs: {targetMs, draftMs: () => NaN}, choice: "recent", ...earned()});
    lookup.begin(repeated);
    return lookup;
  }

  it("takes a long draft where a pass over many tokens costs what one does", () => {
    const draft = drafter(() => 1).draft(16, 1)!;
    assert.deepEqual(draft.tokens, tokens([4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]));
    assert.deepEqual(draft.match, {length: 3, support: 1, occurrences: 1});
  });

  it("takes nothing where verifying a token costs as much as decoding it", () => {
    assert.equal(drafter(n => n).draft(16, 1), undefined);
  });

  it("cuts the draft where its expected tokens per unit time peak", () => {
    // C_t(n) = 1 + 0.1 (n − 1): each extra token costs a tenth of a pass, so the draft grows while
    // the chance that its next token is reached and accepted pays for that tenth.
    const acceptance = new LookupAcceptance({priorStrength: 1e6}); // the prior m/(m + 3), held fixed
    const draft = drafter(n => 1 + 0.1 * (n - 1), acceptance).draft(16, 1)!;
    let survive = 1, tokensExpected = 1, best = {k: 0, rate: 1};
    const alphas = acceptance.decisionReading(draft.match, 16);
    for (let k = 1; k <= 16; k++) {
      survive *= alphas[k - 1]!;
      tokensExpected += survive;
      const rate = tokensExpected / (1 + 0.1 * k);
      if (rate > best.rate) best = {k, rate};
    }
    assert.ok(best.k > 1 && best.k < 16, `a cut inside the range (${best.k})`);
    assert.equal(draft.tokens.length, best.k);
    assert.ok(Math.abs(draft.expectedRate - best.rate) < 1e-12);
  });

  it("gives way to a rival that promises more", () => {
    const lookup = drafter(n => 1 + 0.25 * (n - 1));
    const draft = lookup.draft(16, 1)!;
    assert.equal(lookup.draft(16, draft.expectedRate * 1.01), undefined);
    assert.ok(lookup.draft(16, draft.expectedRate * 0.99));
  });

  it("drafts in a FIM prompt's first round from the prefix's end, not from the markers after the suffix", () => {
    const lookup = new LookupDrafter();
    lookup.prepare({acceptance: new LookupAcceptance(), costs: {targetMs: () => 1, draftMs: () => NaN}, choice: "recent", ...earned()});
    // PRE(90) "5 6 7 8 0 5 6" SUF(91) "9" MID(92)
    const prompt = tokens([90, 5, 6, 7, 8, 0, 5, 6, 91, 9, 92]);
    lookup.begin(prompt, {continuesAt: 8});
    assert.deepEqual(lookup.draft(3, 1)!.tokens, tokens([7, 8, 0]));
    lookup.commit(tokens([7]));
    assert.deepEqual(lookup.draft(2, 1)!.tokens, tokens([8, 0]), "the query is now the prefix's end and the generated 7");
    lookup.begin(prompt);
    assert.equal(lookup.draft(3, 1), undefined, "taken as a whole, the prompt ends in 9 92, which never occurred before");
  });

  it("follows committed tokens: a new round proposes from the context as it now ends", () => {
    const lookup = drafter(() => 1);
    lookup.commit(tokens([4, 5]));
    assert.deepEqual(lookup.draft(3, 1)!.tokens, tokens([6, 7, 8]));
    lookup.commit(tokens([99]));
    assert.equal(lookup.draft(3, 1), undefined, "5 99 never occurred before");
  });

  it("is held to the draft model's guarantee: with no evidence it explores one draft, then drafts only while its rounds gain", () => {
    const lookupWith = (gates: LookupGates) => {
      const lookup = new LookupDrafter();
      lookup.prepare({acceptance: new LookupAcceptance(), costs: {targetMs: n => 1 + 0.45 * (n - 1), draftMs: () => NaN}, choice: "recent", gates});
      lookup.begin(repeated);
      return lookup;
    };
    /** Rounds in which lookup drafted, each with the outcome given (tokens emitted, time in target steps). */
    const drafts = (rounds: number, outcome: (drafted: number) => [tokens: number, time: number]) => {
      const gates = lookupGates();
      const lookup = lookupWith(gates);
      // The repeated run occurred once before: every copy is after a lone match.
      const gain = gates.single.gain;
      let taken = 0;
      for (let round = 0; round < rounds; round++) {
        const draft = lookup.draft(16, 1);
        if (!draft) continue;
        taken++;
        gain.observe(...outcome(draft.tokens.length));
      }
      return taken;
    };
    // Every copy rejected (a round costs C_t(k + 1) for one token): the first rounds explore, then one in 32 or fewer.
    const losing = drafts(320, k => [1, 1 + 0.45 * k]);
    assert.ok(losing >= COLD_EXPLORATIONS && losing <= COLD_EXPLORATIONS + 320 / 32, `${losing} lookup drafts in 320 rounds that each lost`);
    // Copies accepted whole: the first exploration earns lookup in, and it drafts every round.
    assert.equal(drafts(64, k => [k + 1, 1 + 0.45 * k]), 64);
  });

  it("once in, stops copying where its rounds gain only 0.95, which a gate keeping two standard errors would not", () => {
    const costs = {targetMs: (n: number) => 1 + 0.45 * (n - 1), draftMs: () => NaN};
    /** Lookup drafts in the last 100 of 300 rounds, earned in at a gain of 1.2, then rounds gaining 0.55 and 1.35 by turns (0.95). */
    const draftsLate = (keepErrors: number) => {
      const gain = new SpeculationGain(undefined, {tokens: 1.2, time: 1, rounds: 100});
      const gate = new SpeculationGate({...LOOKUP_GATE, keepErrors});
      const gates = {...lookupGates(), single: {gain, gate}};
      const lookup = new LookupDrafter();
      lookup.prepare({acceptance: new LookupAcceptance(), costs, choice: "recent", gates});
      lookup.begin(repeated);
      let late = 0, turn = 0;
      for (let round = 0; round < 300; round++) {
        const draft = lookup.draft(16, 1);
        if (!draft) continue;
        if (round >= 200) late++;
        const time = costs.targetMs(draft.tokens.length + 1);
        gain.observe((turn++ % 2 ? 1.35 : 0.55) * time, time);
      }
      assert.ok(Math.abs(gain.value() - 0.95) < 0.03, `the rounds gained ${gain.value()}`);
      return late;
    };
    assert.equal(draftsLate(2), 100, "two standard errors (about 0.05 each) keep a 0.95 gain running");
    const late = draftsLate(LOOKUP_GATE.keepErrors!);
    assert.ok(late <= 100 / 32 + 1, `lookup's own gate: ${late} of the last 100 rounds, explorations only`);
  });

  it("judges copies after matches whose occurrences agreed apart from copies after lone matches", () => {
    // "9 1 2 3" occurred twice (after different tokens), followed by 7 8 both times (agreed); "0 4 5" once, followed by 6 (lone).
    const context = tokens([5, 9, 1, 2, 3, 7, 8, 6, 9, 1, 2, 3, 7, 8, 0, 4, 5, 6, 0]);
    const gates = lookupGates({single: {tokens: 1, time: 2, rounds: 200}});
    const lookup = new LookupDrafter();
    lookup.prepare({acceptance: new LookupAcceptance(), costs: {targetMs: () => 1, draftMs: () => NaN}, choice: "recent", gates});
    lookup.begin([...context, ...tokens([4, 5])]);
    assert.equal(lookup.draft(4, 1), undefined, "lone matches lost half their time over 200 rounds: their copies sit out");
    lookup.begin([...context, ...tokens([9, 1, 2, 3])]);
    const draft = lookup.draft(2, 1);
    assert.equal(agreementOf(draft!.match), "agreed");
    assert.deepEqual(draft!.tokens, tokens([7, 8]), "agreed matches hold no evidence yet: their first copies explore");
  });
});
