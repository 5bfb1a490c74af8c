import assert from "node:assert/strict";
import {mkdtempSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {buildFimPrompt, FIM_LAYOUTS_KEY, supportedFimLayouts} from "../../src/engine";
import {loadNodeLlamaCpp, LlamaModel} from "../../src/engine/nlc";
import {markovModelSpec, markovVocabulary} from "../fixtures/gguf/markovModel";
import {arr, writeGguf} from "../../src/lab/modelmaker/ggufWriter";

describe("FIM prompts", function () {
  this.timeout(60_000);
  let dir: string;
  const models: LlamaModel[] = [];
  let psmOnly: LlamaModel, both: LlamaModel, none: LlamaModel;
  const vocabulary = markovVocabulary();
  const transitions = () => vocabulary.texts.map(() => new Map([[vocabulary.idOf("a"), 1]]));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "draftstop-fim-"));
    const nlc = await loadNodeLlamaCpp();
    const llama = await nlc.getLlama({gpu: false, maxThreads: 1});
    const load = async (name: string, spec: Parameters<typeof markovModelSpec>[0]) => {
      const path = join(dir, name);
      writeGguf(path, markovModelSpec(spec));
      const model = await llama.loadModel({modelPath: path});
      models.push(model);
      return model;
    };
    psmOnly = await load("psm.gguf", {transitions: transitions()});
    both = await load("both.gguf", {transitions: transitions(), metadataOverrides: {[FIM_LAYOUTS_KEY]: arr("string", ["psm", "spm"])}});
    const plainTexts = vocabulary.texts.map((t, i) => (t.startsWith("<|fim_") ? `<unused${i}>` : t));
    none = await load("none.gguf", {
      transitions: transitions(),
      omitMetadata: ["tokenizer.ggml.fim_pre_token_id", "tokenizer.ggml.fim_suf_token_id", "tokenizer.ggml.fim_mid_token_id"],
      metadataOverrides: {"tokenizer.ggml.tokens": arr("string", plainTexts)}
    });
  });

  after(async () => {
    await Promise.all(models.map(m => m.dispose()));
    rmSync(dir, {recursive: true, force: true});
  });

  const ids = (text: string) => [...text].map(c => vocabulary.idOf(c));
  const {bos} = vocabulary;
  const {prefix: PRE, suffix: SUF, middle: MID} = vocabulary.fim;

  it("knows which layouts a model supports", () => {
    assert.deepEqual(supportedFimLayouts(psmOnly), ["psm"], "models without Draftstop's key: PSM, the common layout");
    assert.deepEqual(supportedFimLayouts(both), ["psm", "spm"]);
    assert.deepEqual(supportedFimLayouts(none), []);
  });

  it("builds PSM and SPM prompts from the model's FIM tokens", () => {
    const input = {prefix: "ab", suffix: "cd"};
    assert.deepEqual(buildFimPrompt(both, input, {layout: "psm"}).tokens, [bos, PRE, ...ids("ab"), SUF, ...ids("cd"), MID]);
    assert.deepEqual(buildFimPrompt(both, input, {layout: "spm"}).tokens, [bos, SUF, ...ids("cd"), PRE, ...ids("ab"), MID]);
    assert.equal(buildFimPrompt(psmOnly, input, {layout: "spm"}).layout, "psm", "an unsupported layout falls back");
  });

  it("says where the middle continues: right after the prefix's last token, in every layout", () => {
    const input = {prefix: "ab", suffix: "cd"};
    for (const [model, layout] of [[both, "psm"], [both, "spm"], [none, undefined]] as const) {
      const prompt = buildFimPrompt(model, input, {layout});
      assert.deepEqual(prompt.tokens.slice(prompt.continuesAt - 2, prompt.continuesAt), ids("ab"), `${prompt.layout}`);
    }
  });

  it("gives models without FIM tokens a prefix-only prompt", () => {
    const prompt = buildFimPrompt(none, {prefix: "ab", suffix: "cd"});
    assert.equal(prompt.layout, "prefixOnly");
    assert.deepEqual(prompt.tokens, [bos, ...ids("ab")]);
  });

  it("keeps FIM markers in the user's text as text", () => {
    const prompt = buildFimPrompt(both, {prefix: "<|fim_middle|>", suffix: ""});
    assert.equal(prompt.tokens.filter(t => t === MID).length, 1, "only the prompt's own middle token");
  });

  it("fits a budget by keeping the end of the prefix and the start of the suffix", () => {
    const prefix = "abcdefgh".repeat(10);
    const suffix = "hgfedcba".repeat(10);
    const prompt = buildFimPrompt(both, {prefix, suffix}, {layout: "psm", maxTokens: 44});
    assert.equal(prompt.tokens.length, 44);
    assert.equal(prompt.droppedPrefixTokens + prompt.droppedSuffixTokens, 160 - 40);
    const pre = prompt.tokens.slice(2, (prompt.tokens as number[]).indexOf(SUF));
    const suf = prompt.tokens.slice((prompt.tokens as number[]).indexOf(SUF) + 1, -1);
    assert.deepEqual(pre, ids(prefix.slice(-pre.length)), "prefix keeps its end");
    assert.deepEqual(suf, ids(suffix.slice(0, suf.length)), "suffix keeps its start");
    assert.equal(pre.length, 30, "three quarters of the budget to the prefix");
    const shortSuffix = buildFimPrompt(both, {prefix, suffix: "ab"}, {layout: "psm", maxTokens: 44});
    assert.equal(shortSuffix.tokens.length, 44, "what the suffix does not need goes to the prefix");
    assert.equal(shortSuffix.droppedSuffixTokens, 0);
  });
});
