// What the greedy-mode entropy misses (issue 31, point 3). The engine takes the draft's entropy from
// its top-40 map at T = 1, which node-llama-cpp renormalises over the kept tokens, so the residual
// mass r outside the top 40 is not known (docs/algorithm.md, "The entropy from a truncated map").
// This runs a draft model teacher-forced over windows of this repository's own src/**/*.ts files
// and, at every position, asks for the top-40 map exactly as ModelDrafter.draft does and for the full map
// (the position is erased and evaluated again in between), then prints per model: r, the true H
// against H40, what that changes for AdaEDL's bound and stop decision at the defaults, the
// conservative entropy that knowing r would allow, and what the full map costs per token.
//
//   npm run entropytail -- [--models tiny,smollm2,random151936] [--positions 300] [--files 6]
//     [--context 128] [--json FILE]
//
// Models: tiny, the tiny pair's draft (the padded and wide rigs share it and its 4 096 tokens);
// smollm2, the SmolLM2 draft (49 152 tokens; measured only when SmolLM2's target is present or
// fetchable, as for every smollm2 pair); random151936, the tiny draft's shape with every weight
// random (init scale 0.02) and its vocabulary padded to Qwen's 151 936 tokens, written once into
// .cache/draftstop/entropy-tail/. Its distributions are nearly flat: it gives the cost of the full
// map at that vocabulary and the flat extreme of r, not a trained model's r. For that, every
// model's row "H_cons if V were 151 936" applies the tail term at Qwen's size to the measured r
// (the term depends only on r and V). One thread, CPU.
import {existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync} from "node:fs";
import {join, relative} from "node:path";
import {parseArgs} from "node:util";
import {arr, str, TensorSpec, u32, writeGguf} from "../modelmaker/ggufWriter";
import {normalFill, sha256File, typedMetadata} from "../modelmaker/paddedTarget";
import {Rng} from "../modelmaker/tinypair/common";
import type {Distribution} from "../../engine/distribution";
import {entropy} from "../../engine/decoding/entropy";
import {getBackend} from "../../engine/modelPair";
import {loadNodeLlamaCpp} from "../../engine/nlc";
import type {LlamaContextSequence, Token} from "../../engine/nlc";
import {GENERATE_DEFAULTS} from "../../engine/options";
import {acceptanceBound, ADAEDL_DEFAULTS} from "../../engine/drafting/adaedl";
import {namedPair} from "./pairs";
import {repoRoot} from "./repoRoot";
import {tinyPairPaths} from "./tinyPair";
import {columnTable, integerOption} from "./cliText";

const USAGE = `usage: npm run entropytail -- [options]
  --models LIST    comma-separated: tiny, smollm2, random151936 (default all three)
  --positions N    positions per model, spread over the files (default 300)
  --files N        source files the positions are taken from (default 6)
  --context N      tokens evaluated before each file's window (default 128)
  --json FILE      also write the per-model figures as JSON`;

export const MODEL_NAMES = ["tiny", "smollm2", "random151936"] as const;
export type EntropyTailModel = typeof MODEL_NAMES[number];

/** Qwen2/2.5's vocabulary size (0.5B and up to 7B). */
export const QWEN_VOCABULARY = 151_936;
/** The map the engine asks the draft for in greedy mode (ModelDrafter.draft in decoding/modelDrafter.ts). */
const K = GENERATE_DEFAULTS.entropyTopK;
const TOP_K_SAMPLER = {temperature: 1, topK: K, topP: 1, minP: 0};
const FULL_SAMPLER = {temperature: 1, topK: 0, topP: 1, minP: 0};

