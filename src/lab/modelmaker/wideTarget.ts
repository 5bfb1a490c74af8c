// A slower copy of the trained tiny target whose pass over a few tokens costs little more than
// its pass over one, as a large model's does: the rig where speculative decoding can pay on a CPU.
//
// The padded target (paddedTarget.ts) adds cost with extra F32 blocks of the trained shape, and
// on a 2-core CPU its pass over 2–5 tokens costs 1.5–2.1× its pass over one, so verifying drafts
// costs nearly what generating them one by one would. Here every block's FFN is widened instead,
// from the trained 768 to `ffn` units, and the FFN matrices are stored in Q8_0, for which ggml's
// CPU kernels make a pass over 2 tokens cost no more than one and 5 about twice one (measured;
// see WIDE_TARGET_FFN).
//
// The widening adds exactly nothing: the new rows of ffn_gate/ffn_up are random (seeded), but the
// matching columns of ffn_down are zero, so whatever the new hidden units compute is multiplied
// by 0. Because 768 is a whole number of Q8_0 blocks, the new units also sit in Q8_0 blocks of
// their own when ggml quantizes the FFN activations, and cannot shift the scale of a trained one.
// What does change the output is Q8_0 itself: the trained FFN weights are rounded to 8 bits (and
// ggml then rounds the FFN inputs to Q8_0 instead of F16), so the file is close to the trained
// target but not equal to it (test/modelmaker/wideTarget.test.ts measures how close). The
// attention, embedding and output matrices keep their trained type and values.
//
// `extraBlocks` appends inert blocks of the same wide shape (zero attn_output and ffn_down, as in
// the padded target) when more cost per token is wanted than widening gives.
//
// The file is written once into <cacheDir>/wide-target/, named by the source's SHA-256 and every
// parameter, so later calls return at once.
import {closeSync, existsSync, mkdirSync, openSync, renameSync, statSync} from "node:fs";
import {join} from "node:path";
import {MetadataValue, QK8_0, str, TensorSpec, TensorType, u32, writeGguf} from "./ggufWriter";
import {filledWith, normalFill, readTensor, sha256File, typedMetadata} from "./paddedTarget";
import {Rng} from "./tinypair/common";

/** Type of the widened FFN matrices and of the extra blocks. Q8_0 is the rig; F16 reproduces the trained target exactly (a check of the widening). */
export type WideWeightType = "Q8_0" | "F16" | "F32";

/**
 * Default FFN width. Measured on the 2-core EPYC (1 thread, context 300, greedy verification
 * passes asking for the next token at every position, median of 9, 12 repeats, another
 * process busy on the other core): one target token costs about 17 draft tokens, and a pass
 * over 2/3/5 tokens 0.90/1.51/2.06× one token (the padded target: 1.53/1.80/2.09×). Narrower
 * FFNs cost more per extra token relative to one (16384: 1.06/1.60/2.27×); wider ones or
 * inert blocks on top gain a little at 5 tokens (24576 + 1 block: 0.97/1.51/1.92×) and overshoot
 * 20 draft tokens soon after. One token costs about what two do because ggml multiplies a Q8_0
 * matrix by a single vector with a slower kernel than by several. Asking for the next token at
 * the last position only, 5 tokens cost about 1.8× one: the rest is the trained output layer and
 * sampling at every position.
 */
export const WIDE_TARGET_FFN = 28672;
/**
 * Default number of appended inert blocks. Blocks cost the same as width per weight but add
 * attention, whose cost grows with the context, so the width alone reaches the wanted cost.
 */
export const WIDE_TARGET_EXTRA_BLOCKS = 0;

export interface WideTargetOptions {
  targetPath: string;
  /** Cache folder (the command-line tools use <repo>/.cache/draftstop). The files go in its wide-target/ subfolder. */
  cacheDir: string;
  /** FFN width of every block, not below the trained width (and a multiple of 32 for Q8_0). Default WIDE_TARGET_FFN. */
  ffn?: number;
  /** Inert blocks appended after the trained ones, of the same wide shape. Default WIDE_TARGET_EXTRA_BLOCKS. */
  extraBlocks?: number;
  /** Seed of the random (inert) weights. Default 1. */
  seed?: number;
  /** Default "Q8_0". */
  weightType?: WideWeightType;
}

export interface WideTarget {
  path: string;
  fromCache: boolean;
  ffn: number;
  /** The source's FFN width. */
  trainedFfn: number;
  extraBlocks: number;
  seed: number;
  weightType: WideWeightType;
  sourceSha256: string;
  bytes: number;
}

