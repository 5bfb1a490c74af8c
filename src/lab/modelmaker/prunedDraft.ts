// A draft for SmolLM2-135M made from the target itself: the same GGUF with some of its 30
// transformer blocks left out. Everything else is copied byte for byte (token embeddings, output
// norm, the tied output head, every block that is kept, and every metadata key: tokenizer, chat
// template, …); the kept blocks are renumbered blk.0 … blk.L'−1 and <arch>.block_count is set to
// L'. One key is added, draftstop.pruned.kept_blocks (the source index of each kept block). A model
// that is its own target less a few blocks agrees with the target often, as a 7B/0.5B code pair
// does, which the tiny trained 3-layer draft (12–15 % greedy acceptance) does not.
//
// It does NOT pay in wall-clock time on a CPU: a pass still costs most of what the target's does
// (the embedding and the 49152 × 576 output head are kept whole, and the kept blocks are the
// target's). It is for the benchmark's cost-profile clock, which charges each pass from a profile
// of a real pair's costs rather than timing it: there the pair gives a real pair's acceptance.
//
// Default drop set and its figures: see DEFAULT_DROP below.
//
//   npx tsc -p . && node out/src/lab/modelmaker/prunedDraft.js [--drop LIST] [--out FILE] [--measure]
//     [--source FILE] [--tasks 12] [--max-tokens 48] [--k 4]
//
// LIST is block indices of the source, with ranges: "9,11,13-20". The file goes to
// .cache/draftstop/smollm2/ by default (git-ignored: model files are never committed), named by the
// drop set. --measure prints greedy acceptance (static K, drafter "model", temperature 0, FIM tasks
// cut from the held-out library code in node_modules) and the draft/target cost of a single-token
// pass, both with 1 thread on the CPU.
import {existsSync, readdirSync, renameSync, rmSync, statSync, readFileSync} from "node:fs";
import {basename, extname, join} from "node:path";
import {parseArgs} from "node:util";
import {createPolicy, DraftstopEngine} from "../../engine";
import {Prng} from "../../engine/decoding/sampling";
import {timeDraftPasses, timeTargetPasses} from "../../engine/decoding/passCost";
import {disposeModel, loadModelPair} from "../../engine/modelPair";
import {median} from "../../engine/stats/median";
import {readGguf} from "./ggufReader";
import {arr, MetadataValue, RawTensorSpec, u32, writeGguf} from "./ggufWriter";
import {smollm2Dir, smollm2TargetPath} from "./smollm2/common";

/**
 * Source blocks (of 0–29) the default draft leaves out. Filled in from the search recorded above;
 * until then a middle set.
 */
export const DEFAULT_DROP: readonly number[] = [12, 14, 16, 18, 20, 22];

export interface PruneOptions {
  /** Source block indices to leave out (any order; duplicates ignored). */
  drop: readonly number[];
}

export interface PrunedDraft {
  path: string;
  sourceBlocks: number;
  /** Source index of each kept block, in order: the draft's blk.i is the source's blk.kept[i]. */
  kept: number[];
  bytes: number;
}

const BLOCK_TENSOR = /^blk\.(\d+)\.(.+)$/;

/** Writes `dest`: the GGUF at `source` without the blocks in `options.drop`. */
export async function writePrunedDraft(source: string, dest: string, options: PruneOptions): Promise<PrunedDraft> {
  const gguf = readGguf(source);
  const archValue = gguf.metadata["general.architecture"];
  if (archValue?.kind !== "string") throw new Error(`${source}: no general.architecture`);
  const countKey = `${archValue.value}.block_count`;
  const countValue = gguf.metadata[countKey];
  if (countValue === undefined || countValue.kind === "array" || typeof countValue.value !== "number") throw new Error(`${source}: no ${countKey}`);
  const sourceBlocks = countValue.value;
  const drop = new Set(options.drop);
  for (const b of drop)
    if (!Number.isInteger(b) || b < 0 || b >= sourceBlocks) throw new Error(`--drop: block ${b} is not one of the source's blocks 0–${sourceBlocks - 1}`);
  const kept = Array.from({length: sourceBlocks}, (_, b) => b).filter(b => !drop.has(b));
  if (kept.length === 0) throw new Error("--drop: every block would be dropped");
  const newIndex = new Map(kept.map((b, i) => [b, i]));

  const metadata: Record<string, MetadataValue> = {};
  for (const [key, value] of Object.entries(gguf.metadata)) {
    if (key === countKey) metadata[key] = {...value, value: kept.length} as MetadataValue;
    // Per-layer arrays (some architectures give head counts or FFN widths per block) keep the kept blocks' entries.
    else if (key.startsWith(`${archValue.value}.`) && value.kind === "array" && value.values.length === sourceBlocks && sourceBlocks > 1)
      metadata[key] = {...value, values: kept.map(b => value.values[b]!)};
    else metadata[key] = value;
  }
  metadata["draftstop.pruned.kept_blocks"] = arr("i32", kept);
  metadata["draftstop.pruned.source_blocks"] = u32(sourceBlocks);

  const tensors: RawTensorSpec[] = [];
  for (const tensor of gguf.tensors) {
    const match = BLOCK_TENSOR.exec(tensor.name);
    const {name, shape, ggmlType, bytes} = tensor;
    if (!match) tensors.push({name, shape, ggmlType, bytes});
    else {
      const index = newIndex.get(Number(match[1]));
      if (index !== undefined) tensors.push({name: `blk.${index}.${match[2]}`, shape, ggmlType, bytes});
    }
  }
  const tmp = `${dest}.${process.pid}.tmp`;
  try {
    const bytes = writeGguf(tmp, {metadata, tensors, alignment: gguf.alignment});
    renameSync(tmp, dest);
    return {path: dest, sourceBlocks, kept, bytes};
  } finally {
    rmSync(tmp, {force: true});
  }
}

