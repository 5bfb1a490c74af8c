// What extra context does to completion quality: greedy target-only completions (48 tokens, as
// the extension asks) at multi-file positions cut from this repository's src/ (written here, so no
// model here trained on it; src/lab/bench/contextTasks.ts): right after a name the file imports from
// another file, followed by `(` or `.`. Each position is completed
//   without       the text around the cursor only;
//   ring          plus the chunks the extension would send: the imported files' chunks in a ring
//                 buffer of 16 (the name's own file added last), chosen by similarity to the cursor's
//                 neighbourhood, within the token budget, in the model's multi-file format;
//   ring/comments the same chunks as commented file headers (where the model has its own format).
// Figures as completionQuality.ts: exact first line, edit similarity; plus the prompt's extra
// tokens and the prefill's time.
//
//   npx tsc -p . && node out/src/lab/cli/contextQuality.js [--pair smollm2|tiny] [--count 40] [--seed 1] [--budget 512] [--threads 2] [--json FILE]
import {writeFileSync} from "node:fs";
import {join} from "node:path";
import {parseArgs} from "node:util";
import {contextTasksFromSources} from "../bench/contextTasks";
import {DraftstopEngine, multiFileFormat} from "../../engine";
import type {ExtraContextInput, MultiFileFormat} from "../../engine";
import {chunkCharsFor, neighbourhoodWords} from "../../extension/completion/extraContext/chunking";
import {ChunkRing} from "../../extension/completion/extraContext/chunkRing";
import {scoreFirstLine} from "./completionQuality";
import {namedPair} from "./pairs";
import {repoRoot} from "./repoRoot";

interface VariantTotals {
  positions: number;
  exact: number;
  nonEmpty: number;
  editSimilarity: number;
  extraTokens: number;
  prefillMs: number;
  promptTokens: number;
}

async function main(): Promise<void> {
  const {values} = parseArgs({options: {pair: {type: "string"}, count: {type: "string"}, seed: {type: "string"}, budget: {type: "string"},
    threads: {type: "string"}, json: {type: "string"}}});
  const count = Number(values.count ?? 40), seed = Number(values.seed ?? 1), budget = Number(values.budget ?? 512);
  const pair = await namedPair({name: values.pair ?? "smollm2", padded: false});
  const root = join(repoRoot(), "src");
  const tasks = contextTasksFromSources(root, {count, seed});
  const engine = await DraftstopEngine.load({targetPath: pair.target, threads: Number(values.threads ?? 2), gpu: false, contextSize: 2048, policy: {name: "off"}});
  const own = multiFileFormat(engine.loadedPair.target.model);
  const variants: Array<{name: string; format?: MultiFileFormat}> = [{name: "without"}, {name: `ring (${own})`, format: own}];
  if (own !== "comments") variants.push({name: "ring (comments)", format: "comments"});
  const totals = new Map(variants.map(v => [v.name, {positions: 0, exact: 0, nonEmpty: 0, editSimilarity: 0, extraTokens: 0, prefillMs: 0, promptTokens: 0} as VariantTotals]));
  const results: Array<{id: string; removed: string; variant: string; firstLine: string; exact: boolean; editSimilarity: number; extraPaths: string[]}> = [];
  try {
    for (const task of tasks) {
      const ring = new ChunkRing();
      for (const chunk of task.chunks) ring.add({uri: chunk.path, path: chunk.path, languageId: "typescript", startLine: chunk.startLine, text: chunk.text});
      const chosen = ring.select({uri: task.path, neighbourhood: neighbourhoodWords(task.prefix, task.suffix), windowKey: task.id,
        maxChars: chunkCharsFor(budget), disabledLanguages: []});
      for (const variant of variants) {
        const extraContext: ExtraContextInput | undefined = variant.format === undefined ? undefined : {
          chunks: chosen.map(({chunk, score}) => ({path: chunk.path, text: chunk.text, score})),
          maxTokens: budget, currentPath: task.path, repoName: "draftstop", lineComment: "//", format: variant.format
        };
        const report = await engine.generateInfill({prefix: task.prefix, suffix: task.suffix, extraContext}, {maxTokens: 48, temperature: 0});
        const score = scoreFirstLine(report.text, task.removed);
        const t = totals.get(variant.name)!;
        t.positions++;
        t.exact += score.exact ? 1 : 0;
        t.nonEmpty += score.nonEmpty ? 1 : 0;
        t.editSimilarity += score.editSimilarity;
        t.extraTokens += report.prompt.extraContext?.tokens ?? 0;
        t.prefillMs += report.prefill.ms;
        t.promptTokens += report.prompt.tokens;
        results.push({id: task.id, removed: task.removed, variant: variant.name, firstLine: score.firstLine, exact: score.exact,
          editSimilarity: score.editSimilarity, extraPaths: report.prompt.extraContext?.paths ?? []});
      }
    }
  } finally {
    await engine.dispose();
  }
  console.log(`${pair.description}: ${tasks.length} multi-file positions from src/ (seed ${seed}), extra-context budget ${budget} tokens, greedy, 48 tokens`);
  console.log("| prompt | exact first line | edit similarity | non-empty | extra tokens | prompt tokens | prefill ms |");
  console.log("|---|---|---|---|---|---|---|");
  const summary = variants.map(v => {
    const t = totals.get(v.name)!;
    const n = Math.max(1, t.positions);
    const row = {variant: v.name, exactFirstLine: t.exact / n, editSimilarity: t.editSimilarity / n, nonEmpty: t.nonEmpty / n,
      extraTokens: t.extraTokens / n, promptTokens: t.promptTokens / n, prefillMs: t.prefillMs / n};
    console.log(`| ${row.variant} | ${(100 * row.exactFirstLine).toFixed(1)} % | ${row.editSimilarity.toFixed(3)} | ${(100 * row.nonEmpty).toFixed(1)} % | ` +
      `${row.extraTokens.toFixed(0)} | ${row.promptTokens.toFixed(0)} | ${row.prefillMs.toFixed(0)} |`);
    return row;
  });
  if (values.json) writeFileSync(values.json, JSON.stringify({pair: pair.description, seed, budget, summary, results}, null, 1) + "\n");
}

if (require.main === module) main().catch(error => {
  console.error(`contextQuality: ${(error as Error).message}`);
  process.exitCode = 1;
});