// In the file name, so that a cached file written by an older writer is not mistaken for a current one.
const FORMAT = 1;

interface WideParams {
  ffn: number;
  extraBlocks: number;
  seed: number;
  weightType: WideWeightType;
}

const num = (m: Record<string, MetadataValue>, key: string): number => {
  const v = m[key];
  if (v === undefined || v.kind === "array" || v.kind === "string" || v.kind === "bool") throw new Error(`wide target: no numeric ${key}`);
  return v.value;
};

// general.file_type of the file as a whole (llama_ftype: ALL_F32, MOSTLY_F16, MOSTLY_Q8_0).
const FILE_TYPE: Record<WideWeightType, number> = {F32: 0, F16: 1, Q8_0: 7};

/** Writes `outPath`: the GGUF at `sourcePath` with every FFN widened to `ffn` and `extraBlocks` inert blocks. Returns bytes written. */
export async function writeWideTarget(sourcePath: string, outPath: string, params: WideParams,
                                      sourceSha256 = sha256File(sourcePath)): Promise<{bytes: number; trainedFfn: number}> {
  const {ffn, extraBlocks, seed, weightType} = params;
  const {readGgufFileInfo} = await import("node-llama-cpp");
  const info = await readGgufFileInfo(sourcePath, {logWarnings: false});
  const metadata = typedMetadata(info);
  const blocks = num(metadata, "llama.block_count");
  const d = num(metadata, "llama.embedding_length");
  const trainedFfn = num(metadata, "llama.feed_forward_length");
  if (!Number.isInteger(ffn) || ffn < trainedFfn) throw new Error(`wide target: ffn ${ffn} is below the trained width ${trainedFfn}`);
  if (!Number.isInteger(extraBlocks) || extraBlocks < 0) throw new Error(`wide target: extraBlocks ${extraBlocks}`);
  // A Q8_0 block holding trained and new hidden units alike would let the random units set the
  // scale that the trained ones are rounded with (ggml quantizes ffn_down's input per block).
  if (weightType === "Q8_0" && (ffn % QK8_0 !== 0 || trainedFfn % QK8_0 !== 0 || d % QK8_0 !== 0))
    throw new Error(`wide target: Q8_0 needs ffn (${ffn}), the trained ffn (${trainedFfn}) and the width (${d}) to be multiples of ${QK8_0}`);

  metadata["llama.block_count"] = u32(blocks + extraBlocks);
  metadata["llama.feed_forward_length"] = u32(ffn);
  metadata["general.file_type"] = u32(FILE_TYPE[weightType]);
  metadata["general.name"] = str(`${(metadata["general.name"] as {value: string}).value}-wide-${ffn}-x${extraBlocks}-${weightType.toLowerCase()}`);
  metadata["draftstop.widening.ffn"] = u32(ffn);
  metadata["draftstop.widening.trained_ffn"] = u32(trainedFfn);
  metadata["draftstop.widening.extra_blocks"] = u32(extraBlocks);
  metadata["draftstop.widening.seed"] = u32(seed);
  metadata["draftstop.widening.weight_type"] = str(weightType);
  metadata["draftstop.widening.source_sha256"] = str(sourceSha256);

  const rngFor = (block: number, k: number) => new Rng((seed * 1000003 + block * 16 + k) >>> 0);
  const zero = (_start: number, out: Float32Array) => {
    out.fill(0);
  };
  const tensors: TensorSpec[] = [];
  const fd = openSync(sourcePath, "r");
  try {
    for (const t of info.tensorInfo ?? []) {
      const dims = t.dimensions.map(Number);
      if (t.ggmlType !== 0 && t.ggmlType !== 1) throw new Error(`wide target: tensor ${t.name} has unsupported ggml type ${t.ggmlType}`);
      const trained = readTensor(fd, Number(t.fileOffset), dims.reduce((a, b) => a * b, 1), t.ggmlType);
      const shape = [...dims].reverse();
      const ffnMatrix = /^blk\.(\d+)\.ffn_(gate|up|down)\.weight$/.exec(t.name);
      if (ffnMatrix === null) {
        tensors.push({name: t.name, shape, type: t.ggmlType === 0 ? "F32" : "F16", data: trained});
        continue;
      }
      const block = Number(ffnMatrix[1]);
      if (ffnMatrix[2] === "down") {
        if (shape[0] !== d || shape[1] !== trainedFfn) throw new Error(`wide target: ${t.name} has shape [${shape.join(", ")}]`);
        tensors.push({name: t.name, shape: [d, ffn], type: weightType, data: widenColumnsWithZeros(trained, trainedFfn, ffn)});
      } else {
        if (shape[0] !== trainedFfn || shape[1] !== d) throw new Error(`wide target: ${t.name} has shape [${shape.join(", ")}]`);
        const fresh = normalFill(rngFor(block, ffnMatrix[2] === "gate" ? 5 : 6), 0.02, 0);
        tensors.push({name: t.name, shape: [ffn, d], type: weightType, data: appendRows(trained, fresh)});
      }
    }
  } finally {
    closeSync(fd);
  }
  // The writer keeps the source's order; llama.cpp finds tensors by name, so the appended blocks may follow output.weight.
  for (let b = blocks; b < blocks + extraBlocks; b++) {
    const p = `blk.${b}.`;
    const m = (name: string, rows: number, cols: number, fill: TensorSpec["data"], type: TensorType = weightType): TensorSpec =>
      ({name: p + name, shape: [rows, cols], type, data: fill});
    tensors.push(
      {name: p + "attn_norm.weight", shape: [d], type: "F32", data: filledWith(d, normalFill(rngFor(b, 0), 0.1, 1))},
      m("attn_q.weight", d, d, normalFill(rngFor(b, 1), 0.02, 0)),
      m("attn_k.weight", d, d, normalFill(rngFor(b, 2), 0.02, 0)),
      m("attn_v.weight", d, d, normalFill(rngFor(b, 3), 0.02, 0)),
      m("attn_output.weight", d, d, zero),
      {name: p + "ffn_norm.weight", shape: [d], type: "F32", data: filledWith(d, normalFill(rngFor(b, 4), 0.1, 1))},
      m("ffn_gate.weight", ffn, d, normalFill(rngFor(b, 5), 0.02, 0)),
      m("ffn_up.weight", ffn, d, normalFill(rngFor(b, 6), 0.02, 0)),
      m("ffn_down.weight", d, ffn, zero));
  }
  const tmp = `${outPath}.${process.pid}.tmp`;
  const bytes = writeGguf(tmp, {metadata, tensors});
  renameSync(tmp, outPath);
  return {bytes, trainedFfn};
}

