// The benchmark's task sets and lookup columns on Markov-chain models (fast and exactly known): FIM
// and editing tasks in one interleaved run, reported per set and as the mix, with the share of
// accepted drafts lookup proposed.
import assert from "node:assert/strict";
import {benchJson, benchTable} from "../../src/benchmark/report";
import type {BenchColumn} from "../../src/benchmark/column";
import {productColumns} from "../../src/benchmark/lineup";
import {labColumns} from "../../src/lab/bench/lineup";
import {policyColumn} from "../../src/benchmark/policyColumn";
import {LLAMA_CPP_DEFAULTS, llamaCppColumns} from "../../src/lab/bench/llamaCppRun";
import {BenchResult, runBenchmark} from "../../src/benchmark/runner";
import {BenchSetupError} from "../../src/benchmark/errors";
import {summaryLines} from "../../src/lab/bench/summary";
import {BenchTask, interleave} from "../../src/benchmark/tasks";
import {DraftstopEngine} from "../../src/engine";
import {makeMarkovPair, MarkovPair} from "../engine/helpers/markovPair";

const LOOKUP_LABELS = ["lookup", "lookup(vote)", "costAware+lookup"];

describe("benchmark line-up", () => {
  it("names the lookup columns and runs the model's columns with the draft model", () => {
    const columns = labColumns();
    const labels = columns.map(c => c.label);
    for (const label of LOOKUP_LABELS) assert.ok(labels.includes(label), label);
    assert.equal(new Set(labels).size, labels.length, "every column has a name of its own");
    const byLabel = (label: string) => columns[labels.indexOf(label)]!;
    assert.equal(byLabel("costAware").drafter, "model", "not the engine's default, which mixes in lookup");
    assert.equal(byLabel("static(k=4)").drafter, "model");
    assert.equal(byLabel("matchOracle(maxDraft=16)").drafter, "model");
    assert.equal(byLabel("lookup").drafter, "lookup");
    const vote = byLabel("lookup(vote)");
    assert.deepEqual([vote.policy, vote.params, vote.drafter, vote.lookupChoice], ["costAware", {}, "lookup", "vote"]);
    assert.equal(byLabel("costAware+lookup").drafter, "both");
    assert.equal(byLabel("off").drafter, undefined);
    assert.equal(byLabel("nlcDraftPredictor").drafter, undefined);
    assert.deepEqual(columns.filter(c => c.baseline).map(c => c.label), ["off"]);
    assert.deepEqual(columns.filter(c => c.tracesLambda).map(c => c.label), ["adaedl"]);
    assert.deepEqual(columns.filter(c => !c.countsRounds).map(c => c.label), ["nlcDraftPredictor"]);
    assert.equal(policyColumn({name: "static", params: {k: 4}, drafter: "lookup", lookupChoice: "vote"}).label, "lookup/static(k=4)(vote)");
    assert.deepEqual(labColumns({draftModel: false}).map(c => c.label), ["off", "lookup", "lookup(vote)"]);
    assert.deepEqual(columns.filter(c => !c.needsDraftModel).map(c => c.label), ["off", "lookup", "lookup(vote)"]);
    assert.throws(() => policyColumn({name: "static", params: {k: 0}}), /static\.k/, "a bad parameter fails when the column is made");
  });

  it("the editor's line-up is Draftstop's policies only: no peer and no oracle ship", () => {
    const product = productColumns().map(c => c.label);
    assert.deepEqual(labColumns().map(c => c.label).slice(0, product.length), product, "the lab runs the product's columns first");
    assert.deepEqual(labColumns().map(c => c.label).slice(product.length), ["nlcDraftPredictor", "matchOracle(maxDraft=16)", "optimum(maxDraft=16)"]);
    for (const column of productColumns()) assert.ok(column.countsRounds && !["matchOracle", "optimum", "nlcDraftPredictor"].includes(column.policy), column.label);
    assert.deepEqual(productColumns({draftModel: false}).map(c => c.label), ["off", "lookup", "lookup(vote)"]);
  });

  it("takes the lab's llama.cpp columns as peers, before the oracle, named and flagged as before", () => {
    const labels = labColumns({llamaCpp: llamaCppColumns()}).map(c => c.label);
    assert.deepEqual(labels.slice(-5), ["nlcDraftPredictor", "llamaCppTargetOnly", "llamaCppSpeculative(draftMax=16,draftMin=1,pMin=0.5)", "matchOracle(maxDraft=16)", "optimum(maxDraft=16)"]);
    const [targetOnly, speculative] = llamaCppColumns();
    assert.deepEqual([targetOnly!.policy, targetOnly!.params, targetOnly!.needsDraftModel], ["llamaCppTargetOnly", {}, false]);
    assert.deepEqual([speculative!.policy, speculative!.params, speculative!.needsDraftModel], ["llamaCppSpeculative", LLAMA_CPP_DEFAULTS, true]);
    for (const column of [targetOnly!, speculative!]) assert.ok(!column.countsRounds && column.drafter === undefined && !column.baseline, column.label);
    assert.deepEqual(labColumns({draftModel: false, llamaCpp: llamaCppColumns()}).map(c => c.label), ["off", "lookup", "lookup(vote)"],
      "a target alone: the peers run beside the draft model's columns only");
  });
});

