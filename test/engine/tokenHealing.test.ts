// Token healing on SmolLM2-135M (fetched by npm test into .cache/): a prefix-only prompt gives back
// its last token and the first generated token must start with that token's text.
import assert from "node:assert/strict";
import {join} from "node:path";
import {repoRoot} from "../../src/lab/cli/repoRoot";
import {DraftstopEngine} from "../../src/engine";
import {healPrompt} from "../../src/engine/prompt/tokenHealing";
import {ensureSmolLM2} from "../../src/lab/modelmaker/smollm2/fetch";

describe("token healing (SmolLM2-135M, prefix-only prompts)", function () {
  this.timeout(300_000);
  let engine: DraftstopEngine;
  const distance = {
    prefix: "export function distance(a: Point, b: Point): number {\n  const dx = b.x - a.x;\n  const dy = ",
    suffix: "\n  return Math.sqrt(dx * dx + dy * dy);\n}\n"
  };

  before(async () => {
    const targetPath = await ensureSmolLM2({cacheDir: join(repoRoot(), ".cache", "draftstop")});
    engine = await DraftstopEngine.load({targetPath, threads: 1, contextSize: 1024, policy: {name: "off"}});
  });
  after(() => engine?.dispose());

  it("gives back the last token; only tokens that start with its text may follow", () => {
    const prompt = engine.infillPrompt(distance, 24);
    assert.equal(prompt.layout, "prefixOnly");
    const model = engine.loadedPair.target.model;
    const healed = healPrompt(model, prompt.tokens, 0)!;
    assert.ok(healed, "the prompt ends inside what could be a longer token");
    assert.deepEqual(healed.tokens, prompt.tokens.slice(0, -1));
    assert.ok(distance.prefix.endsWith(healed.healed));
    assert.ok(healed.allowed.size > 1);
    for (const token of healed.allowed) {
      const text = model.detokenize([token], false);
      assert.ok(text.startsWith(healed.healed) && !/[\r\n]/.test(text.slice(healed.healed.length)), JSON.stringify(text));
    }
  });

  it("completes after `const dy = `, and the rest is exactly the target's greedy continuation", async () => {
    const report = await engine.generateInfill(distance, {maxTokens: 12, stopOnEog: false});
    assert.ok(report.prompt.healed, "healed");
    assert.ok(report.text.trim().length > 0, `a completion: ${JSON.stringify(report.text)}`);
    assert.ok(!report.text.startsWith(report.prompt.healed!), "the healed text, already in the document, is left out");
    const model = engine.loadedPair.target.model;
    const healed = healPrompt(model, engine.infillPrompt(distance, 12).tokens, 0)!;
    assert.ok(healed.allowed.has(report.tokens[0]!), "the first token starts with the healed text");
    const rest = await engine.generate([...healed.tokens, report.tokens[0]!], {maxTokens: 11, stopOnEog: false});
    assert.deepEqual(rest.tokens, report.tokens.slice(1));
  });

  it("looks for stop strings only after the healed text, which may hold a line break", async () => {
    const loop = {prefix: "function total(items) {\n  let sum = 0;\n  for (const item of items) {\n    ", suffix: "\n  }\n  return sum;\n}\n"};
    const report = await engine.generateInfill(loop, {maxTokens: 16, stopStrings: ["\n"]});
    assert.ok(report.prompt.healed?.includes("\n"), `the last token is a line break and an indent: ${JSON.stringify(report.prompt.healed)}`);
    assert.ok(!report.text.includes("\n"), JSON.stringify(report.text));
    assert.ok(report.text.trim().length > 0, `not cut at the healed line break: ${JSON.stringify(report.text)}`);
    const unhealed = await engine.generateInfill({...loop, heal: false}, {maxTokens: 16, stopStrings: ["\n"]});
    assert.equal(unhealed.prompt.healed, undefined);
  });
});
