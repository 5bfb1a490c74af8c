// How good are a pair's completions? Greedy target-only completions (48 tokens, as the extension
// asks: FIM where the target has FIM tokens, else prefix-only with token healing) at positions cut
// (seeded) from this repository's src/, which no model here trained on. Each cut removes the rest of
// a line; the figures compare the completion's first line with it:
//   non-empty  the completion's first line has a non-space character
//   exact      its first line equals the removed text (spaces at both ends ignored)
//   edit sim.  1 − Levenshtein distance / the longer length, on the same trimmed strings, averaged
// and the target's decoding speed (tokens per second after prefill).
//
//   npx tsc -p . && node out/src/lab/cli/completionQuality.js [--pair smollm2|tiny] [--count 40] [--seed 1] [--json FILE]
import {writeFileSync} from "node:fs";
import {join} from "node:path";
import {parseArgs} from "node:util";
import {distance} from "fastest-levenshtein";
import {tasksFromSources} from "../../benchmark/tasks";
import {DraftstopEngine} from "../../engine";
import {namedPair} from "./pairs";
import {repoRoot} from "./repoRoot";

export interface PositionResult {
  id: string;
  removed: string;
  firstLine: string;
  layout: string;
  nonEmpty: boolean;
  exact: boolean;
  editSimilarity: number;
}

/** The figures above for one completion against the text the cut removed. */
export function scoreFirstLine(completion: string, removed: string): Pick<PositionResult, "firstLine" | "nonEmpty" | "exact" | "editSimilarity"> {
  const firstLine = completion.split(/\r?\n/)[0]!.trim();
  const expected = removed.trim();
  const longer = Math.max(firstLine.length, expected.length);
  return {
    firstLine,
    nonEmpty: firstLine.length > 0,
    exact: firstLine === expected,
    editSimilarity: longer === 0 ? 1 : 1 - distance(firstLine, expected) / longer
  };
}

async function main(): Promise<void> {
  const {values} = parseArgs({options: {pair: {type: "string"}, count: {type: "string"}, seed: {type: "string"}, json: {type: "string"}}});
  const count = Number(values.count ?? 40), seed = Number(values.seed ?? 1);
  const pair = await namedPair({name: values.pair, padded: false});
  // Positions where the original has code: the cut removed something other than spaces.
  const tasks = tasksFromSources([join(repoRoot(), "src")], {count: count * 2, seed}).filter(t => t.removed!.trim() !== "").slice(0, count);
  const engine = await DraftstopEngine.load({targetPath: pair.target, threads: 1, gpu: false, contextSize: 2048, policy: {name: "off"}});
  const results: PositionResult[] = [];
  let tokens = 0, decodeMs = 0;
  try {
    for (const task of tasks) {
      const report = await engine.generateInfill(task, {maxTokens: 48, temperature: 0});
      tokens += report.totals.tokens;
      decodeMs += report.totals.decodeMs;
      results.push({id: task.id, removed: task.removed!, layout: report.prompt.layout, ...scoreFirstLine(report.text, task.removed!)});
    }
  } finally {
    await engine.dispose();
  }
  const share = (key: "nonEmpty" | "exact") => results.filter(r => r[key]).length / results.length;
  const summary = {
    pair: pair.description, positions: results.length, seed,
    nonEmpty: share("nonEmpty"), exactFirstLine: share("exact"),
    editSimilarity: results.reduce((sum, r) => sum + r.editSimilarity, 0) / results.length,
    targetTokensPerSecond: tokens / (decodeMs / 1000)
  };
  const percent = (x: number) => `${(100 * x).toFixed(1)} %`;
  console.log(`${summary.pair}: ${summary.positions} positions (seed ${seed}), layout ${[...new Set(results.map(r => r.layout))].join("/")}`);
  console.log(`  non-empty ${percent(summary.nonEmpty)}   exact first line ${percent(summary.exactFirstLine)}   ` +
    `edit similarity ${summary.editSimilarity.toFixed(3)}   target-only ${summary.targetTokensPerSecond.toFixed(1)} tok/s (1 thread)`);
  if (values.json) writeFileSync(values.json, JSON.stringify({summary, results}, null, 1) + "\n");
}

if (require.main === module) main().catch(error => {
  console.error(`completionQuality: ${(error as Error).message}`);
  process.exitCode = 1;
});