export interface PositionFigures {
  /** Mass outside the top K of the full map. */
  r: number;
  /** Entropy of the full map. */
  h: number;
  /** Entropy of node-llama-cpp's top-K map, as the engine computes it. */
  h40: number;
  /** (1 − r)·H40 − (1 − r)·log(1 − r) + r·log((V − K)/r): an upper bound on H once r is known. */
  hCons: number;
  /** The largest r the renormalised top-K map allows: every tail token at most p_K. */
  worstR: number;
  /** max |top-K map − full map restricted to its top K and renormalised|. */
  mapDiff: number;
  /** Tokens of the top-K map not among the full map's K most likely (ties at the edge). */
  setMismatch: number;
}

export interface ModelFigures {
  name: string;
  description: string;
  path: string;
  vocabulary: number;
  positions: number;
  samples: PositionFigures[];
  /** Single-token pass with the top-K map, ms, each position. */
  topMs: number[];
  /** The same pass with the full map. */
  fullMs: number[];
}

export function conservativeEntropy(h40: number, r: number, vocabulary: number, k = K): number {
  if (r <= 0) return h40;
  if (r >= 1) return Math.log(vocabulary - k);
  return (1 - r) * h40 - (1 - r) * Math.log(1 - r) + r * Math.log((vocabulary - k) / r);
}

/** Figures of one position from the two maps node-llama-cpp returned there. */
export function positionFigures(top: Distribution, full: Distribution, k = K): PositionFigures {
  let total = 0;
  // The K most likely tokens of the full map (it need not come sorted).
  const best: Array<[Token, number]> = [];
  let minAt = -1;
  for (const [token, p] of full) {
    total += p;
    if (best.length < k) {
      best.push([token, p]);
      if (best.length === k) minAt = indexOfMin(best);
    } else if (p > best[minAt]![1]) {
      best[minAt] = [token, p];
      minAt = indexOfMin(best);
    }
  }
  const headMass = best.reduce((s, [, p]) => s + p, 0);
  const r = Math.max(0, 1 - headMass / total);
  const vocabulary = full.size;
  const h = entropy(full);
  const h40 = entropy(top);
  let topTotal = 0, pK = Infinity;
  for (const p of top.values()) {
    topTotal += p;
    pK = Math.min(pK, p);
  }
  const pKRenormalised = pK / topTotal;
  const worstR = (vocabulary - top.size) * pKRenormalised / (1 + (vocabulary - top.size) * pKRenormalised);
  const bestTokens = new Map(best);
  let mapDiff = 0, setMismatch = 0;
  for (const [token, p] of top) {
    const q = bestTokens.get(token);
    if (q === undefined) {
      setMismatch++;
      continue;
    }
    mapDiff = Math.max(mapDiff, Math.abs(p / topTotal - q / headMass));
  }
  return {r, h, h40, hCons: conservativeEntropy(h40, r, vocabulary, k), worstR, mapDiff, setMismatch};
}

function indexOfMin(pairs: ReadonlyArray<[Token, number]>): number {
  let at = 0;
  for (let i = 1; i < pairs.length; i++) if (pairs[i]![1] < pairs[at]![1]) at = i;
  return at;
}

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const at = q * (s.length - 1);
  const lo = Math.floor(at), hi = Math.ceil(at);
  return s[lo]! + (s[hi]! - s[lo]!) * (at - lo);
}

// ---- the 151 936-token model ----

/**
 * A model of the tiny draft's shape with random weights (norms 1, matrices N(0, 0.02²)) and the
 * tiny vocabulary padded to `vocabulary` tokens. The new tokens are UNUSED-type pieces no text
 * tokenizes to, so code is tokenized as for the tiny pair; the output covers all of them.
 */
