// The round loop on real GGUF models through node-llama-cpp: Markov-chain models whose greedy path
// and distributions are known exactly (test/fixtures/gguf/markovModel.ts).
import assert from "node:assert/strict";
import {DraftstopEngine, GenerationReport, PolicySpec, RoundRecord} from "../../src/engine";
import {CostModel} from "../../src/engine/drafting/costModel";
import {SpeculationGain} from "../../src/engine/drafting/speculationGain";
import {CostAwarePolicy, PolicyEnvironment} from "../../src/engine/drafting/policies";
import type {Token} from "../../src/engine/nlc";
import {makeMarkovPair, MarkovPair} from "./helpers/markovPair";

const ALL_POLICIES: PolicySpec[] = [
  {name: "off"},
  {name: "adaedl"},
  {name: "adaedl", lambda0: 0.2, gamma: 0.1},
  {name: "costAware"},
  {name: "static", k: 1},
  {name: "static", k: 4},
  {name: "static", k: 8},
  {name: "maxConfidence", pMin: 0.3},
  {name: "heuristic"}
];

/** Lookup drafts, alone and beside the model's, under the rules that decide their length differently. */
const LOOKUP_CASES = [
  ...(["lookup", "both"] as const).flatMap(drafter => [{name: "costAware"}, {name: "adaedl"}, {name: "static", k: 4}].map(policy => ({policy: policy as PolicySpec, drafter})))
];

/** The target's greedy continuation: follow argmax P[x] from the last prompt token. */
function greedyPath(pair: MarkovPair, last: number, maxTokens: number): number[] {
  const path: number[] = [];
  for (let x = last; path.length < maxTokens;) {
    const row = pair.P[x]!;
    let best = -1, bestP = -1;
    for (const [to, p] of row) if (p > bestP) [best, bestP] = [to, p];
    if (best === pair.vocabulary.eos) break;
    path.push(best);
    x = best;
  }
  return path;
}

function randomPrompt(pair: MarkovPair, seed: number): string {
  const letters = pair.symbols.map(s => pair.vocabulary.texts[s]!);
  let state = seed * 7919 + 13;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const length = 1 + Math.floor(next() * 12);
  return Array.from({length}, () => letters[Math.floor(next() * letters.length)]).join("");
}

/** A cost model that keeps its load-time table: the timed passes of a generation teach it nothing. */
class FrozenCosts extends CostModel {
  override observeTargetPass(): void {}
  override observeDraftPass(): void {}
}

/**
 * The drafting decisions read the clock in one place: the cost model, timed at load and after
 * every pass. Frozen at the curve these models measure on a 2-core CPU (a pass over n tokens
 * costs 1 + 0.37 (n - 1) times one token, a draft token 0.85 of a target token), what the tests
 * draft, and so what they exercise, is the same on any machine under any load.
 */
function freezeCosts(engine: DraftstopEngine): void {
  const costs = new FrozenCosts({targetMs: Array.from({length: 17}, (_, i) => 0.45 * (1 + 0.37 * i)), draftMs: 0.38, contextLength: 64});
  (engine as unknown as {calibration: {costModel(greedy: boolean): CostModel}}).calibration.costModel = () => costs;
}

/** Both sequences hold a prefix of the committed tokens; the target holds all but the last. */
function assertConsistent(engine: DraftstopEngine, committed: readonly number[]): void {
  const {target, draft} = engine.sequenceTokens();
  assert.deepEqual(target, committed.slice(0, committed.length - 1), "target sequence = committed tokens but the last");
  assert.ok(draft !== undefined);
  assert.ok(draft.length <= committed.length - 1, "draft holds no uncommitted token");
  assert.deepEqual(draft, committed.slice(0, draft.length), "draft sequence is a prefix of the committed tokens");
}