describe("benchmark sets and lookup columns", function () {
  this.timeout(600_000);
  let pair: MarkovPair;
  let engine: DraftstopEngine;
  let result: BenchResult;
  // Prompts that repeat themselves, as the code around an edit does; the greedy chain cycles too (cycleBoost).
  const fim: BenchTask[] = [0, 1].map(i => ({id: `fim${i}`, prefix: "hgfedcba".slice(i) + "ab", suffix: "hg"}));
  const edit: BenchTask[] = [0, 1].map(i => ({id: `edit${i}`, prefix: "abcdefgh\nabcdefgh\n".repeat(2 + i) + "abc", suffix: "\nabcdefgh", set: "edit"}));
  const columns: BenchColumn[] = [
    policyColumn({name: "off"}),
    policyColumn({name: "costAware"}),
    policyColumn({name: "costAware", drafter: "lookup"}),
    policyColumn({name: "costAware", drafter: "lookup", lookupChoice: "vote"}),
    policyColumn({name: "costAware", drafter: "both"})
  ];

  before(async () => {
    pair = makeMarkovPair({seed: 3, eosProbability: 0.02, cycleBoost: 0.5, draftMix: 0.7, fimLayouts: ["psm"]});
    engine = await DraftstopEngine.load({targetPath: pair.targetPath, draftPath: pair.draftPath, threads: 1, contextSize: 512});
    result = await runBenchmark(engine, {tasks: interleave(fim, edit), columns, repeats: 2, temperatures: [0], maxTokens: 24});
  });
  after(async () => {
    await engine?.dispose();
    pair?.cleanup();
  });

  it("reports the mix and each set, with their task counts, each against target-only on the same tasks", () => {
    assert.deepEqual(result.settings.sets, {fim: 2, edit: 2});
    assert.equal(result.runs.length, columns.length);
    assert.ok(result.runs.every(r => r.set === "mix" && r.tasks === 4));
    assert.deepEqual(result.setRuns.map(r => `${r.set}:${r.label}:${r.tasks}`),
      ["fim", "edit"].flatMap(set => ["off", "costAware", ...LOOKUP_LABELS].map(label => `${set}:${label}:2`)));
    for (const run of [...result.runs, ...result.setRuns].filter(r => r.policy === "off")) assert.equal(run.speedup, 1, run.set);
    for (const run of result.runs) {
      const parts = result.setRuns.filter(r => r.label === run.label);
      assert.equal(run.tokens, parts.reduce((s, r) => s + r.tokens, 0), `${run.label}: the mix is the sum of the sets`);
      assert.equal(run.tokens, 4 * 2 * 24, `${run.label}: 4 tasks × 2 repeats × 24 tokens`);
    }
  });

  it("runs the lookup columns with lookup drafts only, and says how much of what was accepted lookup proposed", () => {
    const at = (label: string, set = "mix") => [...result.runs, ...result.setRuns].find(r => r.label === label && r.set === set)!;
    assert.ok(Number.isNaN(at("costAware").lookupShare), "the model's column has no lookup share");
    assert.equal(at("costAware").drafter, "model");
    for (const label of ["lookup", "lookup(vote)"]) {
      assert.equal(at(label).draftPassesPerToken, 0, `${label}: the draft model never ran`);
      assert.ok(at(label).acceptanceRate > 0, `${label}: lookup drafted and the target accepted some`);
      assert.equal(at(label).lookupShare, 1, `${label}: every accepted draft was lookup's`);
    }
    assert.equal(at("lookup(vote)").lookupChoice, "vote");
    const both = at("costAware+lookup");
    assert.ok(both.lookupShare! >= 0 && both.lookupShare! <= 1);
    assert.ok(at("lookup", "edit").acceptanceRate > 0, "the repeated lines of the editing tasks are copied");
  });

  it("prints the mix as before plus a lookup column, then a section per set; JSON and the summary carry the sets", () => {
    const table = benchTable(result, "heading");
    const lines = table.split("\n");
    if (process.env.DRAFTSTOP_SHOW_BENCH) console.log(`${table}\n${summaryLines("markov", result)}`);
    assert.equal(lines[2], "all tasks (2 FIM + 2 editing):");
    assert.match(lines[3]!, /^T +policy +tok\/s .* drf pass\/tok +lookup % +bookkeeping +entropy\/draft time$/);
    const rows = columns.length;
    assert.equal(lines.length, 3 + (2 + rows) + 2 * (2 + 2 + rows) + 4, "heading, blank, title; the mix; two set sections; blank and three cost lines");
    assert.equal(lines[3 + 2 + rows + 1], "FIM tasks only (2), against target-only on them:");
    assert.equal(lines[3 + (2 + rows) + (4 + rows) + 1], "editing tasks only (2), against target-only on them:");
    // A cell by the spans of the rule under the header.
    const spans = [...lines[4]!.matchAll(/-+/g)].map(m => [m.index!, m.index! + m[0].length] as const);
    const column = (name: string) => lines[3]!.split(/ {2,}/).indexOf(name);
    const cell = (label: string, name: string) => {
      const [from, to] = spans[column(name)]!;
      return lines.find(l => l.startsWith(`0  ${label} `))!.slice(from, to).trim();
    };
    assert.equal(cell("lookup", "lookup %"), "100 %");
    assert.match(cell("lookup", "bookkeeping"), /^\d+\.\d %$/, "the lookup's matching is its one cost");
    assert.equal(cell("lookup", "entropy/draft time"), "", "no draft model time to compare with");
    assert.equal(cell("costAware", "lookup %"), "", "no lookup share for the model's column");
    assert.equal(cell("off", "bookkeeping"), "", "target-only keeps no books");

    const json = JSON.parse(JSON.stringify(benchJson(result, engine.info, false)));
    assert.deepEqual(json.settings.sets, {fim: 2, edit: 2});
    assert.deepEqual([...new Set(json.setRuns.map((r: {set: string}) => r.set))], ["fim", "edit"]);
    assert.equal(json.runs.find((r: {label: string}) => r.label === "lookup").lookupShare, 1);
    assert.equal(json.runs.find((r: {label: string}) => r.label === "costAware").lookupShare, null, "NaN is written as null");

    const summary = summaryLines("markov", result).split("\n");
    assert.equal(summary.length, 3, "the mix, then fim and edit");
    assert.match(summary[0]!, /^ {2}markov +T=0 +target-only [\d.]+ tok\/s; costAware [\d.]+×, .*lookup [\d.]+×, lookup\(vote\) [\d.]+×, costAware\+lookup [\d.]+× \(lookup \d+ % of its accepted drafts\)$/);
    assert.match(summary[1]!, /^ +fim \(2 tasks\): target-only [\d.]+ tok\/s; costAware [\d.]+×, lookup [\d.]+×, costAware\+lookup [\d.]+×/);
    assert.match(summary[2]!, /^ +edit \(2 tasks\): /);
  });

  it("runs target-only and the lookup columns without a draft model, and names the columns that need one", async () => {
    const alone = await DraftstopEngine.load({targetPath: pair.targetPath, threads: 1, contextSize: 512});
    try {
      const run = await runBenchmark(alone, {tasks: edit, columns: labColumns({draftModel: alone.hasDraft}), repeats: 1, temperatures: [0], maxTokens: 16});
      assert.deepEqual(run.runs.map(r => r.label), ["off", "lookup", "lookup(vote)"]);
      assert.deepEqual(run.settings.sets, {fim: 0, edit: 2});
      assert.deepEqual(run.setRuns.map(r => r.set), ["edit", "edit", "edit"], "only the sets present");
      assert.equal(benchTable(run, "h").split("\n").length, 4 + 3 + 4, "one set: no sections beside the mix");
      assert.ok(run.runs.find(r => r.label === "lookup")!.acceptanceRate > 0);
      await assert.rejects(runBenchmark(alone, {tasks: edit, columns: [policyColumn({name: "off"}), policyColumn({name: "static", params: {k: 2}})], repeats: 1, temperatures: [0]}),
        (error: unknown) => error instanceof BenchSetupError && /^the columns static\(k=2\) draft with the draft model/.test(error.message) && /load a draft model/.test(error.message));
    } finally {
      await alone.dispose();
    }
  });
});