export async function wideVocabularyDraft(vocabulary = QWEN_VOCABULARY, seed = 1): Promise<string> {
  const source = tinyPairPaths().draft;
  const folder = join(repoRoot(), ".cache", "draftstop", "entropy-tail");
  const sha = sha256File(source).slice(0, 16);
  const path = join(folder, `draft-${sha}-random-v${vocabulary}-s${seed}.gguf`);
  if (existsSync(path)) return path;
  mkdirSync(folder, {recursive: true});

  const {readGgufFileInfo} = await loadNodeLlamaCpp();
  const info = await readGgufFileInfo(source, {logWarnings: false});
  const metadata = typedMetadata(info);
  const tokens = metadata["tokenizer.ggml.tokens"] as {kind: "array"; values: string[]};
  const scores = metadata["tokenizer.ggml.scores"] as {kind: "array"; values: number[]};
  const types = metadata["tokenizer.ggml.token_type"] as {kind: "array"; values: number[]};
  const trainedVocabulary = tokens.values.length;
  if (vocabulary <= trainedVocabulary) throw new Error(`--vocabulary ${vocabulary} is not above the draft's ${trainedVocabulary}`);
  const extra = vocabulary - trainedVocabulary;
  const UNUSED = 5; // llama.cpp's LLAMA_TOKEN_TYPE_UNUSED
  metadata["tokenizer.ggml.tokens"] = arr("string", [...tokens.values, ...Array.from({length: extra}, (_, i) => `<|draftstop_unused_${i}|>`)]);
  metadata["tokenizer.ggml.scores"] = arr("f32", [...scores.values, ...new Array<number>(extra).fill(-1e9)]);
  metadata["tokenizer.ggml.token_type"] = arr("i32", [...types.values, ...new Array<number>(extra).fill(UNUSED)]);
  metadata["llama.vocab_size"] = u32(vocabulary);
  metadata["general.name"] = str(`draftstop-random-v${vocabulary}`);

  const tensors: TensorSpec[] = [];
  let index = 0;
  for (const t of info.tensorInfo ?? []) {
    const dims = t.dimensions.map(Number);
    const shape = [...dims].reverse();
    const count = dims.reduce((a, b) => a * b, 1);
    if (t.ggmlType !== 0 && t.ggmlType !== 1) throw new Error(`${source}: tensor ${t.name} has unsupported ggml type ${t.ggmlType}`);
    const type = t.ggmlType === 0 ? "F32" : "F16";
    const rng = new Rng((seed * 1000003 + index++) >>> 0);
    // Tied embeddings (no output.weight): the embedding is also the output matrix.
    if (t.name === "token_embd.weight") tensors.push({name: t.name, shape: [vocabulary, shape[1]!], type, data: normalFill(rng, 0.02, 0)});
    else tensors.push({name: t.name, shape, type, data: shape.length === 1 ? new Float32Array(count).fill(1) : normalFill(rng, 0.02, 0)});
  }
  const tmp = `${path}.${process.pid}.tmp`;
  writeGguf(tmp, {metadata, tensors});
  renameSync(tmp, path);
  return path;
}

// ---- the positions ----

/** Every .ts file under src/, sorted, and `count` of them spread evenly over the list. */
export function sourceFiles(root: string, count: number): string[] {
  const all: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) all.push(path);
    }
  };
  walk(join(root, "src"));
  return Array.from({length: Math.min(count, all.length)}, (_, i) => all[Math.floor(i * all.length / Math.min(count, all.length))]!);
}

