// Where each field of a good GGUF header lies, byte by byte, so that the fuzzer can change one field
// (a count, a type, a length) and leave the rest as it is. src/lab/modelmaker/ggufReader.ts reads
// the values but keeps no offsets, and node-llama-cpp's reader neither, so this walks the header
// once more and records positions. It trusts its input: it is only run on the real model files.
import {GGUF_ARRAY, GGUF_STRING, GGUF_VALUE_BYTES} from "../../../src/engine/ggufBounds";

export interface KvLayout {
  key: string;
  /** Offset of the key's u64 length; the key's bytes follow. */
  at: number;
  /** Offset of the u32 value type. */
  typeAt: number;
  type: number;
  /** Offset of the value (of a string: its u64 length; of an array: its u32 element type). */
  valueAt: number;
  /** One past the value's last byte. */
  end: number;
  array?: {of: number; countAt: number; count: number; itemsAt: number; /** Of a string array: each item's offset (its u64 length). */ stringItems?: Int32Array};
}

export interface TensorInfoLayout {
  name: string;
  at: number;
  nDimsAt: number;
  nDims: number;
  dimsAt: number;
  typeAt: number;
  ggmlType: number;
  offsetAt: number;
  end: number;
}

export interface GgufLayout {
  version: number;
  tensorCountAt: 8;
  kvCountAt: 16;
  kvs: KvLayout[];
  tensors: TensorInfoLayout[];
  /** One past the last tensor info. */
  headerEnd: number;
  alignment: number;
  /** Where tensor data starts: headerEnd rounded up to the alignment. */
  dataOffset: number;
}

export function ggufLayoutOf(bytes: Buffer): GgufLayout {
  let at = 0;
  const u32 = () => (at += 4, bytes.readUInt32LE(at - 4));
  const u64 = () => (at += 8, Number(bytes.readBigUInt64LE(at - 8)));
  const string = () => {
    const length = u64();
    at += length;
    return bytes.toString("utf8", at - length, at);
  };
  const skipScalar = (type: number) => {
    if (type === GGUF_STRING) at += 8 + Number(bytes.readBigUInt64LE(at));
    else at += GGUF_VALUE_BYTES.get(type) ?? fail(`unknown value type ${type} at ${at}`);
  };

  if (u32() !== 0x46554747) fail("not a GGUF file");
  const version = u32();
  const tensorCount = u64();
  const kvCount = u64();
  const kvs: KvLayout[] = [];
  for (let i = 0; i < kvCount; i++) {
    const start = at;
    const key = string();
    const typeAt = at;
    const type = u32();
    const valueAt = at;
    let array: KvLayout["array"];
    if (type === GGUF_ARRAY) {
      const of = u32();
      const countAt = at;
      const count = u64();
      const itemsAt = at;
      const stringItems = of === GGUF_STRING ? new Int32Array(count) : undefined;
      for (let j = 0; j < count; j++) {
        if (stringItems) stringItems[j] = at;
        skipScalar(of);
      }
      array = {of, countAt, count, itemsAt, stringItems};
    } else skipScalar(type);
    kvs.push({key, at: start, typeAt, type, valueAt, end: at, array});
  }
  const tensors: TensorInfoLayout[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const start = at;
    const name = string();
    const nDimsAt = at;
    const nDims = u32();
    const dimsAt = at;
    at += 8 * nDims;
    const typeAt = at;
    const ggmlType = u32();
    const offsetAt = at;
    at += 8;
    tensors.push({name, at: start, nDimsAt, nDims, dimsAt, typeAt, ggmlType, offsetAt, end: at});
  }
  const alignmentKv = kvs.find(kv => kv.key === "general.alignment");
  const alignment = alignmentKv ? bytes.readUInt32LE(alignmentKv.valueAt) : 32;
  return {version, tensorCountAt: 8, kvCountAt: 16, kvs, tensors, headerEnd: at, alignment, dataOffset: Math.ceil(at / alignment) * alignment};
}

function fail(message: string): never {
  throw new Error(`GGUF layout: ${message}`);
}
