// Seeded mutations of a real GGUF file's header: the same seed gives the same file on every run, so
// a failure names a seed that reproduces it. Each mutation touches the header region only (plus
// truncations anywhere); the tensor data is never rewritten, only cut off or shifted behind a
// header of another length, which is what keeps 10 000 of them cheap on a 100 MB model.
import {GGUF_ARRAY, GGUF_STRING, GGUF_VALUE_BYTES} from "../../../src/engine/ggufBounds";
import {GgufLayout, KvLayout, TensorInfoLayout} from "./ggufLayout";

export type MutationKind =
  | "byteFlip" | "fieldFlip" | "wrongCount" | "wrongType" | "hugeLength" | "truncation" | "valueEdit" | "tensorEdit" | "splice";

export interface MutationSource {
  bytes: Buffer;
  layout: GgufLayout;
}

/** The mutated file: `head`, then the source's bytes from `tailFrom` on, `length` bytes in all. */
export interface Mutant {
  kind: MutationKind;
  /** What changed, for a failure message. */
  what: string;
  head: Buffer;
  tailFrom: number;
  length: number;
}

/** How often each kind is drawn; uniform byte flips mostly land in token text, so structure gets more weight. */
const KIND_WEIGHTS: ReadonlyArray<[MutationKind, number]> = [
  ["byteFlip", 14], ["fieldFlip", 10], ["wrongCount", 12], ["wrongType", 12], ["hugeLength", 12],
  ["truncation", 12], ["valueEdit", 14], ["tensorEdit", 8], ["splice", 10]
];

export function mutate(source: MutationSource, seed: number): Mutant {
  const r = new Random(seed);
  const kind = r.weighted(KIND_WEIGHTS);
  const m = new Mutator(source, r);
  return {kind, ...m[kind]()};
}

type Change = Omit<Mutant, "kind">;

/** u64 values that overflow something: a signed or unsigned 32-bit count, a double's exact range, a size_t. */
const HUGE_U64: readonly bigint[] = [2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 40n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n];

class Mutator {
  private readonly layout: GgufLayout;
  private readonly bytes: Buffer;

  constructor(source: MutationSource, private readonly r: Random) {
    this.layout = source.layout;
    this.bytes = source.bytes;
  }

  /** A copy of the header region for changes that keep every length. */
  private inPlace(what: string, edit: (head: Buffer) => void): Change {
    const head = Buffer.from(this.bytes.subarray(0, this.layout.dataOffset));
    edit(head);
    return {what, head, tailFrom: head.length, length: this.bytes.length};
  }

  byteFlip(): Change {
    const n = this.r.pick([1, 1, 1, 2, 4, 16]);
    const spots: string[] = [];
    return this.inPlaceLabelled(head => {
      for (let i = 0; i < n; i++) {
        const at = this.r.int(this.layout.headerEnd);
        const value = this.r.pick([0x00, 0xff, head[at]! ^ (1 + this.r.int(255))]);
        spots.push(`${at}:${head[at]}→${value}`);
        head[at] = value;
      }
    }, () => `bytes in ${this.regionOf(Number(spots[0]!.split(":")[0]))}: ${spots.join(" ")}`);
  }

  /** The key or tensor info that holds byte `at`, by name ("tokenizer.ggml.tokens", "tensor info", "counts"). */
  private regionOf(at: number): string {
    const kv = this.layout.kvs.find(k => at >= k.at && at < k.end);
    return kv ? kv.key : at < 24 ? "the fixed header" : "tensor info";
  }

  fieldFlip(): Change {
    const field = this.r.pick(this.fields());
    const bit = this.r.int(field.size * 8);
    return this.inPlace(`bit ${bit} of ${field.name}`, head => void (head[field.at + (bit >> 3)] ^= 1 << (bit & 7)));
  }