async function measureModel(name: string, description: string, path: string, options: {positions: number; files: number; context: number},
  log: (line: string) => void): Promise<ModelFigures> {
  const llama = await getBackend(false, 1);
  const model = await llama.loadModel({modelPath: path, gpuLayers: 0});
  const perFile = Math.ceil(options.positions / options.files);
  const context = await model.createContext({contextSize: options.context + perFile + 16, sequences: 1, threads: 1, flashAttention: false});
  const sequence = context.getSequence();
  const figures: ModelFigures = {name, description, path, vocabulary: 0, positions: 0, samples: [], topMs: [], fullMs: []};
  try {
    const root = repoRoot();
    // More files than asked for, so that short ones can be skipped.
    const candidates = sourceFiles(root, options.files * 3);
    const windows: Array<{file: string; tokens: Token[]}> = [];
    for (let i = 0; i < candidates.length && windows.length < options.files; i += 3) {
      for (let j = i; j < Math.min(i + 3, candidates.length); j++) {
        const tokens = model.tokenize(readFileSync(candidates[j]!, "utf8"));
        if (tokens.length < options.context + perFile) continue;
        const start = Math.max(0, Math.floor(tokens.length / 2) - Math.floor(perFile / 2) - options.context);
        windows.push({file: relative(root, candidates[j]!), tokens: tokens.slice(start, start + options.context + perFile)});
        break;
      }
    }
    for (const window of windows) {
      if (figures.positions >= options.positions) break;
      await sequence.eraseContextTokenRanges([{start: 0, end: sequence.nextTokenIndex}]);
      await sequence.controlledEvaluate(window.tokens.slice(0, options.context));
      for (const token of window.tokens.slice(options.context)) {
        if (figures.positions >= options.positions) break;
        // Both maps at the same position: evaluate, erase, evaluate again (erasing leaves the
        // sequence as if the token had never been evaluated: docs/facts.md, "Rollback"). The
        // order alternates so that neither map is always the one timed second.
        const topFirst = figures.positions % 2 === 0;
        const first = await timedMap(sequence, token, topFirst ? TOP_K_SAMPLER : FULL_SAMPLER);
        await sequence.eraseContextTokenRanges([{start: sequence.nextTokenIndex - 1, end: sequence.nextTokenIndex}]);
        const second = await timedMap(sequence, token, topFirst ? FULL_SAMPLER : TOP_K_SAMPLER);
        const [top, full] = topFirst ? [first, second] : [second, first];
        figures.samples.push(positionFigures(top.map, full.map));
        figures.vocabulary = Math.max(figures.vocabulary, full.map.size);
        figures.topMs.push(top.ms);
        figures.fullMs.push(full.ms);
        figures.positions++;
      }
    }
    log(`${name}: ${figures.positions} positions from ${windows.map(w => w.file).join(", ")}`);
  } finally {
    await context.dispose();
    await model.dispose();
  }
  return figures;
}

async function timedMap(sequence: LlamaContextSequence, token: Token, options: typeof TOP_K_SAMPLER): Promise<{map: Distribution; ms: number}> {
  const start = performance.now();
  const outputs = await sequence.controlledEvaluate([[token, {generateNext: {probabilities: true, options}}]]);
  const ms = performance.now() - start;
  const map = outputs.at(-1)?.next.probabilities;
  if (!map || map.size === 0) throw new Error("no next-token distribution");
  return {map, ms};
}

// ---- the table ----

export interface ModelSummary {
  name: string;
  vocabulary: number;
  positions: number;
  r: {median: number; p90: number; max: number};
  hMedian: number;
  h40Median: number;
  gap: {median: number; p90: number};
  boundDiffShare: number;
  stopFlipShare: number;
  consViolations: number;
  consExcess: {median: number; p90: number; min: number};
  consStopFlipShare: number;
  /** Share of positions where the bound is at least λ0 (AdaEDL would draft there), by H40, H, H_cons, and H_cons with V = 151 936. */
  draftShare: {h40: number; h: number; hCons: number; hConsQwen: number};
  /** At the positions where the bound from H40 is at least λ0 (where the engine drafts): how many, r, H − H40, and the share where H's bound is below λ0. */
  whereDrafted: {positions: number; rMedian: number; gapMedian: number; stopShare: number};
  /** H_cons at the same r but V = 151 936, minus H40: what the tail term would add at Qwen's vocabulary. */
  qwenTail: {median: number; p90: number};
  worstRMedian: number;
  topMs: number;
  fullMs: number;
  mapDiffMax: number;
  setMismatches: number;
}

