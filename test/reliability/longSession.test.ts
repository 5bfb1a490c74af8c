// A long session on the tiny trained pair: 1 000 completions on varied prompts. Memory stays flat
// after warm-up and both sequences stay inside the context.
import assert from "node:assert/strict";
import {join} from "node:path";
import {tasksFromSources} from "../../src/bench/tasks";
import {tinyPairPaths} from "../../src/cli/tinyPair";
import {repoRoot} from "../../src/cli/repoRoot";
import {DraftstopEngine} from "../../src/engine";
import {recordFigure} from "./figures";

describe("long session", function () {
  this.timeout(20 * 60_000);

  it("1 000 completions: resident memory grows < 5 % after warm-up, sequences bounded by the context", async () => {
    const {target, draft} = tinyPairPaths();
    const engine = await DraftstopEngine.load({targetPath: target, draftPath: draft, threads: 1, contextSize: 1024});
    try {
      const tasks = tasksFromSources([join(repoRoot(), "src")], {count: 200, seed: 5, prefixLines: 40, suffixLines: 10});
      const temperatures = [0, 0.7, 1];
      let rssAt100 = 0;
      let longest = 0;
      const started = Date.now();
      for (let i = 0; i < 1000; i++) {
        const task = tasks[i % tasks.length]!;
        // Vary the prompt like typing does: cut the prefix at a different point each time round.
        const cut = Math.max(0, task.prefix.length - (Math.floor(i / tasks.length) * 7));
        const prompt = engine.buildFimPrompt({prefix: task.prefix.slice(0, cut), suffix: task.suffix}, {maxTokens: 1024 - 24 - 32});
        await engine.generate(prompt.tokens, {maxTokens: 24, temperature: temperatures[i % 3], seed: i});
        const held = engine.sequenceTokens();
        longest = Math.max(longest, held.target.length, held.draft?.length ?? 0);
        if (i + 1 === 100) {
          global.gc?.();
          rssAt100 = process.memoryUsage().rss;
        }
      }
      global.gc?.();
      const rssAt1000 = process.memoryUsage().rss;
      const growth = (rssAt1000 - rssAt100) / rssAt100;
      recordFigure("long session: RSS after 100 completions (MB)", (rssAt100 / 1e6).toFixed(1));
      recordFigure("long session: RSS after 1 000 completions (MB)", (rssAt1000 / 1e6).toFixed(1));
      recordFigure("long session: growth after warm-up", `${(growth * 100).toFixed(2)} %`);
      recordFigure("long session: longest sequence / context (tokens)", `${longest} / ${engine.info.contextSize}`);
      recordFigure("long session: 1 000 completions took (s)", ((Date.now() - started) / 1000).toFixed(1));
      assert.ok(growth < 0.05, `RSS grew ${(growth * 100).toFixed(2)} % from ${rssAt100} to ${rssAt1000}`);
      assert.ok(longest <= engine.info.contextSize, `a sequence held ${longest} tokens`);
      assert.equal(engine.stats().generations, 1000);
    } finally {
      await engine.dispose();
    }
  });
});