/** "9,11,13-20" → [9, 11, 13, 14, …, 20]. */
export function parseBlockList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(",").map(p => p.trim()).filter(p => p !== "")) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) for (let b = Number(range[1]); b <= Number(range[2]); b++) out.push(b);
    else if (/^\d+$/.test(part)) out.push(Number(part));
    else throw new Error(`--drop: ${JSON.stringify(part)} is not a block index or a range a-b`);
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/** [9, 11, 13, 14, 15] → "9_11_13-15": the drop set as a file-name part. */
export function blockListName(blocks: readonly number[]): string {
  const sorted = [...new Set(blocks)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join("_") || "none";
}

/** <repo>/.cache/draftstop/smollm2: where the target is cached and the pruned drafts are written. */
export const smollm2CacheDir = (): string => join(smollm2Dir(), "..", "..", "..", "..", ".cache", "draftstop", "smollm2");

/** The default file of a pruned draft of `source` without `drop`. */
export function prunedDraftPath(source: string, drop: readonly number[], folder = smollm2CacheDir()): string {
  return join(folder, `${basename(source, ".gguf")}.drop-${blockListName(drop)}.gguf`);
}

// --- Measuring -------------------------------------------------------------------------------

/**
 * The held-out library code (src/lab/bench/heldOut.ts's HELD_OUT_SOURCES, repeated here because a
 * model maker may import only the engine): npm-installed, hand-written, seen by no tuning here.
 */
const HELD_OUT_FOLDERS = ["js-yaml/lib", "commander/lib", "semver/classes", "semver/functions", "semver/internal", "semver/ranges"];

export interface CodeTask {
  id: string;
  prefix: string;
  suffix: string;
}

/**
 * FIM positions cut as src/benchmark/tasks.ts's tasksFromSources cuts them (a seeded file, a seeded
 * line of code, a seeded column; 60 lines above and 20 below), from the .js/.ts files under `roots`.
 */
export function cutCodeTasks(roots: readonly string[], count: number, seed = 1): CodeTask[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, {withFileTypes: true}).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith(".") && entry.name !== "node_modules") walk(path);
      } else if ([".js", ".ts", ".mjs", ".cjs"].includes(extname(entry.name)) && statSync(path).size < 500_000) files.push(path);
    }
  };
  for (const root of roots) walk(root);
  if (files.length === 0) throw new Error(`no source files under ${roots.join(", ")}`);
  const prng = new Prng(seed);
  const pick = (n: number) => Math.floor(prng.uniform() * n);
  const tasks: CodeTask[] = [];
  for (let attempt = 0; tasks.length < count && attempt < count * 50; attempt++) {
    const file = files[pick(files.length)]!;
    const lines = readFileSync(file, "utf8").split("\n");
    const codeLines = lines.map((l, i) => [l, i] as const).filter(([l]) => l.trim().length >= 8);
    if (codeLines.length === 0) continue;
    const [text, line] = codeLines[pick(codeLines.length)]!;
    const indent = text.length - text.trimStart().length;
    const column = indent + pick(text.length - indent);
    const prefix = [...lines.slice(Math.max(0, line - 60), line), text.slice(0, column)].join("\n");
    const suffix = ["", ...lines.slice(line + 1, line + 21)].join("\n");
    tasks.push({id: `${file}:${line + 1}:${column + 1}`, prefix, suffix});
  }
  return tasks;
}

