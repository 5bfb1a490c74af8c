// The long session itself, run in a process of its own so that its resident memory is the
// engine's alone (in mocha's process, what earlier suites left behind moves RSS by megabytes).
// Prints one JSON line: the resident memory after a GC every SAMPLE_EVERY completions from the
// 100th on, the longest sequence, the context size, the completions and the seconds they took.
// DRAFTSTOP_PLANTED_LEAK_KB plants a leak of that many kB per completion (the leak check's own
// test must catch it); DRAFTSTOP_COMPLETIONS runs fewer or more than 1 000.
//
//   node --expose-gc out/test/reliability/longSessionRun.js
import {join} from "node:path";
import {tasksFromSources} from "../../src/benchmark/tasks";
import {repoRoot} from "../../src/lab/cli/repoRoot";
import {tinyPairPaths} from "../../src/lab/cli/tinyPair";
import {DraftstopEngine} from "../../src/engine";

export interface LongSessionFigures {
  /** Resident memory after a GC, bytes, after `completions` completions. */
  rss: Array<{completions: number; bytes: number}>;
  longest: number;
  contextSize: number;
  generations: number;
  seconds: number;
}

/** RSS is sampled after every this many completions (after the first 100, the warm-up). */
const SAMPLE_EVERY = 25;

async function main(): Promise<void> {
  const {target, draft} = tinyPairPaths();
  const engine = await DraftstopEngine.load({targetPath: target, draftPath: draft, threads: 1, contextSize: 1024});
  try {
    const tasks = tasksFromSources([join(repoRoot(), "src")], {count: 200, seed: 5, prefixLines: 40, suffixLines: 10});
    const temperatures = [0, 0.7, 1];
    const completions = Number(process.env.DRAFTSTOP_COMPLETIONS ?? 1000);
    const leakBytes = 1024 * Number(process.env.DRAFTSTOP_PLANTED_LEAK_KB ?? 0);
    const leaked: Buffer[] = [];
    const rss: LongSessionFigures["rss"] = [];
    let longest = 0;
    const started = Date.now(); // for `seconds`, a figure for the report (no assertion reads it)
    for (let i = 0; i < completions; i++) {
      const task = tasks[i % tasks.length]!;
      // Vary the prompt like typing does: cut the prefix at a different point each time round.
      const cut = Math.max(0, task.prefix.length - (Math.floor(i / tasks.length) * 7));
      const prompt = engine.infillPrompt({prefix: task.prefix.slice(0, cut), suffix: task.suffix}, 24);
      await engine.generate(prompt.tokens, {maxTokens: 24, temperature: temperatures[i % 3], seed: i});
      const held = engine.sequenceTokens();
      longest = Math.max(longest, held.target.length, held.draft?.length ?? 0);
      if (leakBytes > 0) leaked.push(Buffer.alloc(leakBytes, i));
      if (i + 1 >= 100 && (i + 1) % SAMPLE_EVERY === 0) {
        global.gc?.();
        rss.push({completions: i + 1, bytes: process.memoryUsage().rss});
      }
    }
    const figures: LongSessionFigures = {
      rss, longest, contextSize: engine.info.contextSize,
      generations: engine.stats().generations, seconds: (Date.now() - started) / 1000 // a figure, never a verdict
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
