// The long session itself, run in a process of its own so that its resident memory is the
// engine's alone (in mocha's process, what earlier suites left behind moves RSS by megabytes).
// Prints one JSON line: {rssAt100, rssAt1000, longest, contextSize, generations, seconds}.
//
//   node --expose-gc out/test/reliability/longSessionRun.js
import {join} from "node:path";
import {tasksFromSources} from "../../src/bench/tasks";
import {repoRoot} from "../../src/cli/repoRoot";
import {tinyPairPaths} from "../../src/cli/tinyPair";
import {DraftstopEngine} from "../../src/engine";

export interface LongSessionFigures {
  rssAt100: number;
  rssAt1000: number;
  longest: number;
  contextSize: number;
  generations: number;
  seconds: number;
}

async function main(): Promise<void> {
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
      const prompt = engine.infillPrompt({prefix: task.prefix.slice(0, cut), suffix: task.suffix}, 24);
      await engine.generate(prompt.tokens, {maxTokens: 24, temperature: temperatures[i % 3], seed: i});
      const held = engine.sequenceTokens();
      longest = Math.max(longest, held.target.length, held.draft?.length ?? 0);
      if (i + 1 === 100) {
        global.gc?.();
        rssAt100 = process.memoryUsage().rss;
      }
    }
    global.gc?.();
    const figures: LongSessionFigures = {
      rssAt100, rssAt1000: process.memoryUsage().rss, longest, contextSize: engine.info.contextSize,
      generations: engine.stats().generations, seconds: (Date.now() - started) / 1000
    };
    console.log(JSON.stringify(figures));
  } finally {
    await engine.dispose();
  }
}

if (require.main === module) main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
