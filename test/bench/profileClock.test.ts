// The cost-profile clock on real models (Markov-chain GGUF files): every pass is charged exactly
// what the profile says, and two benchmark runs under it give the same JSON, greedy and sampled.
import assert from "node:assert/strict";
import {benchJson} from "../../src/benchmark/report";
import {policyColumn} from "../../src/benchmark/policyColumn";
import {runBenchmark} from "../../src/benchmark/runner";
import {createPolicy, DraftstopEngine} from "../../src/engine";
import {CostProfile, ProfileClock} from "../../src/engine/drafting/passClock";
import {oracleColumn} from "../../src/lab/bench/oracle";
import {optimumColumn} from "../../src/lab/bench/optimumColumn";
import {makeMarkovPair, MarkovPair} from "../engine/helpers/markovPair";

/** Costs chosen so that every charge is told apart: C_t(n) = 10 + (n − 1) ms, C_d = 0.5 ms, bookkeeping 0.25 ms. */
const PROFILE: CostProfile = {name: "hand", targetTokenMs: 10, target: Array.from({length: 17}, (_, i) => 1 + 0.1 * i), draft: 0.05, bookkeepingMs: 0.25, lookupMs: 0.5};
const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;

describe("the cost-profile clock", function () {
  this.timeout(300_000);
  let pair: MarkovPair;
  let engine: DraftstopEngine;

  before(async () => {
    pair = makeMarkovPair({seed: 5, cycleBoost: 0.5, draftMix: 0.8, fimLayouts: ["psm"]});
    engine = await DraftstopEngine.load({targetPath: pair.targetPath, draftPath: pair.draftPath, threads: 1, contextSize: 512});
  });
  after(async () => {
    await engine?.dispose();
    pair?.cleanup();
  });

  it("charges a static K = 2 run exactly the profile's costs, round by round (sampled, so that acceptance varies)", async () => {
    const clock = new ProfileClock(PROFILE);
    const report = await engine.experiment("abcab", {maxTokens: 40, temperature: 1, seed: 11, drafter: "model"},
      {policy: createPolicy({name: "static", k: 2}), recordStats: false, clock, learningScope: "hand"});
    assert.ok(report.rounds.length > 5 && report.rounds.some(r => r.accepted === 2) && report.rounds.some(r => r.accepted < r.drafted),
      "rounds that accept everything and rounds that do not");
    let pending = 1;
    for (const round of report.rounds) {
      const k = round.drafted;
      // The first draft pass catches up on what the last round left: the bonus token, and the last draft where all were accepted.
      const draftMs = k === 0 ? 0 : 0.5 * (1 + 0.1 * (pending - 1)) + 0.5 * (k - 1);
      assert.ok(close(round.verifyMs, 10 * (1 + 0.1 * k)), `round ${round.index}: C_t(${k + 1})`);
      assert.ok(close(round.draftMs, draftMs), `round ${round.index}: ${round.draftMs} ms of drafting, ${draftMs} expected (pending ${pending})`);
      assert.ok(close(round.entropyMs, 0.25 * k), `round ${round.index}: bookkeeping per draft pass`);
      assert.ok(close(round.totalMs, round.verifyMs + round.draftMs + round.entropyMs), "a round costs its passes and decisions alone");
      pending = k === 0 ? pending + 1 : round.accepted === k ? 2 : 1;
    }
    assert.ok(close(report.totals.decodeMs, report.rounds.reduce((sum, r) => sum + r.totalMs, 0)));
  });

  it("charges target-only C_t(1) a token, and gives the same JSON on two runs, greedy and seeded sampling", async () => {
    const tasks = Array.from({length: 3}, (_, i) => ({id: `t${i}`, prefix: "abcdefgh".slice(i) + "abca", suffix: "hg"}));
    const run = () => runBenchmark(engine, {
      tasks, columns: [policyColumn({name: "off"}), policyColumn({name: "static", params: {k: 3}}), policyColumn({name: "costAware"}), policyColumn({name: "adaedl"}),
        policyColumn({name: "costAware", drafter: "both"}), oracleColumn(16), optimumColumn(16)],
      repeats: 2, temperatures: [0, 1], maxTokens: 24, seed: 7, clock: new ProfileClock(PROFILE)
    });
    const first = await run();
    const off = first.runs.find(r => r.policy === "off" && r.temperature === 0)!;
    assert.ok(close(off.decodingMs!, 10 * off.tokens), "target-only: one C_t(1) per token");
    assert.ok(close(off.tokensPerSecond, 100), "so 100 tokens a second at 10 ms a token");
    const second = await run();
    assert.deepEqual(benchJson(second, engine.info, false), benchJson(first, engine.info, false));
    assert.equal((first.settings.clock as CostProfile).name, "hand");
    assert.ok(first.runs.some(r => r.policy !== "off" && r.speedup !== 1), "the policies' figures differ from target-only's");
    const greedy = first.runs.filter(r => r.temperature === 0);
    const optimum = greedy.find(r => r.policy === "optimum")!;
    for (const run of greedy) {
      assert.equal(run.tokens, optimum.tokens, `${run.label}: every rule emits the same greedy text`);
      assert.ok(optimum.decodingMs! <= run.decodingMs! + 1e-9, `no rule beats the optimum at T = 0: ${run.label} ${run.decodingMs} ms, optimum ${optimum.decodingMs} ms`);
    }
  });

  it("learns under a profile only in a scope of its own, never into the window's saved state", async () => {
    await assert.rejects(engine.experiment("ab", {maxTokens: 4, temperature: 0}, {policy: createPolicy({name: "costAware"}), recordStats: false, clock: new ProfileClock(PROFILE)}),
      /learningScope/);
  });

  it("refuses a column that runs outside the engine's rounds under a profile", async () => {
    const outside = {...policyColumn({name: "off"}), label: "peer", policy: "peer", baseline: false, countsRounds: false};
    await assert.rejects(runBenchmark(engine, {tasks: [{id: "t", prefix: "ab", suffix: ""}], columns: [policyColumn({name: "off"}), outside], clock: new ProfileClock(PROFILE)}),
      /peer run outside the engine's rounds, so a cost profile cannot charge them/);
  });
});
