// The CPU's share of a draft pass, by vocabulary size. On a GPU the draft's forward pass gets cheap
// (a 0.5B draft is about 0.6 ms on an H100), but what the engine does around it does not move to the
// GPU: node-llama-cpp picks the top-40 map out of V logits and hands it to JavaScript, and the engine
// then takes its entropy, its argmax and the policy's decision. That work grows with V, and at Qwen's
// 151 936 tokens it can be a large part of what a drafted token costs, so a GPU cost profile
// (CostProfile.bookkeepingMs) that left it out would flatter speculation. This measures it on the
// code path ModelDrafter.draft runs, on this machine's CPU with one thread: at each position, the
// same single-token pass timed twice, once asking for the next token only (the bare pass) and once
// for the top-40 map at T = 1 as greedy drafting does, and then the decision on that map.
//
//   node out/src/lab/cli/bookkeeping.js [--models tiny,smollm2,random151936] [--positions 200]
//     [--context 128] [--file src/engine/engine.ts] [--json FILE]
//
// - Positions are teacher-forced along one source file of this repository (its middle), tokenized
//   by each model, after --context tokens of it. At each position the token is evaluated, erased
//   and evaluated again (erasing leaves the sequence as if it never was: docs/facts.md, "Rollback"),
//   once per variant, the order alternating, so both see the same context and neither is always
//   second. map − bare is taken per position, then summarised.
// - The decision is what ModelDrafter charges to clock.bookkeeping (entropy, argmax, top
//   probability, shouldDraft) plus worthAnotherPass where the round goes on: the per-token CPU work
//   between two draft passes. The policy is cost-aware AdaEDL, prepared as the engine prepares it
//   (policy.prepare with the environment an EngineCalibration gives) under the H100 profile of
//   Qwen2.5-Coder-7B with the 0.5B draft (lab/bench/roofline.ts), so it decides as it would on that
//   GPU. Rounds are simulated: a round drafts while the policy says go (at most maxDraft); its
//   drafts count as accepted while the draft's argmax is the file's next token; update() then ends
//   it. beginRound and update (per round, not per token; the plan's rebuild every 32 rounds lives
//   there) are not timed.
// - random151936 is the tiny draft's shape with random weights and Qwen's vocabulary
//   (entropyTail.ts): its passes cost what that shape costs, its map what V = 151 936 costs.
import {readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {parseArgs} from "node:util";
import {argmax, Distribution, topProbability} from "../../engine/distribution";
import {entropy} from "../../engine/decoding/entropy";
import {EngineCalibration} from "../../engine/drafting/engineCalibration";
import {ProfileClock, profileCostTable} from "../../engine/drafting/passClock";
import {createPolicy} from "../../engine/drafting/policies";
import type {DraftPolicy} from "../../engine/drafting/policy";
import {disposeModel, loadModelPair} from "../../engine/modelPair";
import type {LlamaContextSequence, Token} from "../../engine/nlc";
import {GENERATE_DEFAULTS, resolveGenerateOptions} from "../../engine/options";
import {vocabularyFacts} from "../../engine/vocabulary";
import {DEVICES, gpuProfile, MODELS} from "../bench/roofline";
import {draftPath as smollm2DraftPath} from "../modelmaker/smollm2/common";
import {EntropyTailModel, MODEL_NAMES, quantile, wideVocabularyDraft} from "./entropyTail";
import {repoRoot} from "./repoRoot";
import {tinyPairPaths} from "./tinyPair";
import {columnTable, integerOption} from "./cliText";

const USAGE = `usage: node out/src/lab/cli/bookkeeping.js [options]
  --models LIST    comma-separated: tiny, smollm2, random151936 (default all three)
  --positions N    timed positions per model (default 200)
  --context N      tokens of the file evaluated before the first position (default 128)
  --file F         the source file, relative to the repository (default src/engine/engine.ts)
  --json FILE      also write the figures as JSON`;

/** One thread, always: the figure is the CPU work of one drafting thread. */
const THREADS = 1;
/** Passes before the timed ones, not kept (caches, the allocator, JIT). */
const WARM_UP = 8;
/** The sampler ModelDrafter.draft asks for in greedy mode. */
const MAP_SAMPLER = {temperature: 1, topK: GENERATE_DEFAULTS.entropyTopK, topP: 1, minP: 0};
/** The GPU the policy is prepared for (a profile's bookkeeping does not change its decisions' cost). */
const PROFILE = gpuProfile("h100-qwen7b-q8-0.5b", MODELS.qwen7bQ8, MODELS.qwen0_5bQ8, DEVICES.h100, {ms: 0, source: "none: the policy's environment only"});

interface Stat {median: number; p90: number; mean: number}

interface ModelResult {
  name: string;
  path: string;
  vocabulary: number;
  positions: number;
  file: string;
  policy: string;
  /** Per position, ms. */
  bareMs: number[];
  mapMs: number[];
  decisionMs: number[];
  summary: {bare: Stat; map: Stat; mapCost: Stat; decision: Stat; bookkeeping: Stat; shareOfBare: number};
}

function stat(values: readonly number[]): Stat {
  return {median: quantile(values, 0.5), p90: quantile(values, 0.9), mean: values.reduce((s, x) => s + x, 0) / (values.length || 1)};
}

function modelPath(name: EntropyTailModel): Promise<string> | string {
  if (name === "tiny") return tinyPairPaths().draft;
  if (name === "smollm2") return smollm2DraftPath();
  return wideVocabularyDraft();
}

/** Cost-aware AdaEDL, prepared as engine.ts prepares it, reading PROFILE's costs. */
function preparedPolicy(): DraftPolicy {
  const policy = createPolicy({name: "costAware"});
  const costs = new ProfileClock(PROFILE).costModel();
  const calibration = new EngineCalibration(profileCostTable(PROFILE));
  policy.prepare!({...calibration.environment(resolveGenerateOptions({temperature: 0}), "bookkeeping"), costs});
  return policy;
}

async function pass(sequence: LlamaContextSequence, token: Token, withMap: boolean): Promise<{ms: number; map?: Distribution}> {
  const generateNext = withMap ? {probabilities: true as const, options: MAP_SAMPLER} : {token: true as const};
  const start = performance.now();
  const outputs = await sequence.controlledEvaluate([[token, {generateNext}]]);
  const ms = performance.now() - start;
  const next = outputs.at(-1)?.next;
  if (withMap) {
    const map = next?.probabilities;
    if (!map || map.size === 0) throw new Error("no next-token distribution");
    return {ms, map};
  }
  if (next?.token === undefined) throw new Error("no next token");
  return {ms};
}

async function measureModel(name: EntropyTailModel, options: {positions: number; context: number; file: string},
  log: (line: string) => void): Promise<ModelResult> {
  const path = await modelPath(name);
  const pair = await loadModelPair({targetPath: path, threads: THREADS, gpu: false, contextSize: options.context + WARM_UP + options.positions + 16});
  try {
    const {model, sequence, info} = pair.target;
    const all = model.tokenize(readFileSync(join(repoRoot(), options.file), "utf8"));
    const needed = options.context + WARM_UP + options.positions + 1;
    if (all.length < needed) throw new Error(`${options.file} is ${all.length} tokens for ${name}; ${needed} needed`);
    const start = Math.floor((all.length - needed) / 2);
    const tokens = all.slice(start, start + needed);
    await sequence.eraseContextTokenRanges([{start: 0, end: sequence.nextTokenIndex}]);
    await sequence.controlledEvaluate(tokens.slice(0, options.context));

    const policy = preparedPolicy();
    const result: ModelResult = {
      name, path, vocabulary: vocabularyFacts(info).tokens.length, positions: 0, file: options.file, policy: `${policy.name} (H100 profile)`,
      bareMs: [], mapMs: [], decisionMs: [], summary: undefined!
    };
    // The simulated round: 0 when none is open, else the index of the token about to be decided.
    let index = 0, drafted = 0, accepted = 0, matching = true;
    const endRound = () => {
      policy.update(drafted, accepted, policy.maxDraftThisRound());
      index = 0;
    };
    for (let i = 0; i < WARM_UP + options.positions; i++) {
      const token = tokens[options.context + i]!;
      const mapFirst = i % 2 === 0;
      const first = await pass(sequence, token, mapFirst);
      await sequence.eraseContextTokenRanges([{start: sequence.nextTokenIndex - 1, end: sequence.nextTokenIndex}]);
      const second = await pass(sequence, token, !mapFirst);
      const [mapped, bare] = mapFirst ? [first, second] : [second, first];
      const q = mapped.map!;

      if (index === 0) {
        policy.beginRound?.();
        index = 1;
        drafted = 0;
        accepted = 0;
        matching = true;
      }
      const decideStart = performance.now();
      const h = entropy(q);
      const candidate = argmax(q);
      const go = policy.shouldDraft({index, entropy: h, topProbability: topProbability(q), position: options.context + i + 1});
      const more = go && index < Math.max(1, policy.maxDraftThisRound()) && policy.worthAnotherPass?.(index + 1) !== false;
      const decisionMs = performance.now() - decideStart;

      if (go) {
        drafted++;
        matching &&= candidate === tokens[options.context + i + 1];
        if (matching) accepted++;
      }
      if (more) index++;
      else endRound();
      if (i < WARM_UP) continue;
      result.bareMs.push(bare.ms);
      result.mapMs.push(mapped.ms);
      result.decisionMs.push(decisionMs);
      result.positions++;
    }
    const mapCost = result.mapMs.map((ms, i) => ms - result.bareMs[i]!);
    const bookkeeping = mapCost.map((ms, i) => ms + result.decisionMs[i]!);
    const bare = stat(result.bareMs);
    const bookkeepingStat = stat(bookkeeping);
    result.summary = {
      bare, map: stat(result.mapMs), mapCost: stat(mapCost), decision: stat(result.decisionMs), bookkeeping: bookkeepingStat,
      shareOfBare: bookkeepingStat.median / bare.median
    };
    log(`${name}: V ${result.vocabulary}, ${result.positions} positions of ${options.file}`);
    return result;
  } finally {
    await disposeModel(pair.target);
  }
}

function table(results: readonly ModelResult[]): string {
  const ms = (x: number) => Number.isFinite(x) ? x.toFixed(x !== 0 && Math.abs(x) < 0.1 ? 4 : 3) : "–";
  const rows: Array<[string, (r: ModelResult) => string]> = [
    ["vocabulary V", r => String(r.vocabulary)],
    ["positions", r => String(r.positions)],
    ["bare pass, ms: median", r => ms(r.summary.bare.median)],
    ["  p90", r => ms(r.summary.bare.p90)],
    ["pass + top-40 map, ms: median", r => ms(r.summary.map.median)],
    ["  p90", r => ms(r.summary.map.p90)],
    ["map − bare (the map), ms: median", r => ms(r.summary.mapCost.median)],
    ["  p90", r => ms(r.summary.mapCost.p90)],
    ["decision (H, argmax, policy), ms: median", r => ms(r.summary.decision.median)],
    ["  p90", r => ms(r.summary.decision.p90)],
    ["bookkeeping = map + decision, ms: median", r => ms(r.summary.bookkeeping.median)],
    ["  p90", r => ms(r.summary.bookkeeping.p90)],
    ["  mean", r => ms(r.summary.bookkeeping.mean)],
    ["bookkeeping / bare pass (medians)", r => `${(100 * r.summary.shareOfBare).toFixed(1)} %`]
  ];
  return [
    `CPU, ${THREADS} thread; top-${GENERATE_DEFAULTS.entropyTopK} map at T = 1; policy ${results[0]?.policy ?? "–"}; per-position differences, then median / p90.`,
    columnTable(results, rows)
  ].join("\n");
}

async function main(): Promise<void> {
  const {values} = parseArgs({options: {
    models: {type: "string"}, positions: {type: "string"}, context: {type: "string"}, file: {type: "string"},
    json: {type: "string"}, help: {type: "boolean", default: false}
  }});
  if (values.help) return console.log(USAGE);
  const options = {
    positions: integerOption("positions", values.positions, 200, 1), context: integerOption("context", values.context, 128, 1),
    file: values.file ?? "src/engine/engine.ts"
  };
  const models = (values.models ?? MODEL_NAMES.join(",")).split(",").map(m => m.trim()).filter(m => m !== "");
  for (const m of models)
    if (!(MODEL_NAMES as readonly string[]).includes(m)) throw new Error(`--models: unknown ${JSON.stringify(m)}; choose from ${MODEL_NAMES.join(", ")}\n${USAGE}`);
  const log = (line: string) => console.error(line);

  const results: ModelResult[] = [];
  for (const name of models as EntropyTailModel[]) results.push(await measureModel(name, options, log));
  console.log(table(results));
  if (values.json) writeFileSync(values.json, JSON.stringify({options: {...options, threads: THREADS, warmUp: WARM_UP, sampler: MAP_SAMPLER, profile: PROFILE.name}, results}, null, 2));
}

if (require.main === module) main().catch(error => {
  console.error(`bookkeeping: ${(error as Error).message}`);
  process.exitCode = 1;
});
