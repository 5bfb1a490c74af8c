// Reads a GGUF file (version 2 or 3) the way ggufWriter.ts writes one: every metadata value with
// the GGUF type it was stored with, and every tensor's shape, ggml type and encoded bytes. With the
// two, a model maker can copy a model (quantized or not) and change only what it means to change:
// writeGguf(path, {metadata, tensors}) of what this returns writes the same file again.
// node-llama-cpp's readGgufFileInfo parses the same header but drops the value types, which a copy
// needs (a token id is u32, a token type i32, an epsilon f32).
import {readFileSync} from "node:fs";
import {ggmlTensorBytes, type MetadataValue, type RawTensorSpec, type ScalarKind} from "./ggufWriter";

export interface GgufContents {
  version: number;
  /** Every key in file order, with its stored type. */
  metadata: Record<string, MetadataValue>;
  /** In file order; `bytes` are views into the file's buffer. `offset` is the tensor's byte offset in the file. */
  tensors: Array<RawTensorSpec & {offset: number}>;
  alignment: number;
  /** Where tensor data starts in the file. */
  dataOffset: number;
}

const SCALAR_OF_TYPE: ReadonlyArray<ScalarKind | "array"> =
  ["u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64", "f64"];

/** Parses the whole file at `path` (read into memory). */
export function readGguf(path: string): GgufContents {
  const buffer = readFileSync(path);
  let at = 0;
  const need = (n: number) => {
    if (at + n > buffer.length) throw new Error(`${path}: GGUF header runs past the end of the file (${buffer.length} bytes)`);
  };
  /** Advances past `n` bytes and returns where they start. */
  const take = (n: number) => {
    need(n);
    at += n;
    return at - n;
  };
  const u32 = () => buffer.readUInt32LE(take(4));
  const u64 = () => {
    const start = take(8);
    const value = buffer.readBigUInt64LE(start);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${path}: u64 ${value} at byte ${start} is too large`);
    return Number(value);
  };
  const string = () => {
    const length = u64();
    const start = take(length);
    return buffer.toString("utf8", start, start + length);
  };
  const scalar = (kind: ScalarKind): number | string | boolean => {
    switch (kind) {
      case "string": return string();
      case "bool": return buffer[take(1)]! !== 0;
      case "u8": return buffer.readUInt8(take(1));
      case "i8": return buffer.readInt8(take(1));
      case "u16": return buffer.readUInt16LE(take(2));
      case "i16": return buffer.readInt16LE(take(2));
      case "u32": return u32();
      case "i32": return buffer.readInt32LE(take(4));
      case "f32": return buffer.readFloatLE(take(4));
      case "u64": return u64();
      case "i64": return Number(buffer.readBigInt64LE(take(8)));
      case "f64": return buffer.readDoubleLE(take(8));
    }
  };
  const kindOf = (type: number, key: string) => {
    const kind = SCALAR_OF_TYPE[type];
    if (kind === undefined) throw new Error(`${path}: metadata key ${key} has unknown value type ${type}`);
    return kind;
  };

  if (u32() !== 0x46554747) throw new Error(`${path}: not a GGUF file (bad magic)`);
  const version = u32();
  if (version !== 2 && version !== 3) throw new Error(`${path}: GGUF version ${version} is not supported (2 or 3)`);
  const tensorCount = u64();
  const kvCount = u64();
  const metadata: Record<string, MetadataValue> = {};
  for (let i = 0; i < kvCount; i++) {
    const key = string();
    const kind = kindOf(u32(), key);
    if (kind === "array") {
      const of = kindOf(u32(), key);
      if (of === "array") throw new Error(`${path}: metadata key ${key} is an array of arrays, which the writer cannot write`);
      const count = u64();
      const values: Array<number | string | boolean> = new Array(count);
      for (let j = 0; j < count; j++) values[j] = scalar(of);
      metadata[key] = {kind: "array", of, values};
    } else if (kind === "string") metadata[key] = {kind, value: string()};
    else if (kind === "bool") metadata[key] = {kind, value: scalar(kind) as boolean};
    else metadata[key] = {kind, value: scalar(kind) as number};
  }
  const infos: Array<{name: string; shape: number[]; ggmlType: number; relative: number}> = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = string();
    const dims = Array.from({length: u32()}, u64);
    infos.push({name, shape: dims.reverse(), ggmlType: u32(), relative: u64()});
  }
  const alignmentValue = metadata["general.alignment"];
  const alignment = alignmentValue && alignmentValue.kind !== "array" ? Number(alignmentValue.value) : 32;
  const dataOffset = Math.ceil(at / alignment) * alignment;
  // A tensor's bytes run to the next tensor's start (by offset); the padding after it is the
  // writer's to add. Its own size comes from its type where known, else up to the next one.
  const starts = [...new Set(infos.map(t => t.relative))].sort((a, b) => a - b);
  const tensors = infos.map(t => {
    const next = starts.find(s => s > t.relative) ?? buffer.length - dataOffset;
    let size = next - t.relative;
    const known = knownBytes(t.ggmlType, t.shape);
    if (known !== undefined) {
      if (known > size) throw new Error(`${path}: tensor ${t.name} needs ${known} bytes but has ${size}`);
      size = known;
    }
    const offset = dataOffset + t.relative;
    if (offset + size > buffer.length) throw new Error(`${path}: tensor ${t.name} runs past the end of the file`);
    return {name: t.name, shape: t.shape, ggmlType: t.ggmlType, bytes: buffer.subarray(offset, offset + size), offset};
  });
  return {version, metadata, tensors, alignment, dataOffset};
}

function knownBytes(ggmlType: number, shape: readonly number[]): number | undefined {
  try {
    return ggmlTensorBytes(ggmlType, shape);
  } catch {
    return undefined;
  }
}