describe("speculative generation on Markov-chain GGUF models", function () {
  this.timeout(300_000);
  let pair: MarkovPair;
  let engine: DraftstopEngine;

  before(async () => {
    pair = makeMarkovPair({seed: 3, eosProbability: 0.01, cycleBoost: 0.35, draftMix: 0.5});
    engine = await DraftstopEngine.load({targetPath: pair.targetPath, draftPath: pair.draftPath, threads: 1, contextSize: 512});
    freezeCosts(engine);
  });

  after(async () => {
    await engine?.dispose();
    pair?.cleanup();
  });

  it("greedy output equals target-only greedy decoding for every policy and drafter on 50 prompts", async () => {
    const model = {drafted: 0, rejected: 0}, lookup = {drafted: 0, rejected: 0};
    for (let i = 0; i < 50; i++) {
      const prompt = randomPrompt(pair, i);
      const last = engine.tokenize(prompt).at(-1)!;
      const expected = greedyPath(pair, last, 24);
      engine.setPolicy({name: "off"});
      const reference = await engine.generate(prompt, {maxTokens: 24});
      assert.deepEqual(reference.tokens, expected, `target-only greedy path for ${prompt}`);
      for (const {policy, drafter} of [...ALL_POLICIES.map(policy => ({policy, drafter: "model" as const})), ...LOOKUP_CASES]) {
        engine.setPolicy(policy);
        const result = await engine.generate(prompt, {maxTokens: 24, drafter});
        assert.deepEqual(result.tokens, reference.tokens, `${JSON.stringify(policy)}, drafter ${drafter}, on ${JSON.stringify(prompt)}`);
        assert.equal(result.text, reference.text);
        for (const round of result.rounds) {
          const kind = round.drafter === "lookup" ? lookup : model;
          kind.drafted += round.drafted;
          if (round.accepted < round.drafted) kind.rejected++;
        }
      }
    }
    for (const [name, kind] of [["model", model], ["lookup", lookup]] as const)
      assert.ok(kind.drafted > 1000 && kind.rejected > 50, `the test exercised ${name} drafting (${kind.drafted}) and rejections (${kind.rejected})`);
  });

  it("greedy output of cost-aware AdaEDL equals target-only on 50 prompts where drafting pays", async () => {
    // On these tiny models a draft token costs half a target token, so the real cost model keeps
    // the draft idle. Pinning a GPU-like cost curve (a pass over 17 tokens costs what one does, a
    // draft token 2 % of it) makes the same rule draft, through the engine's real round loop.
    class PinnedCosts extends CostAwarePolicy {
      override prepare(environment: PolicyEnvironment): void {
        super.prepare({...environment, costs: {targetMs: () => 1, draftMs: () => 0.02}, gain: new SpeculationGain()});
      }
    }
    let drafted = 0;
    for (let i = 0; i < 50; i++) {
      const prompt = randomPrompt(pair, i);
      engine.setPolicy({name: "off"});
      const reference = await engine.generate(prompt, {maxTokens: 24});
      const result = await engine.experiment(prompt, {maxTokens: 24}, {policy: new PinnedCosts()});
      assert.deepEqual(result.tokens, reference.tokens, JSON.stringify(prompt));
      drafted += result.totals.drafted;
    }
    assert.ok(drafted > 300, `the rule drafted ${drafted} tokens`);
  });

  it("after every round both sequences hold exactly the committed tokens", async () => {
    for (const temperature of [0, 1]) {
      for (const {policy, drafter} of [...ALL_POLICIES.map(policy => ({policy, drafter: "model" as const})), ...LOOKUP_CASES]) {
        engine.setPolicy(policy);
        const prompt = engine.tokenize("abcab", {bos: true});
        const committed: number[] = [...prompt];
        let rounds = 0;
        const check = (round: RoundRecord) => {
          committed.push(...round.tokens);
          assertConsistent(engine, committed);
          rounds++;
        };
        engine.on("round", check);
        try {
          const result = await engine.generate(prompt, {maxTokens: 40, temperature, seed: 11, stopOnEog: false, drafter});
          assert.equal(rounds, result.rounds.length);
          assert.deepEqual(committed.slice(prompt.length), result.tokens);
        } finally {
          engine.off("round", check);
        }
      }
    }
  });

  it("stops at maxTokens exactly, whatever the draft length", async () => {
    for (const policy of ALL_POLICIES)
      for (const maxTokens of [1, 2, 5, 9]) {
        engine.setPolicy(policy);
        const result = await engine.generate("dcba", {maxTokens, stopOnEog: false, temperature: 0.8, seed: maxTokens});
        assert.equal(result.tokens.length, maxTokens, `${policy.name} maxTokens ${maxTokens}`);
        assert.equal(result.stopReason, "maxTokens");
      }
  });

  it("stops at end-of-generation tokens and leaves them out of the output", async () => {
    const eosPair = makeMarkovPair({seed: 5, eosProbability: 0.3});
    const eosEngine = await DraftstopEngine.load({targetPath: eosPair.targetPath, draftPath: eosPair.draftPath, threads: 1, contextSize: 256});
    try {
      let eogStops = 0;
      for (let seed = 0; seed < 20; seed++) {
        const result = await eosEngine.generate("ab", {maxTokens: 50, temperature: 1, seed});
        assert.ok(!result.tokens.includes(eosPair.vocabulary.eos as Token), "no EOS in the output");
        if (result.stopReason === "eog") {
          eogStops++;
          assert.equal(result.rounds.at(-1)!.tokens.at(-1), eosPair.vocabulary.eos, "the last committed token was EOS");
        }
      }
      assert.ok(eogStops >= 15, `with P(EOS) = 0.3 a token, 50-token runs end at EOS (${eogStops}/20)`);
      const ignoring = await eosEngine.generate("ab", {maxTokens: 50, temperature: 1, seed: 1, stopOnEog: false});
      assert.equal(ignoring.tokens.length, 50);
    } finally {
      await eosEngine.dispose();
      eosPair.cleanup();
    }
  });

  it("stops at a stop string and cuts the text before it", async () => {
    engine.setPolicy({name: "static", k: 6});
    const full = await engine.generate("ab", {maxTokens: 30, stopOnEog: false});
    const stop = full.text.slice(10, 12);
    const cutAt = full.text.indexOf(stop);
    const result = await engine.generate("ab", {maxTokens: 30, stopOnEog: false, stopStrings: ["not-there", stop]});
    assert.equal(result.stopReason, "stopString");
    assert.equal(result.text, full.text.slice(0, cutAt));
    assert.ok(result.tokens.length < 30);
  });

  it("aborts within one round and leaves both sequences consistent", async () => {
    engine.setPolicy({name: "static", k: 4});
    const controller = new AbortController();
    const prompt = engine.tokenize("hgfe", {bos: true});
    const committed: number[] = [...prompt];
    let rounds = 0;
    const onRound = (round: RoundRecord) => {
      committed.push(...round.tokens);
      if (++rounds === 3) controller.abort();
    };
    engine.on("round", onRound);
    let result: GenerationReport;
    try {
      result = await engine.generate(prompt, {maxTokens: 100, signal: controller.signal, stopOnEog: false});
    } finally {
      engine.off("round", onRound);
    }
    assert.equal(result.stopReason, "abort");
    assert.equal(result.rounds.length, 3, "no round starts after the abort");
    assertConsistent(engine, committed);

    const already = AbortSignal.abort();
    const none = await engine.generate("abc", {signal: already});
    assert.equal(none.stopReason, "abort");
    assert.equal(none.tokens.length, 0);
    const after = await engine.generate("abc", {maxTokens: 5});
    assert.equal(after.tokens.length, 5, "the engine works on after an abort");
  });

  it("a generation cancelled while it waits for the engine returns at once and evaluates nothing", async () => {
    engine.setPolicy({name: "static", k: 2});
    const first = engine.generate("hgfe", {maxTokens: 200, stopOnEog: false});
    const controller = new AbortController();
    const queued = engine.generate("abcdefgh".repeat(20), {maxTokens: 50, signal: controller.signal});
    let firstDone = false;
    void first.then(() => (firstDone = true));
    controller.abort();
    const result = await queued;
    assert.equal(firstDone, false, "settled while the running generation still held the engine");
    assert.equal(result.stopReason, "abort");
    assert.equal(result.tokens.length, 0);
    assert.equal(result.prefill.targetEvaluated + result.prefill.draftEvaluated, 0, "its prompt was never evaluated");
    const full = await first;
    assert.equal(full.tokens.length, 200, "the running generation went on undisturbed");
  });

  it("a request cancelled during its prompt stops within one batch, and the next request starts where it stopped", async () => {
    // Batches of 8 tokens: a 441-token prompt takes 55 of them, so the cancel lands part way.
    const batched = await DraftstopEngine.load({targetPath: pair.targetPath, draftPath: pair.draftPath, threads: 1, contextSize: 512, batchSize: 8});
    try {
      batched.setPolicy({name: "static", k: 2});
      const prompt = batched.tokenize("abcdefgh".repeat(55), {bos: true});
      const meter = () => (batched as unknown as {pair: {target: {sequence: {tokenMeter: {usedInputTokens: number}}}}})
        .pair.target.sequence.tokenMeter.usedInputTokens;
      const controller = new AbortController();
      const before = meter();
      // Cancelled as soon as the first batch is in: as typing cancels a request.
      const watch = () => (meter() > before ? controller.abort() : setImmediate(watch));
      setImmediate(watch);
      const cut = await batched.generate(prompt, {maxTokens: 8, signal: controller.signal, stopOnEog: false});
      assert.equal(cut.stopReason, "abort");
      assert.equal(cut.tokens.length, 0);
      const evaluated = cut.prefill.targetEvaluated;
      assert.ok(evaluated > 0 && evaluated < prompt.length - 1, `stopped part way: ${evaluated} of ${prompt.length - 1} tokens evaluated`);
      assert.equal(evaluated % 8, 0, `whole batches (${evaluated} tokens)`);
      const held = batched.sequenceTokens();
      assert.deepEqual(held.target, prompt.slice(0, evaluated), "the target holds exactly what it evaluated");
      assert.deepEqual(held.draft, prompt.slice(0, held.draft!.length), "the draft holds a prefix of the prompt");

      const resumed = await batched.generate(prompt, {maxTokens: 8, stopOnEog: false});
      assert.equal(resumed.prefill.targetReused, evaluated, "the next request reuses what the cancelled one evaluated");
      assert.equal(resumed.prefill.targetEvaluated, prompt.length - 1 - evaluated);
      assert.deepEqual(resumed.tokens, greedyPath(pair, prompt.at(-1)!, 8), "and generates the target's greedy path from there");
    } finally {
      await batched.dispose();
    }
  });

  it("refuses an 8-bit KV cache for heads it cannot hold (llama.cpp would abort), naming the problem", async () => {
    await assert.rejects(DraftstopEngine.load({targetPath: pair.targetPath, draftPath: pair.draftPath, threads: 1, contextSize: 512, kvCacheType: "Q8_0"}),
      (error: unknown) => (error as {code?: string}).code === "model.kvCacheType" && /multiple of 32.*F16/.test((error as Error).message));
  });

  it("rejects bad options instead of throwing synchronously", async () => {
    let promise: Promise<unknown> | undefined;
    assert.doesNotThrow(() => (promise = engine.generate("ab", {maxTokens: Number.NaN})));
    await assert.rejects(promise!, (error: Error) => error.name === "InvalidOptionError" && /maxTokens/.test(error.message));
    await assert.rejects(engine.generateInfill({prefix: "ab", suffix: "cd"}, {temperature: -1}), /temperature/);
  });

  it("stops when the time budget is spent, before the next round", async () => {
    engine.setPolicy({name: "adaedl"});
    // The engine reads the time with performance.now(): held still here, and moved past the budget
    // by hand after the third round, so that the budget runs out at a known round on any machine.
    const realNow = performance.now;
    let clock = realNow.call(performance);
    let rounds = 0;
    const onRound = () => {
      if (++rounds === 3) clock += 1_000;
    };
    performance.now = () => clock;
    engine.on("round", onRound);
    let result: GenerationReport;
    try {
      result = await engine.generate("ab", {maxTokens: 400, timeBudgetMs: 500, stopOnEog: false});
    } finally {
      engine.off("round", onRound);
      performance.now = realNow;
    }
    assert.equal(result.stopReason, "timeBudget");
    assert.equal(result.rounds.length, 3, "no round starts once the budget is spent, and none stopped before");
    assert.equal(result.tokens.length, result.rounds.reduce((sum, r) => sum + r.emitted, 0));
    assert.ok(result.tokens.length < 400);
  });

  it("stops, without an error, when the context is full", async () => {
    // node-llama-cpp rounds context sizes up to a multiple of 256
    const small = await DraftstopEngine.load({targetPath: pair.targetPath, draftPath: pair.draftPath, threads: 1, contextSize: 256});
    try {
      assert.equal(small.info.contextSize, 256);
      const prompt = "abcdefgh".repeat(30); // 240 tokens + BOS
      const result = await small.generate(prompt, {maxTokens: 100, stopOnEog: false});
      assert.equal(result.stopReason, "contextFull");
      assert.ok(result.tokens.length > 0 && 241 + result.tokens.length <= 257, `${result.tokens.length} tokens`);
      const tooLong = "abcdefgh".repeat(40);
      await assert.rejects(small.generate(tooLong), /does not fit a context of 256 tokens/);
    } finally {
      await small.dispose();
    }
  });

  it("evaluates only the new tokens of a prompt that extends the previous one", async () => {
    engine.setPolicy({name: "adaedl"});
    const base = "abcdefgh".repeat(4);
    await engine.generate(base, {maxTokens: 1});
    const targetMeter = () => (engine as unknown as {pair: {target: {sequence: {tokenMeter: {usedInputTokens: number}}}}})
      .pair.target.sequence.tokenMeter.usedInputTokens;
    const draftMeter = () => (engine as unknown as {pair: {draft: {sequence: {tokenMeter: {usedInputTokens: number}}}}})
      .pair.draft.sequence.tokenMeter.usedInputTokens;
    const [target0, draft0] = [targetMeter(), draftMeter()];
    // maxTokens 1: no drafting, and one target pass over the prompt's last token.
    const extended = await engine.generate(base + "hgf", {maxTokens: 1});
    const promptLength = 1 + base.length + 3;
    assert.equal(extended.prefill.promptTokens, promptLength);
    assert.equal(extended.prefill.targetReused, 1 + base.length, "everything the target held (BOS + base) is reused");
    assert.equal(extended.prefill.targetEvaluated, 2, "the new tokens but the last");
    assert.equal(targetMeter() - target0, 2, "node-llama-cpp's own meter counts 2 input tokens (passes with logits count as output)");
    assert.equal(extended.prefill.draftEvaluated, draftMeter() - draft0);
    assert.ok(extended.prefill.draftEvaluated <= 4, `draft evaluated ${extended.prefill.draftEvaluated}`);

    const edited = await engine.generate(base.slice(0, 20) + "x", {maxTokens: 1});
    assert.equal(edited.prefill.targetReused, 21, "a change in the middle keeps the prefix before it");
    assert.equal(edited.prefill.targetEvaluated, 0);
  });

  it("switches policies between generations without reloading the models", async () => {
    const models = engine.info;
    for (const policy of ALL_POLICIES) {
      engine.setPolicy(policy);
      assert.equal(engine.policy.name, policy.name);
      const result = await engine.generate("abc", {maxTokens: 12, temperature: 0.7, seed: 2});
      assert.equal(result.policy, policy.name);
      if (policy.name === "off") assert.equal(result.totals.drafted, 0);
      if (policy.name === "static" && "k" in policy && policy.k === 8) {
        // Every model-drafted round drafts k = 8, or fewer only where fewer tokens are still wanted
        // (the round's bonus token is the last one); a lookup round drafts what its match gives.
        let before = 0;
        for (const round of result.rounds) {
          const room = Math.min(8, 12 - before - 1);
          if (round.drafter === "lookup") assert.ok(round.drafted <= room, `round ${round.index}: ${round.drafted} lookup drafts, room for ${room}`);
          else assert.equal(round.drafted, room, `round ${round.index} after ${before} tokens`);
          before += round.emitted;
        }
        assert.ok(result.rounds.some(r => r.drafter === "model" && r.drafted === 8), "k = 8 drafts in at least one round");
      }
    }
    assert.equal(engine.info, models);
    assert.throws(() => engine.setPolicy({name: "static", k: -1}), /static\.k/);
    assert.equal(engine.policy.name, ALL_POLICIES.at(-1)!.name, "a rejected spec keeps the previous policy");
  });

  it("repeats a sampled generation exactly for the same seed", async () => {
    // The paper's AdaEDL with the model drafter learns nothing between generations that changes
    // its decisions; a rule that reads a learned map (lookup's, the cost-aware one) drafts
    // differently once it has learned, and then draws differently from the same seed.
    engine.setPolicy({name: "adaedl"});
    const options = {maxTokens: 30, temperature: 1, drafter: "model" as const};
    const a = await engine.generate("abc", {...options, seed: 77});
    const b = await engine.generate("abc", {...options, seed: 77});
    const c = await engine.generate("abc", {...options, seed: 78});
    assert.deepEqual(a.tokens, b.tokens);
    assert.equal(a.seed, 77);
    assert.notDeepEqual(a.tokens, c.tokens);
  });

  it("reports rounds and aggregates to subscribers, with a speed-up estimate", async () => {
    engine.resetStats();
    engine.setPolicy({name: "adaedl"});
    const rounds: RoundRecord[] = [];
    const generations: GenerationReport[] = [];
    const onRound = (r: RoundRecord) => rounds.push(r);
    const onGeneration = (g: GenerationReport) => generations.push(g);
    engine.on("round", onRound).on("generation", onGeneration);
    const result = await engine.generate("abcd", {maxTokens: 40, stopOnEog: false});
    engine.off("round", onRound).off("generation", onGeneration);
    assert.equal(rounds.length, result.rounds.length);
    assert.equal(generations.length, 1);
    const stats = engine.stats();
    assert.equal(stats.generations, 1);
    assert.equal(stats.tokens, 40);
    assert.equal(stats.rounds, rounds.length);
    assert.equal(stats.drafted, rounds.reduce((s, r) => s + r.drafted, 0));
    assert.equal(stats.accepted, rounds.reduce((s, r) => s + r.accepted, 0));
    assert.ok(rounds.every(r => r.entropies.length === (r.drafter === "lookup" ? 0 : r.drafted) && r.lambda !== undefined && r.verifyMs > 0));
    assert.equal(stats.lookupDrafted, rounds.filter(r => r.drafter === "lookup").reduce((s, r) => s + r.drafted, 0));
    assert.ok(stats.lookupDrafted > 0 && stats.lookupDrafted < stats.drafted, `both drafters drafted (${stats.lookupDrafted} of ${stats.drafted} by lookup)`);
    assert.ok(stats.targetTokenMs > 0 && Number.isFinite(stats.estimatedSpeedup) && stats.estimatedSpeedup > 0);
    assert.equal(stats.targetPassesPerToken, rounds.length / 40);
    engine.resetStats();
    assert.equal(engine.stats().tokens, 0);
  });
});
