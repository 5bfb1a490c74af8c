// A file far larger than the context: the completion is built from the nearest prefix and suffix,
// never an error, in the engine and through the model process.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {repoRoot} from "../../src/cli/repoRoot";
import {tinyPairPaths} from "../../src/cli/tinyPair";
import {EngineClient} from "../../src/host/engineClient";
import {recordFigure} from "./figures";

describe("context overflow", function () {
  this.timeout(120_000);

  it("completes in a file many times the context, from the text nearest the cursor", async () => {
    const {target, draft} = tinyPairPaths();
    const client = new EngineClient({hostScript: join(__dirname, "..", "..", "src", "host", "engineHost.js")});
    try {
      const {info} = await client.load({targetPath: target, draftPath: draft, threads: 1, contextSize: 512});
      const source = readFileSync(join(repoRoot(), "src", "engine", "speculative.ts"), "utf8");
      const prefix = source.repeat(20);
      const suffix = source.repeat(20);
      const summary = await client.api.generate({prompt: {fim: {prefix: prefix + "\nexport function ", suffix}}, options: {maxTokens: 32}});
      assert.ok(summary.promptTokens <= info.contextSize - 32, `prompt of ${summary.promptTokens} tokens fits`);
      assert.ok(summary.droppedPromptTokens > 10 * info.contextSize, `dropped ${summary.droppedPromptTokens} tokens far from the cursor`);
      assert.ok(summary.tokenCount > 0, "a completion");
      recordFigure("context overflow: prompt tokens kept / dropped", `${summary.promptTokens} / ${summary.droppedPromptTokens}`);
    } finally {
      await client.dispose();
    }
  });
});
