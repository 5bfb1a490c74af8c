// npm run pruned-draft [-- options]: writes the pruned SmolLM2 draft (src/lab/modelmaker/prunedDraft.ts,
// whose header records the search and its figures) and, with --measure, measures it: greedy
// acceptance on held-out FIM tasks and the draft/target cost of a single-token pass; --scan ranks
// the blocks by how little dropping each alone changes the target's greedy predictions.
//
//   npm run pruned-draft -- [--drop LIST] [--out FILE] [--measure] [--source FILE] [--tasks 12]
//     [--max-tokens 48] [--k 4] [--flash-attention] [--scan]
import {mkdtempSync, rmSync} from "node:fs";
import {join} from "node:path";
import {parseArgs} from "node:util";
import {BenchTask, tasksFromSources} from "../../benchmark/tasks";
import {createPolicy, DraftstopEngine} from "../../engine";
import {timeDraftPasses, timeTargetPasses} from "../../engine/decoding/passCost";
import {disposeModel, getBackend, loadModelPair} from "../../engine/modelPair";
import type {LlamaModel, Token} from "../../engine/nlc";
import {median} from "../../engine/stats/median";
import {heldOutRoots} from "../bench/heldOut";
import {readGguf} from "../modelmaker/ggufReader";
import {blockListName, DEFAULT_DROP, parseBlockList, prunedDraftPath, smollm2CacheDir, writePrunedDraft} from "../modelmaker/prunedDraft";
import {smollm2TargetPath} from "../modelmaker/smollm2/common";
import {repoRoot} from "./repoRoot";

export interface AcceptanceFigures {
  tasks: number;
  drafted: number;
  accepted: number;
  /** accepted / drafted. */
  rate: number;
  /** Generated tokens per target pass (rounds): 1 + mean accepted per round. */
  tokensPerRound: number;
}

/** Greedy acceptance of `draftPath`'s drafts by `targetPath` over `tasks`: static K drafts every round, drafter "model". */
export async function measureAcceptance(targetPath: string, draftPath: string, tasks: readonly BenchTask[],
                                        options: {maxTokens?: number; k?: number; flashAttention?: boolean} = {}): Promise<AcceptanceFigures> {
  const engine = await DraftstopEngine.load({targetPath, draftPath, threads: 1, gpu: false, contextSize: 2048, policy: {name: "off"},
    flashAttention: options.flashAttention});
  let drafted = 0, accepted = 0, rounds = 0, tokens = 0;
  try {
    for (const task of tasks) {
      const report = await engine.experimentInfill({prefix: task.prefix, suffix: task.suffix},
        {maxTokens: options.maxTokens ?? 48, temperature: 0, drafter: "model"},
        {policy: createPolicy({name: "static", k: options.k ?? 4}), recordStats: false, learningScope: "prunedDraft"});
      for (const round of report.rounds) {
        if (round.drafter === "model") {
          drafted += round.drafted;
          accepted += round.accepted;
        }
        rounds++;
        tokens += round.emitted;
      }
    }
  } finally {
    await engine.dispose();
  }
  return {tasks: tasks.length, drafted, accepted, rate: drafted === 0 ? 0 : accepted / drafted, tokensPerRound: rounds === 0 ? 0 : tokens / rounds};
}

export interface CostFigures {
  targetMs: number;
  draftMs: number;
  /** draftMs / targetMs: single-token passes asking for the next token, as the target's are. */
  ratio: number;
  /** The draft's pass asking for a top-8 probability map, as drafting does, over the target's single-token pass. */
  draftingRatio: number;
}

const TIMING_TEXT = `export function parseOptions(argv, defaults = {}) {
  const options = {...defaults};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) continue;
    const [key, value] = arg.slice(2).split("=");
    options[key] = value === undefined ? true : value;
  }
  return options;
}
`;

/**
 * Median single-token pass times of target and draft (1 thread, CPU) at a context of about 100
 * tokens, one pass of each in turn so that a drift of the machine's speed (it is shared) falls on
 * both alike.
 */
export async function measurePassCost(targetPath: string, draftPath: string, options: {passes?: number} = {}): Promise<CostFigures> {
  const pair = await loadModelPair({targetPath, draftPath, threads: 1, gpu: false, contextSize: 512});
  try {
    const draft = pair.draft!;
    const tokens = pair.target.model.tokenize(TIMING_TEXT);
    for (const side of [pair.target, draft]) await side.sequence.evaluateWithoutGeneratingNewTokens(tokens);
    const target: number[] = [], draftToken: number[] = [], drafting: number[] = [];
    const one = async (sequence: typeof draft.sequence, warmUp: number) =>
      (await timeTargetPasses(sequence, {sizes: [1], repeats: 1, tokens, warmUp})).samples.get(1)![0]!;
    for (let i = 0; i < (options.passes ?? 60); i++) {
      const warmUp = i === 0 ? 2 : 0;
      target.push(await one(pair.target.sequence, warmUp));
      draftToken.push(await one(draft.sequence, warmUp));
      drafting.push(...await timeDraftPasses(draft.sequence, tokens, 1, 8));
    }
    const targetMs = median(target), draftMs = median(draftToken);
    return {targetMs, draftMs, ratio: draftMs / targetMs, draftingRatio: median(drafting) / targetMs};
  } finally {
    if (pair.draft) await disposeModel(pair.draft);
    await disposeModel(pair.target);
  }
}

/**
 * Greedy next-token predictions at every position of each chunk, teacher-forced (one pass over the
 * chunk, flash attention on so that nothing but the model decides them).
 */