  wrongCount(): Change {
    const {layout, r} = this;
    const arrays = layout.kvs.filter(kv => kv.array);
    const target = r.pick(["tensors", "kvs", "array", "array", "dims"] as const);
    if (target === "dims") {
      const tensor = r.pick(layout.tensors);
      const value = r.pick([0, 1, 2, 3, 4, 5, 8, 255, 2 ** 31, 2 ** 32 - 1]);
      return this.inPlace(`${tensor.name}: n_dims ${tensor.nDims} → ${value}`, head => head.writeUInt32LE(value, tensor.nDimsAt));
    }
    const [name, at, count] = target === "tensors" ? ["tensor count", layout.tensorCountAt, layout.tensors.length]
      : target === "kvs" ? ["metadata count", layout.kvCountAt, layout.kvs.length]
        : ((kv: KvLayout) => [`${kv.key}: array count`, kv.array!.countAt, kv.array!.count] as const)(r.pick(arrays));
    const value = this.countNear(count);
    return this.inPlace(`${name} ${count} → ${value}`, head => head.writeBigUInt64LE(value, at));
  }

  private countNear(count: number): bigint {
    const {r} = this;
    const c = BigInt(count);
    return r.pick<() => bigint>([
      () => 0n, () => (c > 0n ? c - 1n : 1n), () => c + 1n, () => c + BigInt(1 + r.int(1000)), () => c * 2n,
      () => c / 2n, () => r.pick(HUGE_U64), () => r.u64()
    ])();
  }

  wrongType(): Change {
    const {layout, r} = this;
    const target = r.pick(["kv", "kv", "element", "tensor"] as const);
    if (target === "tensor") {
      const tensor = r.pick(layout.tensors);
      const value = r.pick([r.int(41), r.int(41), 4, 5, 31, 39, 40, 255, 2 ** 31, 2 ** 32 - 1]);
      return this.inPlace(`${tensor.name}: ggml type ${tensor.ggmlType} → ${value}`, head => head.writeUInt32LE(value, tensor.typeAt));
    }
    const kv = target === "element" ? r.pick(layout.kvs.filter(k => k.array)) : r.pick(layout.kvs);
    const at = target === "element" ? kv.valueAt : kv.typeAt;
    const was = target === "element" ? kv.array!.of : kv.type;
    const value = r.pick([r.int(13), r.int(13), r.int(13), 13, 255, 2 ** 31, 2 ** 32 - 1]);
    return this.inPlace(`${kv.key}: ${target === "element" ? "element " : ""}type ${was} → ${value}`, head => head.writeUInt32LE(value, at));
  }

  hugeLength(): Change {
    const {layout, r} = this;
    const strings: Array<{name: string; at: number}> = [
      ...layout.kvs.map(kv => ({name: `key ${kv.key}`, at: kv.at})),
      ...layout.kvs.filter(kv => kv.type === GGUF_STRING).map(kv => ({name: `${kv.key} value`, at: kv.valueAt})),
      ...layout.tensors.map(t => ({name: `tensor name ${t.name}`, at: t.at}))
    ];
    const arrays = layout.kvs.filter(kv => kv.array?.stringItems);
    let field = r.pick(strings);
    if (arrays.length > 0 && r.chance(0.4)) {
      const kv = r.pick(arrays);
      const item = r.int(kv.array!.count);
      field = {name: `${kv.key}[${item}]`, at: kv.array!.stringItems![item]!};
    }
    const length = this.bytes.readBigUInt64LE(field.at);
    const remaining = BigInt(this.bytes.length - field.at - 8);
    const value = r.pick<() => bigint>([
      () => length + 1n, () => length + BigInt(1 + r.int(4096)), () => r.pick(HUGE_U64), () => r.pick(HUGE_U64),
      () => remaining, () => remaining + 1n, () => r.u64()
    ])();
    return this.inPlace(`${field.name}: length ${length} → ${value}`, head => head.writeBigUInt64LE(value, field.at));
  }

