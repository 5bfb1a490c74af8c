// Walks a GGUF header and checks every count and length against the file's size before anything
// trusts them. node-llama-cpp's header reader fills reads past the end of a file with zeros and
// believes every count, so one flipped bit in a tensor count, a name length or an array count
// keeps it reading for minutes and can run the process out of memory (found by the fuzzer,
// test/reliability/fuzzModels.test.ts). This walk refuses such headers in milliseconds; only a
// header whose every field fits the file goes on to node-llama-cpp and llama.cpp.
import {open} from "node:fs/promises";
import type {ModelFileProblem} from "./errors";

export interface HeaderFault {
  problem: Extract<ModelFileProblem, "truncated" | "malformed" | "notGguf">;
  detail: string;
}

/** gguf.h, enum gguf_type: bytes of each fixed-size value type; 8 is a string, 9 an array. */
export const GGUF_VALUE_BYTES: ReadonlyMap<number, number> = new Map([
  [0, 1], [1, 1], [2, 2], [3, 2], [4, 4], [5, 4], [6, 4], [7, 1], [10, 8], [11, 8], [12, 8]
]);
export const GGUF_STRING = 8;
export const GGUF_ARRAY = 9;
/** ggml.h, GGML_MAX_DIMS. */
const MAX_DIMS = 4;
/** A tensor info's fixed part: name length, n_dims, type, offset. */
const MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8;
/** A key-value pair's least: key length, type, a one-byte value. */
const MIN_KV_BYTES = 8 + 4 + 1;
const FIRST_READ_BYTES = 4 << 20;

/** The first fault of the header of the file at `path` (`size` bytes), or undefined when it is sound. */
export async function findHeaderFault(path: string, size: number): Promise<HeaderFault | undefined> {
  const file = await open(path, "r");
  try {
    let bytes = Math.min(size, FIRST_READ_BYTES);
    for (;;) {
      const buffer = Buffer.allocUnsafe(bytes);
      const {bytesRead} = await file.read(buffer, 0, bytes, 0);
      const outcome = walk(buffer.subarray(0, bytesRead), size);
      if (!(outcome instanceof NeedMore)) return outcome;
      // A header larger than the first read (a big vocabulary): read enough, and walk again.
      bytes = Math.min(size, Math.max(outcome.end, bytes * 2));
    }
  } finally {
    await file.close();
  }
}

class NeedMore {
  constructor(readonly end: number) {}
}

class Fault {
  constructor(readonly fault: HeaderFault) {}
}

function walk(buffer: Buffer, size: number): HeaderFault | NeedMore | undefined {
  let at = 0;
  const truncated = (detail: string) => new Fault({problem: "truncated", detail: `the GGUF header is truncated or corrupt: ${detail}`});
  const malformed = (detail: string) => new Fault({problem: "malformed", detail});
  const need = (n: number, what: string) => {
    if (at + n > size) throw truncated(`${what} runs past the end of the file (byte ${at + n} of ${size})`);
    if (at + n > buffer.length) throw new NeedMore(at + n);
  };
  const u32 = (what: string) => (need(4, what), at += 4, buffer.readUInt32LE(at - 4));
  const u64 = (what: string) => (need(8, what), at += 8, buffer.readBigUInt64LE(at - 8));
  /** A count of items of at least `itemBytes` each, which must fit in what is left of the file. */
  const count = (what: string, itemBytes: number) => {
    const n = u64(what);
    if (n * BigInt(itemBytes) > BigInt(size - at)) throw truncated(`${what} is ${n}, more than the rest of the file can hold`);
    return Number(n);
  };
  const string = (what: string) => {
    const length = count(`the length of ${what}`, 1);
    need(length, what);
    at += length;
    return length <= 200 ? buffer.toString("utf8", at - length, at) : `(${length} bytes)`;
  };
  // The vocabulary is most of a header: its items are checked without a label or text of their own.
  const skipStrings = (n: number, key: string) => {
    for (let j = 0; j < n; j++) {
      if (at + 8 > buffer.length || size - at < 8) need(8, `${key}[${j}]`);
      // A double is exact to 2^53, far past any file size, so this compares as the u64 would.
      const length = buffer.readUInt32LE(at + 4) * 2 ** 32 + buffer.readUInt32LE(at);
      if (length > size - at - 8) throw truncated(`the length of ${key}[${j}] is ${buffer.readBigUInt64LE(at)}, more than the rest of the file holds`);
      at += 8 + length;
      if (at > buffer.length) throw new NeedMore(at);
    }
  };
  const value = (type: number, what: string) => {
    if (type === GGUF_STRING) string(what);
    else {
      const bytes = GGUF_VALUE_BYTES.get(type);
      if (bytes === undefined) throw malformed(`${what} has value type ${type}, which GGUF does not define`);
      need(bytes, what);
      at += bytes;
    }
  };

  try {
    need(4, "the magic bytes");
    if (buffer.toString("latin1", 0, 4) !== "GGUF") return {problem: "notGguf", detail: "not a GGUF file (wrong magic bytes)"};
    at = 4;
    const version = u32("the version");
    if (version !== 2 && version !== 3) throw malformed(`GGUF version ${version} is not supported (2 and 3 are)`);
    const tensorCount = count("the tensor count", MIN_TENSOR_INFO_BYTES);
    const kvCount = count("the metadata count", MIN_KV_BYTES);
    for (let i = 0; i < kvCount; i++) {
      const key = string(`metadata key #${i}`);
      const type = u32(`the type of ${key}`);
      if (type !== GGUF_ARRAY) {
        value(type, key);
        continue;
      }
      const of = u32(`the element type of ${key}`);
      if (of === GGUF_ARRAY) throw malformed(`${key} is an array of arrays`);
      const itemBytes = of === GGUF_STRING ? 8 : GGUF_VALUE_BYTES.get(of);
      if (itemBytes === undefined) throw malformed(`${key} is an array of value type ${of}, which GGUF does not define`);
      const n = count(`the length of array ${key}`, itemBytes);
      if (of === GGUF_STRING) skipStrings(n, key);
      else {
        need(n * itemBytes, key);
        at += n * itemBytes;
      }
    }
    for (let i = 0; i < tensorCount; i++) {
      const name = string(`the name of tensor #${i}`);
      const dims = u32(`the dimension count of tensor ${name}`);
      if (dims > MAX_DIMS) throw malformed(`tensor ${name} has ${dims} dimensions (at most ${MAX_DIMS})`);
      need(8 * dims + 4 + 8, `tensor ${name}`);
      at += 8 * dims + 4 + 8;
    }
    return undefined;
  } catch (error) {
    if (error instanceof Fault) return error.fault;
    if (error instanceof NeedMore) return error;
    throw error;
  }
}