async function greedyPredictions(model: LlamaModel, chunks: readonly Token[][]): Promise<Token[][]> {
  const longest = Math.max(...chunks.map(c => c.length));
  const context = await model.createContext({contextSize: longest + 16, batchSize: longest + 16, sequences: 1, threads: 1, flashAttention: true});
  try {
    const sequence = context.getSequence();
    const out: Token[][] = [];
    for (const chunk of chunks) {
      await sequence.clearHistory();
      const results = await sequence.controlledEvaluate(chunk.map(token => [token, {generateNext: {token: true}}]));
      out.push(results.map(r => r?.next.token ?? -1 as Token));
    }
    return out;
  } finally {
    await context.dispose();
  }
}

/**
 * The search's quick proxy: for each block alone, the share of positions in held-out code where the
 * target less that block (and less `base`) predicts the target's greedy next token, teacher-forced.
 * A block whose removal keeps agreement high is a candidate to drop; the sets are then confirmed
 * with measureAcceptance, since removals interact.
 */
export async function scanBlockDrops(source: string, options: {base?: readonly number[]; chunks?: number; chunkTokens?: number;
  log?: (line: string) => void} = {}): Promise<Array<{block: number; agreement: number}>> {
  const base = options.base ?? [];
  const llama = await getBackend(false, 1);
  const folder = mkdtempSync(join(smollm2CacheDir(), "scan-"));
  try {
    const target = await llama.loadModel({modelPath: source, gpuLayers: 0});
    const tasks = tasksFromSources(heldOutRoots(join(repoRoot(), "node_modules")), {count: options.chunks ?? 4, seed: 2});
    const chunks = tasks.map(t => target.tokenize(t.prefix).slice(-(options.chunkTokens ?? 256)));
    const reference = await greedyPredictions(target, chunks);
    const blocks = Number((readGguf(source).metadata["llama.block_count"] as {value: number}).value);
    await target.dispose();
    const agreementOf = async (drop: number[]) => {
      const path = join(folder, "draft.gguf");
      await writePrunedDraft(source, path, {drop});
      const model = await llama.loadModel({modelPath: path, gpuLayers: 0});
      try {
        const predicted = await greedyPredictions(model, chunks);
        let same = 0, all = 0;
        predicted.forEach((p, c) => p.forEach((token, i) => {
          all++;
          if (token === reference[c]![i]) same++;
        }));
        return same / all;
      } finally {
        await model.dispose();
      }
    };
    const out: Array<{block: number; agreement: number}> = [];
    for (let block = 0; block < blocks; block++) {
      if (base.includes(block)) continue;
      const agreement = await agreementOf([...base, block]);
      out.push({block, agreement});
      options.log?.(`  drop ${blockListName([...base, block])}: ${(100 * agreement).toFixed(1)} % teacher-forced greedy agreement`);
    }
    return out;
  } finally {
    rmSync(folder, {recursive: true, force: true});
  }
}

async function main(): Promise<void> {
  const {values} = parseArgs({options: {drop: {type: "string"}, out: {type: "string"}, source: {type: "string"}, measure: {type: "boolean"},
    tasks: {type: "string"}, "max-tokens": {type: "string"}, k: {type: "string"}, scan: {type: "boolean"},
    "flash-attention": {type: "boolean"}}});
  const source = values.source ?? await smollm2TargetPath(line => console.error(line));
  if (values.scan) {
    const base = values.drop !== undefined ? parseBlockList(values.drop) : [];
    console.log(`teacher-forced greedy agreement with the target, each block dropped${base.length ? ` besides ${blockListName(base)}` : ""}:`);
    const scan = await scanBlockDrops(source, {base, log: line => console.log(line)});
    console.log(`least harmful first: ${[...scan].sort((a, b) => b.agreement - a.agreement).map(s => `${s.block} (${(100 * s.agreement).toFixed(1)})`).join(", ")}`);
    return;
  }
  const drop = values.drop !== undefined ? parseBlockList(values.drop) : [...DEFAULT_DROP];
  const out = values.out ?? prunedDraftPath(source, drop);
  const started = performance.now();
  const draft = await writePrunedDraft(source, out, {drop});
  console.log(`${out}: ${draft.kept.length} of ${draft.sourceBlocks} blocks kept (dropped ${blockListName(drop).replace(/_/g, ",")}), ` +
    `${(draft.bytes / 1e6).toFixed(1)} MB, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (!values.measure) return;
  const count = Number(values.tasks ?? 12), maxTokens = Number(values["max-tokens"] ?? 48), k = Number(values.k ?? 4);
  const tasks = tasksFromSources(heldOutRoots(join(repoRoot(), "node_modules")), {count, seed: 1});
  const flashAttention = values["flash-attention"] === true;
  const acceptance = await measureAcceptance(source, out, tasks, {maxTokens, k, flashAttention});
  console.log(`greedy acceptance (static K = ${k}, ${acceptance.tasks} held-out FIM tasks × ${maxTokens} tokens, flash attention ` +
    `${flashAttention ? "on" : "off"}): ` +
    `${acceptance.accepted}/${acceptance.drafted} = ${(100 * acceptance.rate).toFixed(1)} %, ${acceptance.tokensPerRound.toFixed(2)} tokens per target pass`);
  const cost = await measurePassCost(source, out);
  console.log(`single-token pass (1 thread): target ${cost.targetMs.toFixed(2)} ms, draft ${cost.draftMs.toFixed(2)} ms, ` +
    `ratio ${cost.ratio.toFixed(3)} (draft with a top-8 map: ${cost.draftingRatio.toFixed(3)})`);
}

if (require.main === module) main().catch(error => {
  console.error(`prunedDraft: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
});
