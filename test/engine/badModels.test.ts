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
      "malformed", /1-D tensor .*norm.* is not F32/]
  ];

  for (const [what, make, problem, detail] of cases)
    it(`rejects a target ${what} with a ModelFileError (${problem})`, async () => {
      await expectModelError(make(), problem, detail);
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
      ["a token text twice", {metadataOverrides: {"tokenizer.ggml.tokens": arr("string", markovVocabulary().texts.map((t, i) => (i === 301 ? "x" : t)))}}]
    ] as const)
      it(`a model with ${name} aborts a process that skips them, and is refused by one that does not`, () => {
        const path = malformed(`abort-${name.replace(/\W/g, "")}.gguf`, {transitions: transitions(), ...options});
        const unchecked = child(path, "unchecked");
        assert.ok(unchecked.signal === "SIGABRT" || (unchecked.status !== 0 && unchecked.status !== 3),
          `llama.cpp was expected to abort the process: status ${unchecked.status}, signal ${unchecked.signal}, ${unchecked.stdout}`);
        const checked = child(path, "checked");
        assert.equal(checked.status, 3, checked.stdout + checked.stderr);
        assert.match(checked.stdout, /ModelFileError: target model .*(head_count is missing|is not F32|same token text twice|head_count_kv must be)/);
      });
  });
});
