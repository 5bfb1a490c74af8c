// Reads and rewrites the CUDA fat binaries inside a shared object (libggml-cuda.so), in place.
//
// nvcc puts one fat binary per translation unit into the ELF section .nv_fatbin. Each starts with
// a 16-byte header (magic 0xBA55ED50, version, header size, size of the entries that follow) and
// holds one entry per GPU target: PTX text (kind 1) or a cubin (kind 2), each with its own header
// (kind, header size, payload size, SM version, flags; 0x8000 in the flags = zstd-compressed).
// The host code registers each fat binary through a __fatbinwrap record in .nvFatBinSegment that
// points at the fat binary's first byte, and the CUDA runtime reads only what the header says.
// So a fat binary can be replaced by a smaller one written at the same address (the rest of its
// slot zeroed) without touching relocations: that is how the kit turns node-llama-cpp's
// every-architecture build into an sm_90-only one (src/lab/gpu/kit.ts).
import {readFileSync} from "node:fs";

export const FATBIN_MAGIC = 0xba55ed50;
export const KIND_PTX = 1;
export const KIND_ELF = 2;
const COMPRESSED_FLAG = 0x8000n;

export interface FatbinEntry {
  kind: "ptx" | "elf";
  /** e.g. 90 for sm_90 / compute_90. */
  sm: number;
  /** Offset of the entry header in the file. */
  offset: number;
  headerSize: number;
  /** Payload bytes, padded. */
  payloadSize: number;
  compressed: boolean;
  /** Size of the payload once decompressed (0 when not compressed). */
  uncompressedSize: number;
}

export interface Fatbin {
  /** 0-based index in the section, the order nvcc emitted the translation units. */
  index: number;
  /** File offset of the fat binary header. */
  offset: number;
  /** Bytes from `offset` to the next fat binary (or the section's end): the most a replacement may take. */
  slot: number;
  /** Header plus entries. */
  size: number;
  entries: FatbinEntry[];
}

export interface Section {
  name: string;
  offset: number;
  size: number;
}

/** The ELF64 section `name` of `elf`. */
export function findSection(elf: Buffer, name: string): Section {
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) throw new Error("not a little-endian ELF64 file");
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a), shnum = elf.readUInt16LE(0x3c), shstrndx = elf.readUInt16LE(0x3e);
  const strtab = Number(elf.readBigUInt64LE(shoff + shstrndx * shentsize + 0x18));
  for (let i = 0; i < shnum; i++) {
    const sh = shoff + i * shentsize;
    const nameOffset = strtab + elf.readUInt32LE(sh);
    const end = elf.indexOf(0, nameOffset);
    if (elf.toString("latin1", nameOffset, end) === name)
      return {name, offset: Number(elf.readBigUInt64LE(sh + 0x18)), size: Number(elf.readBigUInt64LE(sh + 0x20))};
  }
  throw new Error(`no ${name} section`);
}

/** Every fat binary in a raw fat-binary stream (a .fatbin file or the bytes of .nv_fatbin), found by walking headers. */
export function parseFatbins(buf: Buffer, start = 0, end = buf.length): Fatbin[] {
  const found: Array<Omit<Fatbin, "slot">> = [];
  let pos = start;
  while (pos + 16 <= end) {
    if (buf.readUInt32LE(pos) !== FATBIN_MAGIC) {
      pos += 8; // fat binaries are 8-byte aligned; zeros (padding or a pruned slot) are skipped
      continue;
    }
    const headerSize = buf.readUInt16LE(pos + 6);
    const fatSize = Number(buf.readBigUInt64LE(pos + 8));
    const entries: FatbinEntry[] = [];
    for (let e = pos + headerSize; e < pos + headerSize + fatSize;) {
      const kind = buf.readUInt16LE(e), ehs = buf.readUInt32LE(e + 4), payloadSize = buf.readUInt32LE(e + 8);
      if (kind !== KIND_PTX && kind !== KIND_ELF) throw new Error(`fat binary at ${pos}: entry kind ${kind} at ${e}`);
      const flags = buf.readBigUInt64LE(e + 0x30);
      entries.push({
        kind: kind === KIND_PTX ? "ptx" : "elf", sm: buf.readUInt32LE(e + 0x1c), offset: e, headerSize: ehs, payloadSize,
        compressed: (flags & COMPRESSED_FLAG) !== 0n, uncompressedSize: ehs >= 0x48 ? Number(buf.readBigUInt64LE(e + 0x40)) : 0
      });
      e += ehs + payloadSize;
    }
    found.push({index: found.length, offset: pos, size: headerSize + fatSize, entries});
    pos += headerSize + fatSize;
  }
  return found.map((f, i) => ({...f, slot: (i + 1 < found.length ? found[i + 1]!.offset : end) - f.offset}));
}

/** The fat binaries of a shared object's .nv_fatbin section. */
export function readFatbins(elf: Buffer): {section: Section; fatbins: Fatbin[]} {
  const section = findSection(elf, ".nv_fatbin");
  return {section, fatbins: parseFatbins(elf, section.offset, section.offset + section.size)};
}

/** "ptx75 ptx80 elf86 …" counts over all fat binaries, e.g. {"elf90": 143}. */
export function targetCounts(fatbins: readonly Fatbin[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of fatbins) for (const e of f.entries) counts[`${e.kind}${e.sm}`] = (counts[`${e.kind}${e.sm}`] ?? 0) + 1;
  return counts;
}

/**
 * Zeroes every fat binary's slot in `elf` (in place), leaving the host code intact: a "host-only"
 * copy that xz shrinks to the host code's size. The slots' offsets and sizes are returned so
 * that patchFatbin can later write one sm_90 fat binary into each.
 */
export function zeroFatbins(elf: Buffer): Fatbin[] {
  const {fatbins} = readFatbins(elf);
  for (const f of fatbins) elf.fill(0, f.offset, f.offset + f.slot);
  return fatbins;
}

/** Writes fat binary `replacement` (a whole .fatbin file) at slot `slot` of `elf`, zeroing the rest of the slot. */
export function patchFatbin(elf: Buffer, slot: {offset: number; slot: number; index: number}, replacement: Buffer): void {
  if (replacement.readUInt32LE(0) !== FATBIN_MAGIC) throw new Error(`fat binary ${slot.index}: the replacement is not a fat binary`);
  if (replacement.length > slot.slot) throw new Error(`fat binary ${slot.index}: ${replacement.length} bytes do not fit its slot of ${slot.slot}`);
  replacement.copy(elf, slot.offset);
  elf.fill(0, slot.offset + replacement.length, slot.offset + slot.slot);
}

/** Summary of a shared object's device code, for logs and tests. */
export function describeFatbins(path: string): {count: number; targets: Record<string, number>; sectionBytes: number} {
  const {section, fatbins} = readFatbins(readFileSync(path));
  return {count: fatbins.length, targets: targetCounts(fatbins), sectionBytes: section.size};
}
