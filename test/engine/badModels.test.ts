// Bad model files give a typed error that names the file and the problem, the process goes on,
// and a good pair loads afterwards. Files that would make llama.cpp abort the process are caught
// by the engine's header checks before llama.cpp sees them.
import assert from "node:assert/strict";
import {spawnSync} from "node:child_process";
import {mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {DraftstopEngine, DraftstopError, ModelFileError, VocabularyMismatchError} from "../../src/engine";
import {markovModelSpec, markovVocabulary} from "../fixtures/gguf/markovModel";
import {arr, f32, str, u32, writeGguf} from "../../src/lab/modelmaker/ggufWriter";
import {makeMarkovPair, MarkovPair} from "./helpers/markovPair";

describe("bad model files", function () {
  this.timeout(120_000);
  let pair: MarkovPair;
  let dir: string;
  const transitions = () => markovVocabulary().texts.map(() => new Map([[3 + 97, 1]])); // every token → <0x61>

  before(() => {
    pair = makeMarkovPair({seed: 8});
    dir = mkdtempSync(join(tmpdir(), "draftstop-bad-"));
  });
  after(() => {
    pair?.cleanup();
    rmSync(dir, {recursive: true, force: true});
  });

  function file(name: string, make: (path: string) => void): string {
    const path = join(dir, name);
    make(path);
    return path;
  }

  function truncatedCopy(name: string, bytes: number): string {
    return file(name, path => {
      const data = readFileSync(pair.targetPath);
      writeFileSync(path, data.subarray(0, bytes));
    });
  }

  function malformed(name: string, options: Parameters<typeof markovModelSpec>[0]): string {
    return file(name, path => writeGguf(path, markovModelSpec(options)));
  }

  /** The good target with `edit` applied to its bytes. */
  function edited(name: string, edit: (bytes: Buffer) => void): string {
    return file(name, path => {
      const bytes = readFileSync(pair.targetPath);
      edit(bytes);
      writeFileSync(path, bytes);
    });
  }

  /** Where the first tensor info starts: after every key-value pair (gguf.h value types; 8 string, 9 array). */
  const tensorInfoAt = (bytes: Buffer) => {
    let at = 24;
    const skipString = () => (at += 8 + Number(bytes.readBigUInt64LE(at)));
    const sizes: Record<number, number> = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8};
    const skipValue = (type: number) => (type === 8 ? skipString() : (at += sizes[type]!));
    for (let i = 0n; i < bytes.readBigUInt64LE(16); i++) {
      skipString();
      const type = bytes.readUInt32LE(at);
      at += 4;
      if (type !== 9) skipValue(type);
      else {
        const of = bytes.readUInt32LE(at);
        const n = Number(bytes.readBigUInt64LE(at + 4));
        at += 12;
        for (let j = 0; j < n; j++) skipValue(of);
      }
    }
    return at;
  };

  /** The first key's value type: after magic, version, the two counts and the key (its u64 length, then its bytes). */
  const firstValueTypeAt = (bytes: Buffer) => 24 + 8 + Number(bytes.readBigUInt64LE(24));

  async function expectModelError(targetPath: string, problem: string, detail: RegExp, draftPath?: string, role = "target") {
    await assert.rejects(DraftstopEngine.load({targetPath, draftPath, threads: 1, contextSize: 256}), (error: unknown) => {
      assert.ok(error instanceof ModelFileError, `ModelFileError expected, got ${(error as Error)?.name}: ${(error as Error)?.message}`);
      assert.equal(error.problem, problem);
      assert.equal(error.role, role);
      const path = role === "target" ? targetPath : draftPath!;
      assert.equal(error.path, path);
      assert.ok(error.message.includes(path), `message names the file: ${error.message}`);
      assert.match(error.message, detail);
      return true;
    });
  }

  const cases: Array<[string, () => string, string, RegExp]> = [
    ["that is missing", () => join(dir, "nowhere.gguf"), "missing", /no such file/],
    ["that is empty", () => file("empty.gguf", p => writeFileSync(p, "")), "empty", /empty/],
    ["that is a directory", () => file("folder.gguf", p => mkdirSync(p)), "directory", /is a directory/],
    ["that is not GGUF", () => file("notes.gguf", p => writeFileSync(p, "just some text, not a model\n".repeat(50))), "notGguf", /not a GGUF file/],
    ["of only its first 4 KB", () => truncatedCopy("head.gguf", 4096), "truncated", /truncated/],
    ["with a truncated body", () => truncatedCopy("body.gguf", Math.floor(statSync(pair.targetPath).size * 0.9)), "truncated", /truncated.*bytes/],
    ["with no feed_forward_length", () => malformed("noffn.gguf", {transitions: transitions(), omitMetadata: ["llama.feed_forward_length"]}),
      "malformed", /feed_forward_length is missing/],
    ["with no head_count", () => malformed("noheads.gguf", {transitions: transitions(), omitMetadata: ["llama.attention.head_count"]}),
      "malformed", /head_count is missing/],
    ["with block_count 0", () => malformed("noblocks.gguf", {transitions: transitions(), metadataOverrides: {"llama.block_count": u32(0)}}),
      "malformed", /block_count must be at least 1/],
    ["with a token text twice", () => malformed("duplicates.gguf", {transitions: transitions(),
      metadataOverrides: {"tokenizer.ggml.tokens": arr("string", markovVocabulary().texts.map((t, i) => (i === 301 ? markovVocabulary().texts[300]! : t)))}}),
    "malformed", /same token text twice/],
    ["with head_count_kv 0", () => malformed("nokv.gguf", {transitions: transitions(), metadataOverrides: {"llama.attention.head_count_kv": u32(0)}}),
      "malformed", /head_count_kv must be at least 1/],
    ["with a negative norm epsilon", () => malformed("eps.gguf", {transitions: transitions(), metadataOverrides: {"llama.attention.layer_norm_rms_epsilon": f32(-1)}}),
      "malformed", /epsilon must not be negative/],
    ["using more experts than it has", () => malformed("experts.gguf", {transitions: transitions(),
      metadataOverrides: {"llama.expert_count": u32(4), "llama.expert_used_count": u32(8)}}), "malformed", /expert_used_count \(8\) exceeds expert_count \(4\)/],
    ["with F16 norm weights", () => malformed("f16norm.gguf", {transitions: transitions(), normType: "F16"}),
      "malformed", /1-D tensor .*norm.* is not F32/],
    // Found by the fuzzer (test/reliability/fuzzModels.test.ts): each aborted llama.cpp.
    ["with block_count 513", () => malformed("manyblocks.gguf", {transitions: transitions(), metadataOverrides: {"llama.block_count": u32(513)}}),
      "malformed", /block_count is 513; llama.cpp aborts above 512/],
    ["with two token texts equal up to a NUL byte", () => malformed("nul.gguf", {transitions: transitions(),
      metadataOverrides: {"tokenizer.ggml.tokens": arr("string", markovVocabulary().texts.map((t, i) => (i === 301 ? `${markovVocabulary().texts[300]!}\0x` : t)))}}),
    "malformed", /same token text twice/],
    ["with a tensor dimension of 0", () => edited("zerodim.gguf", bytes => {
      // The first tensor info follows the metadata: its name (u64 length, bytes), n_dims, then the dims.
      const nameAt = tensorInfoAt(bytes);
      bytes.writeBigUInt64LE(0n, nameAt + 8 + Number(bytes.readBigUInt64LE(nameAt)) + 4);
    }), "malformed", /has a dimension of 0/],
    ["with a bert vocabulary holding byte tokens", () => malformed("bert.gguf", {transitions: transitions(), metadataOverrides: {"tokenizer.ggml.model": str("bert")}}),
      "malformed", /bert .*byte tokens/],
    // Found by the fuzzer too: node-llama-cpp's reader believed these and read on for minutes.
    ["with a tensor count far past its end", () => edited("tensors.gguf", bytes => bytes.writeBigUInt64LE(2n ** 40n, 8)),
      "truncated", /tensor count is 1099511627776, more than the rest of the file can hold/],
    ["with a metadata count far past its end", () => edited("kvs.gguf", bytes => bytes.writeBigUInt64LE(2n ** 32n + 5n, 16)),
      "truncated", /metadata count/],
    ["with a key length past its end", () => edited("keylength.gguf", bytes => bytes.writeBigUInt64LE(2n ** 63n, 24)),
      "truncated", /length of metadata key #0 is 9223372036854775808/],
    ["with a value type GGUF does not define", () => edited("valuetype.gguf", bytes => bytes.writeUInt32LE(13, firstValueTypeAt(bytes))),
      "malformed", /value type 13, which GGUF does not define/],
    ["of GGUF version 4", () => edited("version.gguf", bytes => bytes.writeUInt32LE(4, 4)), "malformed", /GGUF version 4 is not supported/]
  ];

  for (const [what, make, problem, detail] of cases)
    it(`rejects a target ${what} with a ModelFileError (${problem})`, async () => {
      await expectModelError(make(), problem, detail);
    });

  it("refuses a header with a count past the end of the file in well under a second", async () => {
    const path = edited("fast.gguf", bytes => bytes.writeBigUInt64LE(BigInt(bytes.readBigUInt64LE(8)) + 20n, 8));
    const started = performance.now();
    await expectModelError(path, "truncated", /past the end of the file|more than the rest of the file/);
    // Before the bounds walk, node-llama-cpp read 20 made-up tensor infos out of zeros for minutes.
    assert.ok(performance.now() - started < 1000, `took ${(performance.now() - started).toFixed(0)} ms`);
  });

  it("names the draft when the draft is the bad file", async () => {
    await expectModelError(pair.targetPath, "notGguf", /not a GGUF/, file("draft.txt", p => writeFileSync(p, "hello")), "draft");
  });

  describe("mismatched vocabularies", () => {
    const variants: Array<[string, Parameters<typeof markovModelSpec>[0], RegExp]> = [
      ["one token's text", {transitions: transitions(),
        metadataOverrides: {"tokenizer.ggml.tokens": arr("string", markovVocabulary().texts.map((t, i) => (i === 300 ? "Ω" : t)))}},
      /token 300 differs/],
      ["EOS token", {transitions: transitions(), metadataOverrides: {"tokenizer.ggml.eos_token_id": u32(0)}}, /EOS tokens differ/],
      ["vocabulary type", {transitions: transitions(), metadataOverrides: {"tokenizer.ggml.model": str("gpt2")}}, /vocabulary types differ/],
      ["vocabulary size", {transitions: transitions(),
        metadataOverrides: {"tokenizer.ggml.tokens": arr("string", [...markovVocabulary().texts, ...Array.from({length: 200}, (_, i) => `x${i}`)])}},
      /sizes differ by more than 128/]
    ];
    for (const [what, spec, detail] of variants)
      it(`rejects a draft whose ${what} differs, naming both models`, async () => {
        const draftPath = file(`mismatch-${what.replace(/\W/g, "")}.gguf`, p => writeGguf(p, markovModelSpec(spec)));
        await assert.rejects(DraftstopEngine.load({targetPath: pair.targetPath, draftPath, threads: 1, contextSize: 256}), (error: unknown) => {
          assert.ok(error instanceof VocabularyMismatchError);
          assert.ok(error.message.includes(pair.targetPath) && error.message.includes(draftPath));
          assert.match(error.message, detail);
          return true;
        });
      });
  });

  it("rejects a GPU backend the machine lacks with a clear error", async function () {
    const missing = process.platform === "darwin" ? "cuda" : "metal";
    await assert.rejects(DraftstopEngine.load({targetPath: pair.targetPath, gpu: missing, threads: 1}), (error: unknown) =>
      error instanceof DraftstopError && error.code === "gpu.unavailable" && error.message.includes(`"${missing}"`));
  });

  it("loads a good pair and generates after all of the above", async () => {
    const engine = await DraftstopEngine.load({targetPath: pair.targetPath, draftPath: pair.draftPath, threads: 1, contextSize: 256});
    try {
      const result = await engine.generate("abc", {maxTokens: 8, stopOnEog: false});
      assert.equal(result.tokens.length, 8);
    } finally {
      await engine.dispose();
    }
  });

  describe("why the header checks exist", () => {
    const child = (path: string, mode: string) => spawnSync(process.execPath, [join(__dirname, "helpers", "loadInChild.js"), path, mode],
      {encoding: "utf8", timeout: 60_000});

    for (const [name, options] of [
      ["no head_count", {omitMetadata: ["llama.attention.head_count"]}],
      ["F16 norm weights", {normType: "F16" as const}],
      ["head_count_kv 0", {metadataOverrides: {"llama.attention.head_count_kv": u32(0)}}],
      ["a token text twice", {metadataOverrides: {"tokenizer.ggml.tokens": arr("string", markovVocabulary().texts.map((t, i) => (i === 301 ? "x" : t)))}}],
      ["block_count 513", {metadataOverrides: {"llama.block_count": u32(513)}}],
      ["two token texts equal up to a NUL byte", {metadataOverrides: {"tokenizer.ggml.tokens": arr("string", markovVocabulary().texts.map((t, i) => (i === 301 ? "x\0y" : i === 302 ? "x\0z" : t)))}}],
      ["a bert vocabulary holding byte tokens", {metadataOverrides: {"tokenizer.ggml.model": str("bert")}}]
    ] as const)
      it(`a model with ${name} aborts a process that skips them, and is refused by one that does not`, () => {
        const path = malformed(`abort-${name.replace(/\W/g, "")}.gguf`, {transitions: transitions(), ...options});
        const unchecked = child(path, "unchecked");
        assert.ok(unchecked.signal === "SIGABRT" || (unchecked.status !== 0 && unchecked.status !== 3),
          `llama.cpp was expected to abort the process: status ${unchecked.status}, signal ${unchecked.signal}, ${unchecked.stdout}`);
        const checked = child(path, "checked");
        assert.equal(checked.status, 3, checked.stdout + checked.stderr);
        assert.match(checked.stdout, /ModelFileError: target model .*(head_count is missing|is not F32|same token text twice|head_count_kv must be|block_count is 513|bert .*byte tokens)/);
      });
  });
});