/** Row-major [rows, from] → [rows, to], the new columns zero. */
function widenColumnsWithZeros(trained: Float32Array, from: number, to: number): (start: number, out: Float32Array) => void {
  return (start, out) => {
    for (let i = 0; i < out.length; i++) {
      const flat = start + i, row = Math.floor(flat / to), col = flat - row * to;
      out[i] = col < from ? trained[row * from + col]! : 0;
    }
  };
}

/** `trained` followed by as many values from `fresh` as the tensor still needs. */
function appendRows(trained: Float32Array, fresh: (start: number, out: Float32Array) => void): (start: number, out: Float32Array) => void {
  return (start, out) => {
    const copied = Math.max(0, Math.min(out.length, trained.length - start));
    if (copied > 0) out.set(trained.subarray(start, start + copied));
    if (copied < out.length) fresh(start + copied, out.subarray(copied));
  };
}

/** The widened target for `options`, written into the cache on first use. */
export async function ensureWideTarget(options: WideTargetOptions): Promise<WideTarget> {
  const params: WideParams = {
    ffn: options.ffn ?? WIDE_TARGET_FFN,
    extraBlocks: options.extraBlocks ?? WIDE_TARGET_EXTRA_BLOCKS,
    seed: options.seed ?? 1,
    weightType: options.weightType ?? "Q8_0"
  };
  const dir = join(options.cacheDir, "wide-target");
  mkdirSync(dir, {recursive: true});
  const sourceSha256 = sha256File(options.targetPath);
  const path = join(dir, `target-${sourceSha256.slice(0, 16)}-f${params.ffn}-x${params.extraBlocks}-${params.weightType.toLowerCase()}-s${params.seed}-v${FORMAT}.gguf`);
  const result = (fromCache: boolean, bytes: number, trainedFfn: number): WideTarget =>
    ({path, fromCache, ...params, trainedFfn, sourceSha256, bytes});
  if (existsSync(path) && statSync(path).size > 0) {
    const {readGgufFileInfo} = await import("node-llama-cpp");
    const info = await readGgufFileInfo(path, {logWarnings: false});
    const trainedFfn = Number((info.metadata as unknown as {draftstop: {widening: {trained_ffn: number}}}).draftstop.widening.trained_ffn);
    return result(true, statSync(path).size, trainedFfn);
  }
  const {bytes, trainedFfn} = await writeWideTarget(options.targetPath, path, params, sourceSha256);
  return result(false, bytes, trainedFfn);
}
