// A padded target of realistic size for a GPU, written in seconds: the tiny trained target with
// every block's feed-forward widened (F16) and inert F16 blocks appended, until the file holds
// `billions` × 10⁹ parameters (default 7: a 7B model's 14 GB of weights, so one token's pass is
// bound by memory bandwidth as a real 7B target's is).
//
// Unlike src/lab/modelmaker/wideTarget.ts, the new FFN rows of ffn_gate/ffn_up are zero, not random,
// and so is every matrix of the appended blocks (their norms are 1): the extra width and blocks
// add exactly nothing to the output (zero ffn_down columns and zero attn_output/ffn_down
// matrices, as in the wide and padded rigs), and the file is written as a sparse file whose zero
// runs are holes, so it takes no disk space or time to write and llama.cpp reads it at page-cache
// speed. A GPU reads zero weights exactly as fast as any others. The trained tensors are copied
// byte for byte, so the target's greedy output is the trained target's.
//
// node out/src/lab/gpu/bigTarget.js --source T.gguf --out F.gguf [--billions 7] [--blocks 32]
import {closeSync, ftruncateSync, openSync, readFileSync, readSync, rmSync, writeSync} from "node:fs";
import {parseArgs} from "node:util";
import {writeGguf, type MetadataValue} from "../modelmaker/ggufWriter";
import {typedMetadata} from "../modelmaker/paddedTarget";

export interface BigTargetOptions {
  source: string;
  out: string;
  /** Parameters in billions (default 7). */
  billions?: number;
  /** Blocks in all, trained ones included (default 32, as Llama-2-7B). */
  blocks?: number;
}

export interface BigTarget {
  path: string;
  parameters: number;
  bytes: number;
  blocks: number;
  ffn: number;
  trainedFfn: number;
  embedding: number;
}

interface TensorOut {
  name: string;
  /** ggml order: ne0 first. */
  ne: number[];
  type: 0 | 1;
  /** Writes the non-zero parts, given the tensor's absolute file offset. */
  write: (fd: number, at: number) => void;
}

const ALIGN = 32;
const align = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

function num(metadata: Record<string, MetadataValue>, key: string): number {
  const v = metadata[key];
  if (v === undefined || v.kind === "array" || typeof v.value !== "number") throw new Error(`big target: no numeric ${key}`);
  return v.value;
}

function pwriteAll(fd: number, buf: Buffer, at: number): void {
  for (let done = 0; done < buf.length;) done += writeSync(fd, buf, done, buf.length - done, at + done);
}

