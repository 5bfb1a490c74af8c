// The benchmark runner and its outputs on Markov-chain models (fast and exactly known).
import assert from "node:assert/strict";
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {writePlots} from "../../src/lab/bench/plots";
import {benchJson, benchTable} from "../../src/benchmark/report";
import {labColumns} from "../../src/lab/bench/lineup";
import {BenchResult, runBenchmark} from "../../src/benchmark/runner";
import {tasksFromJsonl, tasksFromSources} from "../../src/benchmark/tasks";
import {DraftstopEngine} from "../../src/engine";
import {makeMarkovPair, MarkovPair} from "../engine/helpers/markovPair";

describe("benchmark", function () {
  this.timeout(600_000);
  let pair: MarkovPair;
  let engine: DraftstopEngine;
  let dir: string;
  let result: BenchResult;

  before(async () => {
    pair = makeMarkovPair({seed: 3, eosProbability: 0.02, cycleBoost: 0.5, draftMix: 0.7, fimLayouts: ["psm"]});
    engine = await DraftstopEngine.load({targetPath: pair.targetPath, draftPath: pair.draftPath, threads: 1, contextSize: 512});
    dir = mkdtempSync(join(tmpdir(), "draftstop-bench-"));
    const tasks = Array.from({length: 3}, (_, i) => ({id: `t${i}`, prefix: "abcdefgh".slice(i) + "ab", suffix: "hg"}));
    result = await runBenchmark(engine, {tasks, columns: labColumns({draftModel: engine.hasDraft}), repeats: 2, temperatures: [0, 1], maxTokens: 24});
  });
  after(async () => {
    await engine?.dispose();
    pair?.cleanup();
    rmSync(dir, {recursive: true, force: true});
  });

  it("runs every policy at every temperature, with target-only as the baseline", () => {
    const labels = labColumns().length;
    assert.equal(result.runs.length, labels * 2);
    for (const temperature of [0, 1]) {
      const off = result.runs.find(r => r.policy === "off" && r.temperature === temperature)!;
      assert.equal(off.speedup, 1);
      assert.deepEqual(off.spread, {min: 1, max: 1});
      assert.equal(off.meanDraftLength, 0);
    }
    const optimumAtT1 = result.runs.find(r => r.policy === "optimum" && r.temperature === 1)!;
    assert.ok(optimumAtT1.tokens === 0 && Number.isNaN(optimumAtT1.speedup), "the optimum is defined at T = 0 only, and says nothing at T = 1");
    for (const run of result.runs.filter(r => r !== optimumAtT1)) {
      assert.equal(run.repeats, 2, run.label);
      assert.ok(run.tokensPerSecond > 0 && run.tokens > 0, run.label);
      assert.ok(run.spread.min <= run.speedup && run.speedup <= run.spread.max, run.label);
    }
    for (const temperature of [0, 1]) {
      const lookup = result.runs.find(r => r.label === "lookup" && r.temperature === temperature)!;
      assert.equal(lookup.draftPassesPerToken, 0, `T=${temperature}: lookup alone runs no draft model`);
      assert.ok(lookup.lookupShare === 1 || lookup.acceptanceRate === 0, `T=${temperature}: what lookup alone accepted is lookup's`);
    }
    const staticK4 = result.runs.find(r => r.label === "static(k=4)" && r.temperature === 0)!;
    assert.ok(staticK4.meanDraftLength > 3.5 && staticK4.meanDraftLength <= 4, `static K=4 drafts 4 (capped at the end): ${staticK4.meanDraftLength}`);
  });

  it("the hindsight oracle never drafts a token the target rejects (greedy)", () => {
    const oracle = result.runs.find(r => r.policy === "matchOracle" && r.temperature === 0)!;
    assert.equal(oracle.acceptanceRate, 1);
    const adaedl = result.runs.find(r => r.policy === "adaedl" && r.temperature === 0)!;
    assert.ok(oracle.tokensPerRound >= adaedl.tokensPerRound * 0.999, "no policy gets more tokens per target pass at T = 0");
  });

  it("node-llama-cpp's own predictor is really used: its predictions get validated", () => {
    // With the predictor's default minTokens 0 every pass went out without a prediction, so the
    // peer was target-only with overhead and its acceptance rate was 0 ÷ 0.
    for (const temperature of [0, 1]) {
      const peer = result.runs.find(r => r.policy === "nlcDraftPredictor" && r.temperature === temperature)!;
      assert.ok(peer.acceptanceRate > 0, `T=${temperature}: ${peer.acceptanceRate}`);
    }
  });

  it("records entropy bins, draft lengths and AdaEDL's λ trace", () => {
    const decided = result.entropyBins.reduce((s, b) => s + b.drafted, 0);
    assert.ok(decided > 100);
    assert.ok(result.entropyBins.every(b => b.accepted <= b.drafted && b.lo < b.hi));
    const k4 = result.draftLengths.find(d => d.label === "static(k=4)" && d.temperature === 0)!;
    assert.ok(k4.counts[4]! > 0 && k4.counts.slice(5).every(c => c === 0));
    const trace = result.lambdaTraces.find(t => t.temperature === 0)!;
    assert.ok(trace.lambda.length > 10 && trace.lambda.every(l => l >= 0 && l <= 1));
  });

  it("writes the JSON schema, the table and four SVG plots", async () => {
    const json = benchJson(result, engine.info, false);
    const file = join(dir, "bench.json");
    writeFileSync(file, JSON.stringify(json));
    const read = JSON.parse(readFileSync(file, "utf8"));
    assert.deepEqual(Object.keys(read.models), ["target", "draft", "padded"]);
    assert.deepEqual(Object.keys(read.machine), ["cpu", "gpu", "threads"]);
    for (const key of ["policy", "params", "temperature", "tokensPerSecond", "speedup", "acceptanceRate", "meanDraftLength", "tokensPerRound",
      "targetPassesPerToken", "draftPassesPerToken", "spread", "repeats"])
      assert.ok(key in read.runs[0], key);
    assert.deepEqual(new Set(read.runs.map((r: {policy: string}) => r.policy)),
      new Set(["off", "static", "maxConfidence", "heuristic", "nlcDraftPredictor", "adaedl", "costAware", "matchOracle", "optimum"]));
    assert.ok(read.entropyBins.every((b: object) => ["lo", "hi", "drafted", "accepted"].every(k => k in b)));
    const table = benchTable(result, "heading");
    assert.match(table, /adaedl/);
    assert.equal(table.split("\n").length, 4 + result.runs.length + 4, "heading, blank, header, rule, the runs, blank and three cost lines");
    assert.match(table, /cost model at load \(\d+ ms\): {2}C_t\(n\)\/C_t\(1\) n=1\.\.17: 1\.00 /);
    assert.equal(read.costs.atLoad.greedy.target.length, 17);
    assert.ok(read.costs.afterRun.greedy.target.every((r: number, i: number, all: number[]) => r >= 1 && (i === 0 || r >= all[i - 1]!)),
      "C_t(n)/C_t(1) starts at 1 and never falls");
    assert.ok(read.costs.afterRun.greedy.draft > 0);
    const plots = await writePlots(result, join(dir, "plots"), "markov pair");
    assert.deepEqual(plots.map(p => p.split("/").pop()), ["speedup.svg", "acceptance-entropy.svg", "draft-lengths.svg", "lambda.svg"]);
    for (const plot of plots) assert.match(readFileSync(plot, "utf8"), /^<svg[^>]*>.*<\/svg>$/s);
  });

  it("cuts tasks deterministically from source folders and reads JSONL", () => {
    const root = join(__dirname, "..", "..", "..", "src", "engine");
    const a = tasksFromSources([root], {count: 5, seed: 9});
    const b = tasksFromSources([root], {count: 5, seed: 9});
    assert.deepEqual(a, b);
    assert.notDeepEqual(tasksFromSources([root], {count: 5, seed: 10}), a);
    assert.ok(a.every(t => t.prefix.length > 0 && t.id.includes(":")));
    // the rest of the cursor's line is cut out (something to complete), the rest is the file's own text
    for (const task of a) {
      const file = readFileSync(join(root, "..", "..", task.id.split(":")[0]!.replace(/^.*?src\//, "src/")), "utf8");
      assert.ok(task.removed && task.removed.trim().length > 0, task.id);
      assert.ok(task.suffix.startsWith("\n"), task.id);
      assert.ok(file.includes(task.prefix + task.removed + task.suffix), task.id);
    }
    const jsonl = join(dir, "tasks.jsonl");
    writeFileSync(jsonl, '{"prefix": "a", "suffix": "b"}\n\n{"id": "x", "prefix": "c", "suffix": ""}\n');
    assert.deepEqual(tasksFromJsonl(jsonl), [{id: `${jsonl}:1`, prefix: "a", suffix: "b"}, {id: "x", prefix: "c", suffix: ""}]);
    writeFileSync(jsonl, '{"prefix": 1}\n');
    assert.throws(() => tasksFromJsonl(jsonl), /tasks\.jsonl:1: needs string fields "prefix" and "suffix"/);
  });
});