/** The held-out folders under the repository's node_modules (throws where npm ci has not installed them). */
export function heldOutCodeRoots(): string[] {
  const nodeModules = join(smollm2Dir(), "..", "..", "..", "..", "node_modules");
  const roots = HELD_OUT_FOLDERS.map(folder => join(nodeModules, folder));
  const missing = roots.filter(root => !existsSync(root));
  if (missing.length > 0) throw new Error(`held-out sources missing (run npm ci): ${missing.join(", ")}`);
  return roots;
}

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
export async function measureAcceptance(targetPath: string, draftPath: string, tasks: readonly CodeTask[],
                                        options: {maxTokens?: number; k?: number} = {}): Promise<AcceptanceFigures> {
  const engine = await DraftstopEngine.load({targetPath, draftPath, threads: 1, gpu: false, contextSize: 2048, policy: {name: "off"}});
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
 * tokens, in alternating rounds so that a drift of the machine's speed falls on both alike.
 */
export async function measurePassCost(targetPath: string, draftPath: string, options: {rounds?: number; repeats?: number} = {}): Promise<CostFigures> {
  const pair = await loadModelPair({targetPath, draftPath, threads: 1, gpu: false, contextSize: 512});
  try {
    const draft = pair.draft!;
    const tokens = pair.target.model.tokenize(TIMING_TEXT);
    for (const side of [pair.target, draft]) await side.sequence.evaluateWithoutGeneratingNewTokens(tokens);
    const target: number[] = [], draftToken: number[] = [], drafting: number[] = [];
    const repeats = options.repeats ?? 15;
    for (let round = 0; round < (options.rounds ?? 4); round++) {
      const warmUp = round === 0 ? 2 : 0;
      target.push(...(await timeTargetPasses(pair.target.sequence, {sizes: [1], repeats, tokens, warmUp})).samples.get(1)!);
      draftToken.push(...(await timeTargetPasses(draft.sequence, {sizes: [1], repeats, tokens, warmUp})).samples.get(1)!);
      drafting.push(...await timeDraftPasses(draft.sequence, tokens, repeats, 8));
    }
    const targetMs = median(target), draftMs = median(draftToken);
    return {targetMs, draftMs, ratio: draftMs / targetMs, draftingRatio: median(drafting) / targetMs};
  } finally {
    if (pair.draft) await disposeModel(pair.draft);
    await disposeModel(pair.target);
  }
}

async function main(): Promise<void> {
  const {values} = parseArgs({options: {drop: {type: "string"}, out: {type: "string"}, source: {type: "string"}, measure: {type: "boolean"},
    tasks: {type: "string"}, "max-tokens": {type: "string"}, k: {type: "string"}}});
  const source = values.source ?? await smollm2TargetPath(line => console.error(line));
  const drop = values.drop !== undefined ? parseBlockList(values.drop) : [...DEFAULT_DROP];
  const out = values.out ?? prunedDraftPath(source, drop);
  const started = performance.now();
  const draft = await writePrunedDraft(source, out, {drop});
  console.log(`${out}: ${draft.kept.length} of ${draft.sourceBlocks} blocks kept (dropped ${blockListName(drop).replace(/_/g, ",")}), ` +
    `${(draft.bytes / 1e6).toFixed(1)} MB, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (!values.measure) return;
  const count = Number(values.tasks ?? 12), maxTokens = Number(values["max-tokens"] ?? 48), k = Number(values.k ?? 4);
  const tasks = cutCodeTasks(heldOutCodeRoots(), count, 1);
  const acceptance = await measureAcceptance(source, out, tasks, {maxTokens, k});
  console.log(`greedy acceptance (static K = ${k}, ${acceptance.tasks} held-out FIM tasks × ${maxTokens} tokens): ` +
    `${acceptance.accepted}/${acceptance.drafted} = ${(100 * acceptance.rate).toFixed(1)} %, ${acceptance.tokensPerRound.toFixed(2)} tokens per target pass`);
  const cost = await measurePassCost(source, out);
  console.log(`single-token pass (1 thread): target ${cost.targetMs.toFixed(2)} ms, draft ${cost.draftMs.toFixed(2)} ms, ` +
    `ratio ${cost.ratio.toFixed(3)} (draft with a top-8 map: ${cost.draftingRatio.toFixed(3)})`);
}

if (require.main === module) main().catch(error => {
  console.error(`prunedDraft: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
});