  truncation(): Change {
    const {layout, r, bytes} = this;
    const boundaries = [
      ...layout.kvs.flatMap(kv => [kv.at, kv.valueAt, kv.end]), ...layout.tensors.flatMap(t => [t.at, t.typeAt, t.end]),
      layout.headerEnd, layout.dataOffset, bytes.length - 1
    ];
    const at = r.pick<() => number>([
      () => r.int(layout.headerEnd), () => r.int(layout.headerEnd), () => r.int(24),
      () => r.pick(boundaries) + r.pick([-1, 0, 0, 1]),
      () => layout.dataOffset + r.int(bytes.length - layout.dataOffset),
      () => bytes.length - 1 - r.int(64)
    ])();
    const length = Math.max(0, Math.min(bytes.length - 1, at));
    const head = Buffer.from(bytes.subarray(0, Math.min(length, layout.dataOffset)));
    const where = length < layout.headerEnd ? `the header (${this.regionOf(length)})` : "the tensor data";
    return {what: `cut in ${where} at ${length} of ${bytes.length} bytes`, head, tailFrom: head.length, length};
  }

  valueEdit(): Change {
    const {layout, r} = this;
    const numeric = layout.kvs.filter(kv => GGUF_VALUE_BYTES.has(kv.type));
    const numericArrays = layout.kvs.filter(kv => kv.array && GGUF_VALUE_BYTES.has(kv.array.of));
    const strings = layout.kvs.filter(kv => kv.type === GGUF_STRING);
    const tokens = layout.kvs.find(kv => kv.key === "tokenizer.ggml.tokens");
    const choice = r.pick(["numeric", "numeric", "numeric", "array", "string", "token"] as const);
    if (choice === "numeric" && numeric.length > 0) {
      const kv = r.pick(numeric);
      const value = this.edgeValue(kv.type);
      return this.inPlace(`${kv.key} → ${value.label}`, head => value.write(head, kv.valueAt));
    }
    if (choice === "array" && numericArrays.length > 0) {
      const kv = r.pick(numericArrays);
      const n = this.r.pick([1, 1, 3, 100]);
      const size = GGUF_VALUE_BYTES.get(kv.array!.of)!;
      const labels: string[] = [];
      return this.inPlaceLabelled(head => {
        for (let i = 0; i < n && kv.array!.count > 0; i++) {
          const item = r.int(kv.array!.count);
          const value = this.edgeValue(kv.array!.of);
          value.write(head, kv.array!.itemsAt + item * size);
          labels.push(`[${item}] → ${value.label}`);
        }
      }, () => `${kv.key}${labels.join(" ")}`);
    }
    if (choice === "token" && tokens?.array?.stringItems) return this.duplicateToken(tokens);
    const kv = r.pick(strings);
    const length = Number(this.bytes.readBigUInt64LE(kv.valueAt));
    const text = this.sameLengthText(length);
    return this.inPlace(`${kv.key} → ${JSON.stringify(text)}`, head => head.write(text, kv.valueAt + 8, "latin1"));
  }

  /** One token's text replaced by another token's of the same length: a vocabulary with a text twice. */
  private duplicateToken(tokens: KvLayout): Change {
    const items = tokens.array!.stringItems!;
    const lengthAt = (i: number) => Number(this.bytes.readBigUInt64LE(items[i]!));
    for (let tries = 0; tries < 50; tries++) {
      const a = this.r.int(items.length);
      const b = this.r.int(items.length);
      if (a === b || lengthAt(a) !== lengthAt(b)) continue;
      return this.inPlace(`token ${a} := token ${b}`, head =>
        void this.bytes.copy(head, items[a]! + 8, items[b]! + 8, items[b]! + 8 + lengthAt(b)));
    }
    return this.byteFlip();
  }