export function summarise(f: ModelFigures, gamma = ADAEDL_DEFAULTS.gamma, lambda = ADAEDL_DEFAULTS.lambda0): ModelSummary {
  const s = f.samples;
  const share = (test: (x: PositionFigures) => boolean) => s.filter(test).length / Math.max(1, s.length);
  const drafts = (h: number) => acceptanceBound(gamma, h) >= lambda;
  // The first passes of a model pay warm-up: left out of the timings.
  const warm = (ms: number[]) => ms.slice(Math.min(3, ms.length - 1));
  const excess = s.map(x => x.hCons - x.h);
  const drafted = s.filter(x => drafts(x.h40));
  const qwen = (x: PositionFigures) => conservativeEntropy(x.h40, x.r, QWEN_VOCABULARY);
  return {
    name: f.name, vocabulary: f.vocabulary, positions: f.positions,
    r: {median: quantile(s.map(x => x.r), 0.5), p90: quantile(s.map(x => x.r), 0.9), max: Math.max(...s.map(x => x.r))},
    hMedian: quantile(s.map(x => x.h), 0.5), h40Median: quantile(s.map(x => x.h40), 0.5),
    gap: {median: quantile(s.map(x => x.h - x.h40), 0.5), p90: quantile(s.map(x => x.h - x.h40), 0.9)},
    boundDiffShare: share(x => Math.abs(acceptanceBound(gamma, x.h) - acceptanceBound(gamma, x.h40)) > 0.05),
    stopFlipShare: share(x => drafts(x.h) !== drafts(x.h40)),
    // A float-rounding allowance: H_cons = H exactly when the tail is flat.
    consViolations: s.filter(x => x.hCons < x.h - 1e-6).length,
    consExcess: {median: quantile(excess, 0.5), p90: quantile(excess, 0.9), min: Math.min(...excess)},
    consStopFlipShare: share(x => drafts(x.hCons) !== drafts(x.h40)),
    draftShare: {h40: share(x => drafts(x.h40)), h: share(x => drafts(x.h)), hCons: share(x => drafts(x.hCons)), hConsQwen: share(x => drafts(qwen(x)))},
    whereDrafted: {
      positions: drafted.length, rMedian: quantile(drafted.map(x => x.r), 0.5), gapMedian: quantile(drafted.map(x => x.h - x.h40), 0.5),
      stopShare: drafted.filter(x => !drafts(x.h)).length / Math.max(1, drafted.length)
    },
    qwenTail: {median: quantile(s.map(x => qwen(x) - x.h40), 0.5), p90: quantile(s.map(x => qwen(x) - x.h40), 0.9)},
    worstRMedian: quantile(s.map(x => x.worstR), 0.5),
    topMs: quantile(warm(f.topMs), 0.5), fullMs: quantile(warm(f.fullMs), 0.5),
    mapDiffMax: Math.max(...s.map(x => x.mapDiff)), setMismatches: s.reduce((n, x) => n + x.setMismatch, 0)
  };
}

