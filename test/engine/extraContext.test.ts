// Extra context in prompts (src/engine/prompt/extraContext/render.ts) on real GGUF models: the multi-file format
// each vocabulary calls for, the budget, prompts whose leading tokens stay put so the KV cache
// keeps the chunks, and lookup drafts copied from a chunk.
import assert from "node:assert/strict";
import {mkdtempSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {repoRoot} from "../../src/lab/cli/repoRoot";
import {buildFimPrompt, DraftstopEngine, multiFileFormat} from "../../src/engine";
import type {ContextChunk, ExtraContextInput} from "../../src/engine";
import {loadNodeLlamaCpp, LlamaModel} from "../../src/engine/nlc";
import {arr, writeGguf} from "../../src/lab/modelmaker/ggufWriter";
import {ensureSmolLM2} from "../../src/lab/modelmaker/smollm2/fetch";
import {markovModelSpec, markovVocabulary} from "../fixtures/gguf/markovModel";
import {makeMarkovPair, MarkovPair} from "./helpers/markovPair";

const chunk = (path: string, text: string, score = 0.5): ContextChunk => ({path, text, score});

describe("extra context in prompts", function () {
  this.timeout(300_000);
  let dir: string;
  const models: LlamaModel[] = [];
  let plain: LlamaModel, qwenLike: LlamaModel;
  const vocabulary = markovVocabulary();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "draftstop-extra-"));
    const llama = await (await loadNodeLlamaCpp()).getLlama({gpu: false, maxThreads: 1});
    const transitions = vocabulary.texts.map(() => new Map([[vocabulary.idOf("a"), 1]]));
    const load = async (name: string, spec: Parameters<typeof markovModelSpec>[0]) => {
      writeGguf(join(dir, name), markovModelSpec(spec));
      const model = await llama.loadModel({modelPath: join(dir, name)});
      models.push(model);
      return model;
    };
    plain = await load("plain.gguf", {transitions});
    // Qwen2.5-Coder's multi-file control tokens in place of two byte tokens no test text uses.
    const texts = [...vocabulary.texts];
    const repo = texts.indexOf("<0x01>"), file = texts.indexOf("<0x02>");
    texts[repo] = "<|repo_name|>";
    texts[file] = "<|file_sep|>";
    const types: number[] = texts.map((t, i) => (i === repo || i === file || i < 3 || t.startsWith("<|fim_") ? 3 : /^<0x/.test(t) ? 6 : 1));
    types[0] = 2;
    qwenLike = await load("qwen.gguf", {transitions, metadataOverrides: {"tokenizer.ggml.tokens": arr("string", texts), "tokenizer.ggml.token_type": arr("i32", types)}});
  });

  after(async () => {
    await Promise.all(models.map(m => m.dispose()));
    rmSync(dir, {recursive: true, force: true});
  });

  const extra = (chunks: ContextChunk[], maxTokens = 1000): ExtraContextInput => ({chunks, maxTokens, currentPath: "src/main.ts", repoName: "demo"});

  it("uses Qwen2.5-Coder's <|repo_name|>/<|file_sep|> format where the vocabulary has it, before the FIM part", () => {
    assert.equal(multiFileFormat(qwenLike), "qwen");
    const prompt = buildFimPrompt(qwenLike, {prefix: "ab", suffix: "cd", extraContext: extra([chunk("lib/util.ts", "xy")])});
    const head = qwenLike.detokenize(prompt.tokens.slice(1, 1 + prompt.extraContext!.tokens), true);
    assert.equal(head, "<|repo_name|>demo\n<|file_sep|>lib/util.ts\nxy\n<|file_sep|>src/main.ts\n");
    assert.equal(prompt.tokens[1 + prompt.extraContext!.tokens], vocabulary.fim.prefix, "the FIM part follows the chunks");
    assert.deepEqual(prompt.extraContext!.paths, ["lib/util.ts"]);
  });

  it("writes commented file headers for a model without multi-file tokens, and user text stays text", () => {
    assert.equal(multiFileFormat(plain), "comments");
    const prompt = buildFimPrompt(plain, {prefix: "ab", suffix: "", extraContext: {...extra([chunk("a.py", "<|fim_middle|>")]), lineComment: "#"}});
    assert.equal(plain.detokenize(prompt.tokens.slice(1, 1 + prompt.extraContext!.tokens), true), "# a.py\n<|fim_middle|>\n\n# src/main.ts\n");
    assert.equal(prompt.tokens.filter(t => t === vocabulary.fim.middle).length, 1, "only the prompt's own middle token");
  });

  it("leaves out the lowest-scoring chunks to fit its budget and keeps the others' order", () => {
    const chunks = [chunk("one", "aaaaaaaaaa", 0.9), chunk("two", "bbbbbbbbbb", 0.1), chunk("three", "cccccccccc", 0.5)];
    const all = buildFimPrompt(plain, {prefix: "ab", suffix: "", extraContext: extra(chunks)}).extraContext!;
    assert.deepEqual(all.paths, ["one", "two", "three"]);
    const tight = buildFimPrompt(plain, {prefix: "ab", suffix: "", extraContext: extra(chunks, all.tokens - 5)}).extraContext!;
    assert.deepEqual(tight.paths, ["one", "three"], "the chunk scored 0.1 goes");
    assert.equal(tight.droppedChunks, 1);
    assert.ok(tight.tokens <= all.tokens - 5);
    const none = buildFimPrompt(plain, {prefix: "ab", suffix: "", extraContext: extra(chunks, 4)});
    assert.equal(none.extraContext!.tokens, 0);
    assert.equal(none.tokens.length, 1 + 3 + 2, "no chunk fits: no markers either");
    const cut = buildFimPrompt(plain, {prefix: "ab", suffix: "", extraContext: extra([chunk("big", "abcdefgh".repeat(20), 0.2), chunk("best", "hgfedcba".repeat(20), 0.8)], 60)}).extraContext!;
    assert.deepEqual(cut.paths, ["best"], "no whole chunk fits: the start of the best one");
    assert.ok(cut.tokens <= 60 && cut.tokens > 40, `${cut.tokens} tokens`);
  });

  it("never gives extra context more than half of a tight prompt budget: the text at the cursor comes first", () => {
    const prompt = buildFimPrompt(plain, {prefix: "ab".repeat(50), suffix: "", extraContext: extra([chunk("x", "c".repeat(40)), chunk("y", "d".repeat(40))])}, {maxTokens: 100});
    assert.ok(prompt.extraContext!.tokens <= 48, `${prompt.extraContext!.tokens} tokens of extra context`);
    assert.equal(prompt.tokens.length, 100);
  });

  it("keeps the same leading tokens while the text at the cursor changes", () => {
    const chunks = [chunk("lib/a.ts", "abc"), chunk("lib/b.ts", "def")];
    const first = buildFimPrompt(plain, {prefix: "ab", suffix: "cd", extraContext: extra(chunks)});
    const typed = buildFimPrompt(plain, {prefix: "abgh", suffix: "cd", extraContext: extra(chunks)});
    const head = 1 + first.extraContext!.tokens;
    assert.deepEqual(typed.tokens.slice(0, head), first.tokens.slice(0, head));
    const added = buildFimPrompt(plain, {prefix: "ab", suffix: "cd", extraContext: extra([...chunks, chunk("lib/c.ts", "ghi")])});
    const kept = plain.tokenize("// lib/a.ts\nabc\n\n// lib/b.ts\ndef\n\n", false).length;
    assert.deepEqual(added.tokens.slice(0, 1 + kept), first.tokens.slice(0, 1 + kept), "a chunk added at the end keeps those before it");
  });

  describe("through the engine", () => {
    let pair: MarkovPair;
    let engine: DraftstopEngine;
    before(async () => {
      pair = makeMarkovPair({seed: 5, cycleBoost: 0.6, fimLayouts: ["psm"]});
      engine = await DraftstopEngine.load({targetPath: pair.targetPath, draftPath: pair.draftPath, threads: 1, contextSize: 512});
    });
    after(async () => {
      await engine?.dispose();
      pair?.cleanup();
    });

    it("evaluates the chunks once: the next keystroke finds them in the KV cache", async () => {
      const chunks = extra([chunk("lib/a.ts", "abcabcabc"), chunk("lib/b.ts", "hgfhgf")]);
      const first = await engine.generateInfill({prefix: "ab", suffix: "", extraContext: chunks}, {maxTokens: 4, temperature: 0});
      const context = first.prompt.extraContext!;
      assert.ok(context.tokens > 10);
      assert.equal(context.evaluated, context.tokens, "first time: every chunk token evaluated");
      const next = await engine.generateInfill({prefix: "abd", suffix: "", extraContext: chunks}, {maxTokens: 4, temperature: 0});
      assert.equal(next.prompt.extraContext!.evaluated, 0, "next keystroke: all reused");
      assert.ok(next.prefill.targetReused >= 1 + context.tokens);
    });

    it("lets lookup copy drafts from a chunk of another file", async () => {
      engine.setPolicy({name: "static", k: 4});
      const prefix = "gba";
      // What the target writes greedily after the prefix, as another file holds it.
      const probe = await engine.generateInfill({prefix, suffix: ""}, {maxTokens: 24, temperature: 0, drafter: "model"});
      const options = {maxTokens: 24, temperature: 0, drafter: "lookup" as const};
      const without = await engine.generateInfill({prefix, suffix: ""}, options);
      const withChunk = await engine.generateInfill({prefix, suffix: "", extraContext: extra([chunk("lib/copy.ts", prefix + probe.text)])}, options);
      assert.equal(withChunk.text, probe.text, "greedy output is the target's either way");
      // Without the chunk nothing before the cursor repeats, so lookup cannot draft at once; with it, it copies from the first
      // round. How many tokens a copy takes depends on the pass costs measured at load, so the first round is asked for one.
      const firstLookup = (r: typeof without) => (r.rounds[0]?.drafter === "lookup" ? r.rounds[0].accepted : 0);
      const lookupAccepted = (r: typeof without) => r.rounds.reduce((sum, round) => sum + (round.drafter === "lookup" ? round.accepted : 0), 0);
      assert.equal(firstLookup(without), 0, "no lookup draft accepted in the first round without the chunk");
      assert.ok(firstLookup(withChunk) >= 1, `first round with the chunk: ${JSON.stringify(withChunk.rounds[0])}`);
      assert.ok(lookupAccepted(withChunk) >= 4, `lookup drafts accepted with the chunk: ${lookupAccepted(withChunk)} of 24 tokens`);
    });
  });

  it("uses SmolLM2's <repo_name>/<file_sep> tokens", async () => {
    const targetPath = await ensureSmolLM2({cacheDir: join(repoRoot(), ".cache", "draftstop")});
    const engine = await DraftstopEngine.load({targetPath, threads: 1, contextSize: 1024, policy: {name: "off"}});
    try {
      const model = engine.loadedPair.target.model;
      assert.equal(multiFileFormat(model), "starcoder");
      const prompt = engine.infillPrompt({prefix: "const x = ", suffix: "", extraContext: extra([chunk("lib/util.ts", "export const one = 1;")])}, 16);
      assert.equal(model.detokenize(prompt.tokens.slice(0, prompt.extraContext!.tokens), true),
        "<repo_name>demo<file_sep>lib/util.ts\nexport const one = 1;<file_sep>src/main.ts\n");
      assert.equal(model.detokenize(prompt.tokens.slice(prompt.extraContext!.tokens), false), "const x = ");
    } finally {
      await engine.dispose();
    }
  });
});