  private sameLengthText(length: number): string {
    const same = ["llama", "qwen2", "gpt2", "mamba", "rwkv6", "bert", "t5", "phi3", "gemma", "falcon", "starcoder", "smollm", "<unk>", "<|endoftext|>"]
      .filter(t => t.length === length);
    if (same.length > 0 && this.r.chance(0.6)) return this.r.pick(same);
    return Array.from({length}, () => String.fromCharCode(this.r.pick([0, 0x20 + this.r.int(95), 0x80 + this.r.int(128)]))).join("");
  }

  tensorEdit(): Change {
    const {layout, r} = this;
    const tensor = r.pick(layout.tensors);
    const edit = r.pick(["dim", "dim", "offset", "offset", "name"] as const);
    if (edit === "dim" && tensor.nDims > 0) {
      const d = r.int(tensor.nDims);
      const at = tensor.dimsAt + 8 * d;
      const was = this.bytes.readBigUInt64LE(at);
      const value = r.pick<() => bigint>([() => 0n, () => 1n, () => was * 2n, () => was / 2n, () => was + 1n, () => r.pick(HUGE_U64)])();
      return this.inPlace(`${tensor.name}: dim ${d} ${was} → ${value}`, head => head.writeBigUInt64LE(value, at));
    }
    if (edit === "name") return this.renameTensor(tensor);
    const was = this.bytes.readBigUInt64LE(tensor.offsetAt);
    const other = r.pick(layout.tensors);
    const value = r.pick<() => bigint>([
      () => was + 1n, () => was + BigInt(layout.alignment), () => this.bytes.readBigUInt64LE(other.offsetAt),
      () => BigInt(this.bytes.length), () => r.pick(HUGE_U64), () => BigInt(r.int(this.bytes.length))
    ])();
    return this.inPlace(`${tensor.name}: offset ${was} → ${value}`, head => head.writeBigUInt64LE(value, tensor.offsetAt));
  }

  /** Another tensor's name where one of the same length exists (a tensor twice, one missing), else one changed byte. */
  private renameTensor(tensor: TensorInfoLayout): Change {
    const same = this.layout.tensors.filter(t => t !== tensor && t.name.length === tensor.name.length);
    const name = same.length > 0 ? this.r.pick(same).name
      : tensor.name.slice(0, -1) + String.fromCharCode(0x20 + this.r.int(95));
    return this.inPlace(`tensor ${tensor.name} → ${name}`, head => head.write(name, tensor.at + 8, "latin1"));
  }

