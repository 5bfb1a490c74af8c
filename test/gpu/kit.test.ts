// The GPU kit (src/lab/gpu): the fat-binary rewriting and the big padded target. The packed kit's size
// and its CPU check are `npm run gpu-kit -- --check`'s own (25+ minutes of ptxas on a first run,
// 5 of xz after), too long for the suite.
import * as assert from "node:assert/strict";
import {existsSync, mkdtempSync, rmSync, statSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {FATBIN_MAGIC, parseFatbins, patchFatbin, targetCounts, zeroFatbins} from "../../src/lab/gpu/fatbin";
import {writeBigTarget} from "../../src/lab/gpu/bigTarget";
import {repoRoot} from "../../src/lab/cli/repoRoot";

/** A fat binary as fatbinary writes one: 16-byte header, then per entry a 64-byte header and the payload. */
function fatbin(entries: Array<{kind: 1 | 2; sm: number; payload: Buffer}>): Buffer {
  const parts = entries.map(e => {
    const h = Buffer.alloc(64);
    h.writeUInt16LE(e.kind, 0); h.writeUInt16LE(0x0101, 2); h.writeUInt32LE(64, 4); h.writeUInt32LE(e.payload.length, 8);
    h.writeUInt32LE(e.payload.length, 0x10); h.writeUInt32LE(e.sm, 0x1c); h.writeBigUInt64LE(0x11n, 0x30);
    return Buffer.concat([h, e.payload]);
  });
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(16);
  header.writeUInt32LE(FATBIN_MAGIC, 0); header.writeUInt16LE(1, 4); header.writeUInt16LE(16, 6); header.writeBigUInt64LE(BigInt(body.length), 8);
  return Buffer.concat([header, body]);
}

describe("gpu kit", function () {
  it("finds every fat binary and its targets, and rewrites one in place", () => {
    const a = fatbin([{kind: 1, sm: 80, payload: Buffer.alloc(40, 1)}, {kind: 2, sm: 86, payload: Buffer.alloc(48, 2)}]);
    const b = fatbin([{kind: 1, sm: 90, payload: Buffer.alloc(64, 3)}]);
    const stream = Buffer.concat([a, Buffer.alloc(8), b]);
    const found = parseFatbins(stream);
    assert.equal(found.length, 2);
    assert.deepEqual(targetCounts(found), {ptx80: 1, elf86: 1, ptx90: 1});
    assert.equal(found[0]!.slot, a.length + 8);
    const replacement = fatbin([{kind: 2, sm: 90, payload: Buffer.alloc(32, 9)}]);
    patchFatbin(stream, found[0]!, replacement);
    assert.deepEqual(targetCounts(parseFatbins(stream)), {elf90: 1, ptx90: 1});
    assert.throws(() => patchFatbin(stream, {...found[1]!, slot: 10}, replacement), /do not fit/);
  });

  it("zeroes a shared object's fat binaries but nothing else", function () {
    const lib = join(repoRoot(), "node_modules/@node-llama-cpp/linux-x64-cuda/bins/linux-x64-cuda/libggml-cuda.so");
    assert.ok(existsSync(lib), `${lib}: node-llama-cpp's CUDA package, installed by npm ci on linux-x64`);
    this.timeout(60000);
    const {readFileSync} = require("node:fs") as typeof import("node:fs");
    const elf = readFileSync(lib);
    const before = Buffer.from(elf.subarray(0, 0x1000));
    const slots = zeroFatbins(elf);
    assert.ok(slots.length > 100);
    assert.ok(elf.subarray(0, 0x1000).equals(before));
    assert.equal(elf.readUInt32LE(slots[0]!.offset), 0);
  });

  it("writes a big padded target as a sparse file that llama.cpp reads", async function () {
    this.timeout(60000);
    const dir = mkdtempSync(join(tmpdir(), "big-target-"));
    try {
      const out = join(dir, "big.gguf");
      const big = await writeBigTarget({source: join(repoRoot(), "media/models/tinypair/target.gguf"), out, billions: 0.2, blocks: 8});
      assert.ok(Math.abs(big.parameters - 0.2e9) < 0.01e9, `${big.parameters} parameters`);
      assert.equal(statSync(out).size, big.bytes);
      const {readGgufFileInfo} = await import("node-llama-cpp");
      const info = await readGgufFileInfo(out, {logWarnings: false});
      const llama = (info.metadata as unknown as {llama: {block_count: number; feed_forward_length: number}}).llama;
      assert.equal(Number(llama.block_count), 8);
      assert.equal(Number(llama.feed_forward_length), big.ffn);
      assert.equal(info.tensorInfo?.length, 3 + 8 * 9);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });
});
