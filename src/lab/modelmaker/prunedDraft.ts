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
// The default leaves out ONE block, blk.5: 29 of 30 kept. Measured 2026-12-06 on the shared 2-core
// CPU (1 thread, flash attention off as the engine's CPU default), 12 held-out FIM tasks × 48
// tokens, static K = 4, temperature 0:
//
//   node out/src/lab/cli/prunedDraft.js --measure
//   greedy acceptance 417/580 = 71.9 %, 3.62 tokens per target pass;
//   single-token pass cost draft/target 0.93 (0.93–0.95 over runs; by weights 29 blocks + head of
//   30 blocks + head, about 0.97)
//
// SmolLM2-135M has little to spare: every block matters. The other tries (same command, --drop):
//   none (the target itself) 88.5 % on 4 tasks: with flash attention off a 1-token and a 5-token
//     pass differ at near-ties, so even an identical draft loses 1 token in 9 (100 % with it on)
//   13: 70.2 %   14: 58.2 %   5,13: 60.2 %   13,14: 62.0 %   4,13: 60.9 %   4,5,13,14: 47.2 %
//   12,14,16,18,20,22: 15.1 %
//   flash attention on (--flash-attention): 13: 66.6 %   13,14: 62.1 %   13,14,25: 57.4 %
// so two blocks already fall to about 60 %, and 70–85 % allows one. The candidates came from
// --scan (teacher-forced greedy agreement with each block dropped alone, on 4 × 256 tokens of
// held-out code): 13 87.2 %, 14 85.9 %, 4 and 5 85.3 %, …, 1 23.4 %, 0 4.1 %.
//
//   npx tsc -p . && node out/src/lab/cli/prunedDraft.js [--drop LIST] [--out FILE] [--measure]
//     [--source FILE] [--tasks 12] [--max-tokens 48] [--k 4] [--flash-attention] [--scan]
//
// LIST is block indices of the source, with ranges: "9,11,13-20". The file goes to
// .cache/draftstop/smollm2/ by default (git-ignored: model files are never committed), named by the
// drop set. --measure prints greedy acceptance (static K, drafter "model", temperature 0, FIM tasks
// cut from the held-out library code in node_modules) and the draft/target cost of a single-token
// pass, both with 1 thread on the CPU. --scan ranks the blocks (beside those in --drop) by how
// little dropping each alone changes the target's teacher-forced greedy predictions.
import {renameSync, rmSync} from "node:fs";
import {basename, join} from "node:path";
import {readGguf} from "./ggufReader";
import {arr, MetadataValue, RawTensorSpec, u32, writeGguf} from "./ggufWriter";
import {smollm2Dir} from "./smollm2/common";

/** Source blocks (of 0–29) the default draft leaves out: the search recorded in the header. */
export const DEFAULT_DROP: readonly number[] = [5];

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