export function summaryTable(summaries: readonly ModelSummary[], gamma = ADAEDL_DEFAULTS.gamma, lambda = ADAEDL_DEFAULTS.lambda0): string {
  const n = (x: number, digits = 2) => Number.isFinite(x) ? x.toFixed(digits) : "–";
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const stopAt = (1 - lambda) ** 2 / gamma;
  const rows: Array<[string, (s: ModelSummary) => string]> = [
    ["vocabulary V", s => String(s.vocabulary)],
    ["positions", s => String(s.positions)],
    ["r = 1 − Σ top-40 p: median", s => n(s.r.median, 4)],
    ["  p90", s => n(s.r.p90, 4)],
    ["  max", s => n(s.r.max, 4)],
    ["H (full map), median", s => n(s.hMedian)],
    ["H40 (engine), median", s => n(s.h40Median)],
    ["H − H40: median", s => n(s.gap.median, 3)],
    ["  p90", s => n(s.gap.p90, 3)],
    ["|bound(H) − bound(H40)| > 0.05", s => pct(s.boundDiffShare)],
    ["bound ≥ λ0 (drafts) by H40", s => pct(s.draftShare.h40)],
    ["  by H (true)", s => pct(s.draftShare.h)],
    ["  by H_cons", s => pct(s.draftShare.hCons)],
    ["  by H_cons if V were 151 936", s => pct(s.draftShare.hConsQwen)],
    ["stop decision flips, H vs H40", s => pct(s.stopFlipShare)],
    ["where H40 drafts: positions", s => String(s.whereDrafted.positions)],
    ["  r, median", s => n(s.whereDrafted.rMedian, 4)],
    ["  H − H40, median", s => n(s.whereDrafted.gapMedian, 3)],
    ["  H's bound < λ0 (would stop)", s => s.whereDrafted.positions ? pct(s.whereDrafted.stopShare) : "–"],
    ["stop decision flips, H_cons vs H40", s => pct(s.consStopFlipShare)],
    ["H_cons < H (must be 0)", s => String(s.consViolations)],
    ["H_cons − H: median", s => n(s.consExcess.median, 3)],
    ["  p90", s => n(s.consExcess.p90, 3)],
    ["H_cons(V = 151 936) − H40: median", s => n(s.qwenTail.median, 3)],
    ["  p90", s => n(s.qwenTail.p90, 3)],
    ["worst r from top-40 alone, median", s => n(s.worstRMedian, 4)],
    ["pass + top-40 map, ms (median)", s => n(s.topMs)],
    ["pass + full map, ms (median)", s => n(s.fullMs)],
    ["price of knowing r, ms/token", s => n(s.fullMs - s.topMs)],
    ["check: max |Δp| top-40 map vs full", s => s.mapDiffMax.toExponential(1) + (s.setMismatches ? ` (${s.setMismatches} tie swaps)` : "")]
  ];
  return [
    `AdaEDL defaults: γ ${gamma}, λ0 ${lambda} (stops where H > ${n(stopAt)} nats); K = ${K}; one thread, CPU; draft models.`,
    columnTable(summaries, rows)
  ].join("\n");
}

async function main(): Promise<void> {
  const {values} = parseArgs({options: {
    models: {type: "string"}, positions: {type: "string"}, files: {type: "string"}, context: {type: "string"},
    json: {type: "string"}, help: {type: "boolean", default: false}
  }});
  if (values.help) return console.log(USAGE);
  const options = {
    positions: integerOption("positions", values.positions, 300, 1), files: integerOption("files", values.files, 6, 1),
    context: integerOption("context", values.context, 128, 1)
  };
  const models = (values.models ?? MODEL_NAMES.join(",")).split(",").map(m => m.trim()).filter(m => m !== "");
  for (const m of models)
    if (!(MODEL_NAMES as readonly string[]).includes(m)) throw new Error(`--models: unknown ${JSON.stringify(m)}; choose from ${MODEL_NAMES.join(", ")}\n${USAGE}`);
  const log = (line: string) => console.error(line);

  const summaries: ModelSummary[] = [];
  for (const name of models as EntropyTailModel[]) {
    let path: string, description: string;
    if (name === "tiny") {
      path = tinyPairPaths().draft;
      description = "the tiny pair's draft (shared by the padded and wide rigs)";
    } else if (name === "smollm2") {
      try {
        path = (await namedPair({name: "smollm2", padded: false, log})).draft;
      } catch (error) {
        log(`smollm2: skipped (${(error as Error).message})`);
        continue;
      }
      description = "the SmolLM2-135M draft";
    } else {
      path = await wideVocabularyDraft();
      description = "random weights, 151 936 tokens";
    }
    summaries.push(summarise(await measureModel(name, description, path, options, log)));
  }
  console.log(summaryTable(summaries));
  if (values.json) writeFileSync(values.json, JSON.stringify({options, summaries}, null, 2));
}

if (require.main === module) main().catch(error => {
  console.error(`entropytail: ${(error as Error).message}`);
  process.exitCode = 1;
});
