// The policy replay on real models (Markov-chain GGUF files): cost-aware AdaEDL replayed on the
// traces of a few generations drafts, is accepted and is charged exactly what the engine's own
// runs of the same generations are under the same profile, learning as it goes.
import assert from "node:assert/strict";
import {createPolicy, DraftstopEngine} from "../../src/engine";
import {CostProfile, ProfileClock} from "../../src/engine/drafting/passClock";
import {GENERATE_DEFAULTS} from "../../src/engine/options";
import {draftTrace} from "../../src/lab/bench/draftTrace";
import {referenceContinuation} from "../../src/lab/bench/oracle";
import {replayCalibration, replayPolicy} from "../../src/lab/bench/policyReplay";
import {makeMarkovPair, MarkovPair} from "../engine/helpers/markovPair";

/**
 * Cheap drafting on a flat curve, where the rule drafts long rounds, past rejections too; and dear
 * drafting on a steep one, where the gate keeps the draft out and explores.
 */
const PROFILES: CostProfile[] = [
  {name: "cheap", targetTokenMs: 10, target: Array.from({length: 17}, (_, i) => 1 + 0.02 * i), draft: 0.03, bookkeepingMs: 0.05, lookupMs: 0.5},
  {name: "dear", targetTokenMs: 10, target: Array.from({length: 17}, (_, i) => 1 + 0.6 * i), draft: 0.4, bookkeepingMs: 0.05, lookupMs: 0.5}
];
const PROMPTS = ["abcab", "cabca", "bbcab", "acbac", "cabab", "abcca"];

describe("the policy replay", function () {
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

  for (const profile of PROFILES) it(`charges cost-aware AdaEDL on traces exactly what the engine's runs cost under the profile (${profile.name} drafting)`, async () => {
    const maxTokens = 32;
    const sampling = {maxTokens, stopOnEog: false, temperature: 0, topK: 40, topP: 0.95, seed: 1};
    const engineRun = {totalMs: 0, rounds: 0, drafted: 0, accepted: 0, draftRounds: 0};
    const policy = createPolicy({name: "costAware"});
    const clock = new ProfileClock(profile);
    const traces = [];
    for (const text of PROMPTS) {
      const prompt = engine.tokenize(text, {bos: true});
      const continuation = await referenceContinuation(engine, prompt, sampling);
      traces.push(await draftTrace(engine.loadedPair.draft!.sequence, prompt, continuation, GENERATE_DEFAULTS.entropyTopK, 16));
      const report = await engine.experiment(prompt, {...sampling, drafter: "model"}, {policy, recordStats: false, clock, learningScope: profile.name});
      assert.deepEqual(report.tokens, continuation, "greedy: the target's own text");
      engineRun.totalMs += report.totals.decodeMs;
      engineRun.rounds += report.rounds.length;
      for (const round of report.rounds) {
        engineRun.drafted += round.drafted;
        engineRun.accepted += round.accepted;
        if (round.drafted > 0) engineRun.draftRounds++;
      }
    }
    const replay = replayPolicy(traces, createPolicy({name: "costAware"}), clock, replayCalibration(clock));
    assert.ok(engineRun.draftRounds > 2, `rounds that draft (${JSON.stringify(engineRun)})`);
    if (profile.name === "cheap") assert.ok(engineRun.accepted < engineRun.drafted && engineRun.drafted > 2 * engineRun.draftRounds, `long rounds, some drafts rejected (${JSON.stringify(engineRun)})`);
    else assert.ok(engineRun.rounds > 2 * engineRun.draftRounds, `mostly target-only rounds (${JSON.stringify(engineRun)})`);
    assert.deepEqual({rounds: replay.rounds, drafted: replay.drafted, accepted: replay.accepted, draftRounds: replay.draftRounds},
      {rounds: engineRun.rounds, drafted: engineRun.drafted, accepted: engineRun.accepted, draftRounds: engineRun.draftRounds});
    assert.ok(Math.abs(replay.totalMs - engineRun.totalMs) < 1e-6, `replay ${replay.totalMs} ms, engine ${engineRun.totalMs} ms`);
    assert.equal(replay.targetOnlyMs, PROMPTS.length * maxTokens * 10);
  });
});
