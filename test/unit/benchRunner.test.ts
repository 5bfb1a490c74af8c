// The benchmark runner with columns of its own making and an engine that only cuts prompts: what
// it does with the columns it is handed (the real columns run on models in test/bench/).
import assert from "node:assert/strict";
import type {BenchColumn, ColumnRun, TaskRun} from "../../src/benchmark/column";
import {runBenchmark} from "../../src/benchmark/runner";
import type {BenchTask} from "../../src/benchmark/tasks";
import type {DraftstopEngine, RoundRecord} from "../../src/engine";

const COSTS = {target: [1], draft: 0.1, targetTokenMs: 1};

/** Enough of an engine for the runner: a prompt per task and a cost model to report. */
/** What the runner asks of an engine; `forgotten` records the learning scopes it drops at the end. */
const fakeEngine = (hasDraft = true, forgotten: string[][] = []) => ({
  hasDraft,
  forgetLearningScopes: (scopes: readonly string[]) => void forgotten.push([...scopes]),
  calibrationSnapshot: () => ({greedyCosts: COSTS, sampledCosts: COSTS, calibrationMs: 0}),
  infillPrompt: (task: BenchTask) => ({tokens: [...task.prefix].map(c => c.charCodeAt(0)), continuesAt: task.prefix.length})
}) as unknown as DraftstopEngine;

const round = (drafted: number, accepted: number, lambda?: number): RoundRecord => ({
  index: 0, drafted, accepted, emitted: accepted + 1, tokens: [], entropies: Array(drafted).fill(0.1), draftPasses: drafted,
  draftMs: drafted, verifyMs: 1, entropyMs: 0, totalMs: drafted + 1, contextLength: 0, ...(lambda === undefined ? {} : {lambda})
});

interface Log {
  /** Learning scopes without their run's number. */
  opened: string[];
  /** As the runner gave them. */
  scopes?: string[];
  calls: string[];
}

/** A column whose every run is `run(task)`; what the runner asks of it goes to `log`. */
function fakeColumn(label: string, log: Log, run: (task: TaskRun) => ColumnRun, extra: Partial<BenchColumn> = {}): BenchColumn {
  return {
    label, policy: "fake", params: {flag: true, n: 2}, needsDraftModel: false, countsRounds: true, ...extra,
    open(_engine, given) {
      const scope = given.replace(/^run \d+: /, "");
      log.opened.push(scope);
      (log.scopes ??= []).push(given);
      return {
        beginPass: () => void log.calls.push(`${scope} pass`),
        prepare: async task => void log.calls.push(`${scope} prepare ${task.task.id}@${task.sampling.temperature}`),
        run: async task => {
          log.calls.push(`${scope} run ${task.task.id}@${task.sampling.temperature}`);
          return run(task);
        },
        dispose: async () => void log.calls.push(`${scope} dispose`)
      };
    }
  };
}

const TASKS: BenchTask[] = [{id: "a", prefix: "ab", suffix: ""}, {id: "b", prefix: "cd", suffix: "", set: "edit"}];