  /** Changes that make the header longer or shorter: the tensor data moves behind it, aligned again. */
  splice(): Change {
    const {layout, r} = this;
    const kv = r.pick(layout.kvs);
    const tensor = r.pick(layout.tensors);
    const edit = r.pick(["dropKv", "dropKv", "copyKv", "retype", "retype", "string", "dropTensor", "copyTensor", "addKv", "dropItem"] as const);
    const arrays = layout.kvs.filter(k => k.array && k.array.count > 0);
    switch (edit) {
      case "dropKv": return this.spliced(`drop ${kv.key}`, kv.at, kv.end, Buffer.alloc(0), {kvs: -1});
      case "copyKv": return this.spliced(`${kv.key} twice`, kv.end, kv.end, this.bytes.subarray(kv.at, kv.end), {kvs: +1});
      case "addKv": return this.spliced("an unknown key", kv.end, kv.end, encodeKv(`fuzz.extra_${r.int(100)}`, 4, u32Bytes(r.u32())), {kvs: +1});
      case "dropTensor": return this.spliced(`drop tensor ${tensor.name}`, tensor.at, tensor.end, Buffer.alloc(0), {tensors: -1});
      case "copyTensor": return this.spliced(`tensor ${tensor.name} twice`, tensor.end, tensor.end, this.bytes.subarray(tensor.at, tensor.end), {tensors: +1});
      case "string": {
        const strings = layout.kvs.filter(k => k.type === GGUF_STRING);
        const target = r.pick(strings);
        const text = r.pick(["", "llama", "qwen2", "gpt2", "mamba", "rwkv6", "bert", "t5", "no-such-architecture", "x".repeat(1 + r.int(300))]);
        return this.spliced(`${target.key} → ${JSON.stringify(text.slice(0, 40))}`, target.valueAt, target.end, stringBytes(text), {});
      }
      case "dropItem": {
        const target = r.pick(arrays);
        const {count, itemsAt, of, stringItems} = target.array!;
        const item = r.int(count);
        const start = stringItems ? stringItems[item]! : itemsAt + item * GGUF_VALUE_BYTES.get(of)!;
        const end = stringItems ? (item + 1 < count ? stringItems[item + 1]! : target.end) : start + GGUF_VALUE_BYTES.get(of)!;
        return this.spliced(`${target.key}: drop item ${item} of ${count}`, start, end, Buffer.alloc(0), {array: target});
      }
      case "retype": {
        const scalars = layout.kvs.filter(k => k.type !== GGUF_ARRAY);
        const target = r.pick(scalars);
        const [type, value] = r.pick<[number, Buffer]>([
          [GGUF_STRING, stringBytes(String(this.scalarAsNumber(target)))], [12, f64Bytes(this.scalarAsNumber(target))],
          [0, Buffer.from([this.scalarAsNumber(target) & 0xff])], [10, u64Bytes(BigInt(Math.max(0, Math.trunc(this.scalarAsNumber(target)))))],
          [GGUF_ARRAY, Buffer.concat([u32Bytes(4), u64Bytes(1n), u32Bytes(this.scalarAsNumber(target) >>> 0)])],
          [7, Buffer.from([1])]
        ]);
        return this.spliced(`${target.key}: type ${target.type} → ${type}, value re-encoded`, target.typeAt, target.end,
          Buffer.concat([u32Bytes(type), value]), {});
      }
    }
  }

  private scalarAsNumber(kv: KvLayout): number {
    const at = kv.valueAt;
    switch (kv.type) {
      case GGUF_STRING: return Number(this.bytes.readBigUInt64LE(at));
      case 0: case 7: return this.bytes.readUInt8(at);
      case 1: return this.bytes.readInt8(at);
      case 2: return this.bytes.readUInt16LE(at);
      case 3: return this.bytes.readInt16LE(at);
      case 4: return this.bytes.readUInt32LE(at);
      case 5: return this.bytes.readInt32LE(at);
      case 6: return this.bytes.readFloatLE(at);
      case 10: return Number(this.bytes.readBigUInt64LE(at));
      case 11: return Number(this.bytes.readBigInt64LE(at));
      default: return this.bytes.readDoubleLE(at);
    }
  }

  /** The header with bytes [from, to) replaced and the counts fixed as `counts` says. */
  private spliced(what: string, from: number, to: number, insert: Buffer,
    counts: {kvs?: number; tensors?: number; array?: KvLayout}): Change {
    const {layout, bytes} = this;
    const body = Buffer.concat([bytes.subarray(0, from), insert, bytes.subarray(to, layout.headerEnd)]);
    if (counts.kvs) body.writeBigUInt64LE(BigInt(layout.kvs.length + counts.kvs), layout.kvCountAt);
    if (counts.tensors) body.writeBigUInt64LE(BigInt(layout.tensors.length + counts.tensors), layout.tensorCountAt);
    if (counts.array) body.writeBigUInt64LE(BigInt(counts.array.array!.count - 1), counts.array.array!.countAt);
    const dataOffset = Math.ceil(body.length / layout.alignment) * layout.alignment;
    const head = Buffer.concat([body, Buffer.alloc(dataOffset - body.length)]);
    return {what, head, tailFrom: layout.dataOffset, length: head.length + bytes.length - layout.dataOffset};
  }

  private inPlaceLabelled(edit: (head: Buffer) => void, what: () => string): Change {
    const change = this.inPlace("", edit);
    return {...change, what: what()};
  }