export async function writeBigTarget(options: BigTargetOptions): Promise<BigTarget> {
  const billions = options.billions ?? 7, blocksWanted = options.blocks ?? 32;
  const {readGgufFileInfo} = await import("node-llama-cpp");
  const info = await readGgufFileInfo(options.source, {logWarnings: false});
  const metadata = typedMetadata(info);
  const trainedBlocks = num(metadata, "llama.block_count");
  const d = num(metadata, "llama.embedding_length");
  const trainedFfn = num(metadata, "llama.feed_forward_length");
  const blocks = Math.max(trainedBlocks, blocksWanted);
  // 3 FFN matrices of d × ffn per block carry nearly all the parameters; the width is a multiple of 256.
  const ffn = Math.max(trainedFfn, Math.ceil(billions * 1e9 / (3 * d * blocks) / 256) * 256);

  metadata["llama.block_count"] = {kind: "u32", value: blocks};
  metadata["llama.feed_forward_length"] = {kind: "u32", value: ffn};
  metadata["general.file_type"] = {kind: "u32", value: 1};
  metadata["general.name"] = {kind: "string", value: `tiny-big-${billions}b-f${ffn}-x${blocks}`};
  metadata["draftstop.big.trained_ffn"] = {kind: "u32", value: trainedFfn};
  metadata["draftstop.big.trained_blocks"] = {kind: "u32", value: trainedBlocks};

  const src = openSync(options.source, "r");
  const readRaw = (offset: number, bytes: number) => {
    const b = Buffer.alloc(bytes);
    for (let done = 0; done < bytes;) done += readSync(src, b, done, bytes - done, offset + done);
    return b;
  };
  const tensors: TensorOut[] = [];
  const blockTemplate: Array<{suffix: string; ne: number[]; type: 0 | 1}> = [];
  for (const t of info.tensorInfo ?? []) {
    const ne = t.dimensions.map(Number);
    if (t.ggmlType !== 0 && t.ggmlType !== 1) throw new Error(`big target: ${t.name} has ggml type ${t.ggmlType}`);
    const type = t.ggmlType as 0 | 1, width = type === 0 ? 4 : 2;
    const count = ne.reduce((a, b) => a * b, 1);
    const offset = Number(t.fileOffset);
    const m = /^blk\.(\d+)\.(.+)$/.exec(t.name);
    if (m !== null && m[1] === "0") blockTemplate.push({suffix: m[2]!, ne, type});
    const ffnMatrix = m === null ? null : /^ffn_(gate|up|down)\.weight$/.exec(m[2]!);
    if (ffnMatrix === null) {
      tensors.push({name: t.name, ne, type, write: (fd, at) => pwriteAll(fd, readRaw(offset, count * width), at)});
    } else if (ffnMatrix[1] === "down") {
      // ne = [trainedFfn, d]: d rows of trainedFfn values, widened to ffn with zero columns.
      if (ne[0] !== trainedFfn || ne[1] !== d) throw new Error(`big target: ${t.name} has ne [${ne.join(", ")}]`);
      tensors.push({name: t.name, ne: [ffn, d], type, write: (fd, at) => {
        const raw = readRaw(offset, count * width);
        for (let row = 0; row < d; row++) pwriteAll(fd, raw.subarray(row * trainedFfn * width, (row + 1) * trainedFfn * width), at + row * ffn * width);
      }});
    } else {
      // ne = [d, trainedFfn]: trainedFfn rows of d values; the new rows follow, zero.
      if (ne[0] !== d || ne[1] !== trainedFfn) throw new Error(`big target: ${t.name} has ne [${ne.join(", ")}]`);
      tensors.push({name: t.name, ne: [d, ffn], type, write: (fd, at) => pwriteAll(fd, readRaw(offset, count * width), at)});
    }
  }
  for (let b = trainedBlocks; b < blocks; b++) {
    for (const t of blockTemplate) {
      const ne = /^ffn_(gate|up)\.weight$/.test(t.suffix) ? [d, ffn] : t.suffix === "ffn_down.weight" ? [ffn, d] : t.ne;
      const isNorm = ne.length === 1;
      tensors.push({name: `blk.${b}.${t.suffix}`, ne, type: isNorm ? 0 : 1, write: isNorm
        ? (fd, at) => pwriteAll(fd, Buffer.from(new Float32Array(ne[0]!).fill(1).buffer), at)
        : () => undefined}); // zero: a hole in the sparse file
    }
  }

  // The metadata block exactly as the repository's writer encodes it: a GGUF with no tensors and no padding, minus its 24-byte preamble.
  const kvFile = `${options.out}.${process.pid}.kv`;
  writeGguf(kvFile, {metadata, tensors: [], alignment: 1});
  const kv = readFileSync(kvFile).subarray(24);
  rmSync(kvFile);
  const parts: Buffer[] = [];
  const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); parts.push(b); };
  const u64 = (v: number) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); parts.push(b); };
  u32(0x46554747); u32(3); u64(tensors.length); u64(Object.keys(metadata).length); parts.push(kv);
  let dataOffset = 0;
  const offsets: number[] = [];
  let parameters = 0;
  for (const t of tensors) {
    const name = Buffer.from(t.name, "utf8");
    u64(name.length); parts.push(name); u32(t.ne.length);
    for (const n of t.ne) u64(n);
    u32(t.type); u64(dataOffset);
    offsets.push(dataOffset);
    const count = t.ne.reduce((a, b) => a * b, 1);
    parameters += count;
    dataOffset = align(dataOffset + count * (t.type === 0 ? 4 : 2));
  }
  const header = Buffer.concat(parts);
  const dataStart = align(header.length);
  const tmp = `${options.out}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w");
  try {
    pwriteAll(fd, header, 0);
    ftruncateSync(fd, dataStart + dataOffset);
    tensors.forEach((t, i) => t.write(fd, dataStart + offsets[i]!));
  } finally {
    closeSync(fd);
    closeSync(src);
  }
  const {renameSync} = await import("node:fs");
  renameSync(tmp, options.out);
  return {path: options.out, parameters, bytes: dataStart + dataOffset, blocks, ffn, trainedFfn, embedding: d};
}

async function main(): Promise<void> {
  const {values} = parseArgs({options: {source: {type: "string"}, out: {type: "string"}, billions: {type: "string"}, blocks: {type: "string"}}});
  if (!values.source || !values.out) throw new Error("usage: bigTarget --source T.gguf --out F.gguf [--billions 7] [--blocks 32]");
  const started = Date.now();
  const result = await writeBigTarget({source: values.source, out: values.out,
    billions: values.billions === undefined ? undefined : Number(values.billions), blocks: values.blocks === undefined ? undefined : Number(values.blocks)});
  console.log(JSON.stringify({...result, seconds: (Date.now() - started) / 1000}));
}

if (require.main === module) main().catch(error => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
