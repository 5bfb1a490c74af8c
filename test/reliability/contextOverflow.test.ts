// A file far larger than the context: the completion is built from the nearest prefix and suffix,
// never an error, in the engine and through the model process.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {repoRoot} from "../../src/lab/cli/repoRoot";
import {tinyPairPaths} from "../../src/lab/cli/tinyPair";
import {EngineClient} from "../../src/extension/session/engineClient";
import {recordFigure} from "./figures";

describe("context overflow", function () {
  this.timeout(120_000);

  it("completes in a file many times the context, from the text nearest the cursor", async () => {
    const {target, draft} = tinyPairPaths();
    const client = new EngineClient({hostScript: join(__dirname, "..", "..", "src", "modelProcess", "engineHost.js")});
    try {
      const {info} = await client.load({targetPath: target, draftPath: draft, threads: 1, contextSize: 512});
      // Far text: this repository's engine source, twenty times over on each side. Near the cursor: the
      // position where the tiny target is known to write something (test/vscode/suite/helpers.ts).
      const far = readFileSync(join(repoRoot(), "src", "engine", "decoding", "speculative.ts"), "utf8").repeat(20);
      const prefix = `${far}\nfunction check(value) {\n  if (`;
      const suffix = `\n    throw new TypeError('bad value');\n  }\n  return value;\n}\n${far}`;
      const summary = await client.api.generate({prompt: {fim: {prefix, suffix}}, options: {maxTokens: 32}});
      assert.ok(summary.promptTokens <= info.contextSize - 32, `prompt of ${summary.promptTokens} tokens fits`);
      assert.ok(summary.droppedPromptTokens > 10 * info.contextSize, `dropped ${summary.droppedPromptTokens} tokens far from the cursor`);
      assert.ok(summary.tokenCount > 0, "a completion");
      recordFigure("context overflow: prompt tokens kept / dropped", `${summary.promptTokens} / ${summary.droppedPromptTokens}`);
    } finally {
      await client.dispose();
    }
  });
});
