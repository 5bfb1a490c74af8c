// The llama.cpp peer's parsers, on output captured from real runs of the binaries that
// npm run build:llamacpp builds (test/fixtures/llamacpp/README.md says how each was made).
import assert from "node:assert/strict";
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {
  llamaCppLayout, LlamaCppOutputError, llamaCppProgramPath, llamaCppSpeculativeBinary, parseLlamaCompletionOutput,
  parseLlamaCppSpeculativeOutput, runLlamaCppSpeculative
} from "../../src/lab/bench/llamaCppPeer";
import {repoRoot} from "../../src/lab/cli/repoRoot";
import {tinyPairPaths} from "../../src/lab/cli/tinyPair";

const fixture = (name: string) => readFileSync(join(repoRoot(), "test", "fixtures", "llamacpp", name), "utf8");

describe("llama.cpp peer", () => {
  it("reads the figures of a llama-speculative-simple run", () => {
    const figures = parseLlamaCppSpeculativeOutput(fixture("speculative-simple.tinypair.txt"));
    assert.deepEqual(figures, {tokens: 50, decodeMs: 332, drafted: 27, accepted: 25, promptTokens: 424, promptMs: 214});
  });

  it("is not fooled by generated text that reads like the summary", () => {
    // stdout (the text) comes before stderr (the log) in raw, and the last matching line wins.
    const raw = fixture("speculative-simple.tinypair.txt");
    const posing = "decoded    9 tokens in    0.001 seconds, speed: 9000.000 t/s\nn_drafted = 99\nn_accept  = 98\n";
    assert.deepEqual(parseLlamaCppSpeculativeOutput(posing + raw), parseLlamaCppSpeculativeOutput(raw));
  });

  it("reads the target-only figures of a llama-completion run, sampling included", () => {
    const figures = parseLlamaCompletionOutput(fixture("completion.tinypair.txt"));
    assert.equal(figures.tokens, 47);
    assert.equal(figures.evalMs, 110.72);
    assert.ok(Math.abs(figures.decodeMs - (110.72 + 2.11)) < 1e-9, `${figures.decodeMs}`);
    assert.equal(figures.promptTokens, 424);
    assert.equal(figures.promptMs, 210.65);
  });

  it("reports a run whose summary llama.cpp's logger lost as an output error (which the runner retries)", () => {
    assert.throws(() => parseLlamaCppSpeculativeOutput(fixture("speculative-simple.lost-summary.txt")), LlamaCppOutputError);
    assert.throws(() => parseLlamaCompletionOutput(fixture("speculative-simple.tinypair.txt").replace(/^.*eval time.*$/gm, "")), LlamaCppOutputError);
  });

  it("finds the built binary under .cache/llama-cpp, and nothing where it is not built", () => {
    const root = mkdtempSync(join(tmpdir(), "draftstop-llamacpp-"));
    try {
      assert.equal(llamaCppSpeculativeBinary("llama-speculative-simple", root), undefined);
      const binary = llamaCppProgramPath(llamaCppLayout(root), "llama-speculative-simple");
      mkdirSync(llamaCppLayout(root).bin, {recursive: true});
      writeFileSync(binary, "");
      assert.equal(llamaCppSpeculativeBinary(undefined, root), binary);
      assert.equal(llamaCppSpeculativeBinary("llama-completion", root), undefined);
    } finally {
      rmSync(root, {recursive: true, force: true});
    }
  });

  it("runs the built peer on the tiny pair (skipped until npm run build:llamacpp)", async function () {
    const binary = llamaCppSpeculativeBinary();
    if (!binary) this.skip();
    const {target, draft} = tinyPairPaths();
    const base = {binary, target, draft, maxTokens: 24, temperature: 0, seed: 1, threads: 1, contextSize: 512, draftMax: 4, draftMin: 0, draftPMin: 0.5, ignoreEos: true};
    const fim = await runLlamaCppSpeculative({...base, promptText: "<|fim_prefix|>function add(a, b) {\n  return <|fim_suffix|>;\n}\n<|fim_middle|>"});
    // The same text with the markers spelled as plain text: llama.cpp parses them as special
    // tokens only in the first, one token each instead of several byte pieces.
    const plain = await runLlamaCppSpeculative({...base, promptText: "<|fim_prefix |>function add(a, b) {\n  return <|fim_suffix |>;\n}\n<|fim_middle |>"});
    assert.ok(fim.promptTokens < plain.promptTokens - 6, `${fim.promptTokens} vs ${plain.promptTokens}`);
    assert.ok(fim.tokens >= 24, `decoded ${fim.tokens}`);
    assert.ok(fim.accepted <= fim.drafted && fim.decodeMs > 0);
  });
});