describe("benchmark runner", () => {
  it("runs the columns it is handed: each opened once, a pass per temperature and repeat, prepared before each task, disposed at the end", async () => {
    const log: Log = {opened: [], calls: []};
    const seen: TaskRun[] = [];
    const column = fakeColumn("mine", log, task => {
      seen.push(task);
      return {rounds: [round(3, 2, 0.4), round(1, 0, 0.5)]};
    }, {tracesLambda: true, drafter: "model"});
    const result = await runBenchmark(fakeEngine(), {tasks: TASKS, columns: [column], temperatures: [0, 1], repeats: 2, maxTokens: 8, seed: 5});

    assert.deepEqual(log.opened, ["mine"]);
    assert.deepEqual(log.calls, [
      ...[0, 1].flatMap(t => [0, 1].flatMap(() => ["mine pass", ...["a", "b"].flatMap(id => [`mine prepare ${id}@${t}`, `mine run ${id}@${t}`])])),
      "mine dispose"]);
    assert.deepEqual(seen[0], {task: TASKS[0], prompt: [97, 98], continuesAt: 2, repeat: 0,
      sampling: {maxTokens: 8, stopOnEog: false, temperature: 0, topK: 40, topP: 0.95, seed: 5}});
    assert.equal(seen[3]!.sampling.seed, 5 + 7919 + 104729, "second task of the second repeat");

    assert.deepEqual(result.runs.map(r => [r.label, r.policy, r.params, r.temperature, r.drafter]),
      [["mine", "fake", {flag: true, n: 2}, 0, "model"], ["mine", "fake", {flag: true, n: 2}, 1, "model"]], "a boolean parameter stays a boolean");
    const run = result.runs[0]!;
    assert.equal(run.tokens, 2 * 2 * (3 + 1), "2 tasks × 2 repeats × 4 tokens");
    assert.equal(run.meanDraftLength, 2);
    assert.ok(Number.isNaN(run.speedup), "no baseline column, no speed-up");
    assert.deepEqual(result.setRuns.map(r => [r.set, r.tasks, r.tokens]), [["fim", 1, 8], ["fim", 1, 8], ["edit", 1, 8], ["edit", 1, 8]]);
    assert.deepEqual(result.draftLengths, [{label: "mine", temperature: 0, counts: [0, 4, 0, 4]}, {label: "mine", temperature: 1, counts: [0, 4, 0, 4]}]);
    assert.deepEqual(result.lambdaTraces.map(t => [t.temperature, t.lambda.length]), [[0, 4], [1, 4]], "λ of the first repeat's rounds");
  });

  it("keys results by column, temperature and set: two columns of one label stay apart at every temperature", async () => {
    const log: Log = {opened: [], calls: []};
    // Tokens per millisecond: target-only 1; the twins 2 and 3 at T = 0, twice that at T = 1.
    const peer = (rate: number) => (task: TaskRun): ColumnRun => ({totals: {tokens: 12, decodeMs: 12 / (rate * (1 + task.sampling.temperature))}});
    const columns = [
      fakeColumn("off", log, task => ({totals: {tokens: 12, decodeMs: 12 / (1 + task.sampling.temperature)}}), {baseline: true}),
      fakeColumn("twin", log, peer(2), {countsRounds: false}),
      fakeColumn("twin", log, peer(3), {countsRounds: false})
    ];
    const result = await runBenchmark(fakeEngine(), {tasks: TASKS, columns, temperatures: [0, 1], repeats: 1});
    assert.deepEqual(log.opened, ["off", "twin", "twin#2"], "each column learns under a name of its own");
    const forgotten: string[][] = [];
    await runBenchmark(fakeEngine(true, forgotten), {tasks: TASKS, columns, temperatures: [0], repeats: 1});
    const [first, second] = [log.scopes!.slice(0, 3), log.scopes!.slice(3)];
    assert.deepEqual(forgotten, [second], "a run forgets what its columns learned when it ends");
    assert.ok(first.every(scope => !second.includes(scope)), `a second run learns from nothing, under scopes of its own: ${log.scopes}`);
    assert.deepEqual(result.runs.map(r => [r.label, r.temperature, r.tokens, Math.round(r.speedup * 1000) / 1000]), [
      ["off", 0, 24, 1], ["twin", 0, 24, 2], ["twin", 0, 24, 3],
      ["off", 1, 24, 1], ["twin", 1, 24, 2], ["twin", 1, 24, 3]]);
    assert.ok(result.runs.filter(r => r.label === "twin").every(r => Number.isNaN(r.meanDraftLength)), "a peer has no rounds to count");
    assert.deepEqual(result.draftLengths, [], "no column ran the engine's rounds");
  });

  it("runs the warm-up tasks first at each temperature, in the same learning scope, and counts none of them", async () => {
    const log: Log = {opened: [], calls: []};
    const column = fakeColumn("mine", log, task => ({rounds: task.repeat < 0 ? [round(8, 8)] : [round(1, 1)]}));
    const warmUp: BenchTask[] = [{id: "w", prefix: "wx", suffix: ""}];
    const result = await runBenchmark(fakeEngine(), {tasks: TASKS.slice(0, 1), warmUp, columns: [column], temperatures: [0, 1], repeats: 1, maxTokens: 8, seed: 5});
    assert.deepEqual(log.opened, ["mine"], "one scope: what the warm-up taught, the measured tasks find");
    assert.deepEqual(log.calls, [
      ...[0, 1].flatMap(t => ["mine pass", `mine prepare w@${t}`, `mine run w@${t}`, "mine pass", `mine prepare a@${t}`, `mine run a@${t}`]),
      "mine dispose"]);
    assert.deepEqual(result.runs.map(r => r.tokens), [2, 2], "only the measured task's rounds (2 tokens each), not the warm-up's 9");
  });

  it("rotates the columns from task to task; refuses columns that need a draft model the engine lacks, and one column object twice", async () => {
    const log: Log = {opened: [], calls: []};
    const columns = ["x", "y", "z"].map(label => fakeColumn(label, log, () => ({totals: {tokens: 1, decodeMs: 1}})));
    await runBenchmark(fakeEngine(false), {tasks: [...TASKS, {id: "c", prefix: "e", suffix: ""}], columns, temperatures: [0], repeats: 1});
    const order = (id: string) => log.calls.filter(c => c.includes(` run ${id}@`)).map(c => c[0]);
    assert.deepEqual([order("a"), order("b"), order("c")], [["x", "y", "z"], ["y", "z", "x"], ["z", "x", "y"]]);
    const drafting = fakeColumn("drafts", log, () => ({totals: {}}), {needsDraftModel: true});
    await assert.rejects(runBenchmark(fakeEngine(false), {tasks: TASKS, columns: [...columns, drafting]}), /^BenchSetupError: the columns drafts draft with the draft model/);
    await assert.rejects(runBenchmark(fakeEngine(), {tasks: TASKS, columns: [columns[0]!, columns[0]!]}), /^BenchSetupError: a column appears twice/);
  });
});