  /** A value of GGUF type `type` that is likely to break something, with how to write it. */
  private edgeValue(type: number): {label: string; write(head: Buffer, at: number): void} {
    const {r} = this;
    const size = GGUF_VALUE_BYTES.get(type)!;
    if (type === 6 || type === 12) {
      const value = r.pick([0, -0, 1, -1, NaN, Infinity, -Infinity, 1e-45, 3.4e38, -1e6, r.float() * 2e4 - 1e4]);
      return {label: String(value), write: (head, at) => void (type === 6 ? head.writeFloatLE(value, at) : head.writeDoubleLE(value, at))};
    }
    if (type === 7) {
      const value = r.pick([0, 1, 2, 255]);
      return {label: `bool byte ${value}`, write: (head, at) => void head.writeUInt8(value, at)};
    }
    const bits = BigInt(size * 8);
    const unsigned = r.pick<() => bigint>([
      () => 0n, () => 1n, () => 2n ** bits - 1n, () => 2n ** (bits - 1n), () => 2n ** (bits - 1n) - 1n,
      () => BigInt(r.int(70_000)), () => BigInt(r.int(100)), () => r.u64() & (2n ** bits - 1n)
    ])();
    return {label: `0x${unsigned.toString(16)} (${size} bytes)`, write: (head, at) => {
      for (let i = 0; i < size; i++) head[at + i] = Number((unsigned >> BigInt(8 * i)) & 0xffn);
    }};
  }

  /** Every fixed-size structural field: counts, lengths, types, dims, offsets (not the text or values they describe). */
  private fields(): Array<{name: string; at: number; size: number}> {
    const {layout} = this;
    const fields = [
      {name: "magic", at: 0, size: 4}, {name: "version", at: 4, size: 4},
      {name: "tensor count", at: layout.tensorCountAt, size: 8}, {name: "metadata count", at: layout.kvCountAt, size: 8}
    ];
    for (const kv of layout.kvs) {
      fields.push({name: `${kv.key}: key length`, at: kv.at, size: 8}, {name: `${kv.key}: type`, at: kv.typeAt, size: 4});
      if (kv.type === GGUF_STRING) fields.push({name: `${kv.key}: length`, at: kv.valueAt, size: 8});
      if (kv.array) fields.push({name: `${kv.key}: element type`, at: kv.valueAt, size: 4}, {name: `${kv.key}: count`, at: kv.array.countAt, size: 8});
    }
    for (const t of layout.tensors)
      fields.push({name: `${t.name}: name length`, at: t.at, size: 8}, {name: `${t.name}: n_dims`, at: t.nDimsAt, size: 4},
        ...Array.from({length: t.nDims}, (_, d) => ({name: `${t.name}: dim ${d}`, at: t.dimsAt + 8 * d, size: 8})),
        {name: `${t.name}: type`, at: t.typeAt, size: 4}, {name: `${t.name}: offset`, at: t.offsetAt, size: 8});
    return fields;
  }
}

function u32Bytes(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0);
  return b;
}

function u64Bytes(value: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, value));
  return b;
}

function f64Bytes(value: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(value);
  return b;
}

function stringBytes(text: string): Buffer {
  const body = Buffer.from(text, "utf8");
  return Buffer.concat([u64Bytes(BigInt(body.length)), body]);
}

function encodeKv(key: string, type: number, value: Buffer): Buffer {
  return Buffer.concat([stringBytes(key), u32Bytes(type), value]);
}

/** mulberry32: small, seeded, the same sequence on every machine. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  float(): number {
    return this.next();
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  u32(): number {
    return Math.floor(this.next() * 4294967296) >>> 0;
  }

  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from nothing");
    return items[this.int(items.length)]!;
  }

  weighted<T>(items: ReadonlyArray<[T, number]>): T {
    let left = this.next() * items.reduce((sum, [, w]) => sum + w, 0);
    for (const [item, w] of items) if ((left -= w) < 0) return item;
    return items.at(-1)![0];
  }
}
