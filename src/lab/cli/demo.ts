// npm run demo: SmolLM2-135M with its draft (or the tiny pair, --pair tiny) completes a few
// held-out positions (cut from this repository's own source, which no model here saw; or one
// position in any file) with speculative decoding and the default policy (cost-aware AdaEDL), as
// the extension asks (FIM or prefix-only with token healing, stopped where the completion ends);
// then target-only, the default policy and the paper's AdaEDL are measured side by side on the
// same positions.
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {parseArgs} from "node:util";
import {benchTable} from "../../benchmark/report";
import {policyColumn} from "../../benchmark/policyColumn";
import {runBenchmark} from "../../benchmark/runner";
import {BenchTask, tasksFromSources} from "../../benchmark/tasks";
import {DraftstopEngine} from "../../engine";
import {stopSpecAt} from "../../engine/completionStop";
import {repoRoot} from "./repoRoot";
import {namedPair} from "./pairs";

const USAGE = `usage: npm run demo -- [--pair smollm2|tiny] [--unpadded] [--file F --line L --column C] [--max-tokens N] [--repeats N]
  --pair P            smollm2 (default: SmolLM2-135M and its draft; the tiny pair where pip cannot fetch it) or tiny
  --unpadded          tiny pair only: the raw trained target (speculation cannot pay off: both models cost the same per call)
  --file F --line L --column C   complete at this position of any file (1-based line and column)`;

async function main(): Promise<void> {
  const {values} = parseArgs({options: {
    pair: {type: "string"}, unpadded: {type: "boolean", default: false}, file: {type: "string"}, line: {type: "string"}, column: {type: "string"},
    "max-tokens": {type: "string"}, repeats: {type: "string"}, help: {type: "boolean", default: false}
  }});
  if (values.help) return console.log(USAGE);
  const maxTokens = Number(values["max-tokens"] ?? 48);
  const tasks = values.file ? [taskAt(values.file, Number(values.line), Number(values.column))] : heldOutTasks();

  const pair = await namedPair({name: values.pair, padded: !values.unpadded});
  console.log(`Draftstop demo: ${pair.description}\n  target ${pair.target}\n  draft  ${pair.draft}\n`);
  const engine = await DraftstopEngine.load({targetPath: pair.target, draftPath: pair.draft, threads: 1, contextSize: 2048, policy: {name: "costAware"}});
  try {
    for (const task of tasks) {
      const result = await engine.generateInfill(task, {maxTokens, completionStop: stopSpecAt(task.prefix, task.suffix)});
      const {prompt} = result;
      const before = task.prefix.split("\n").slice(-3).join("\n");
      const after = task.suffix.split("\n").slice(0, 2).join("\n");
      console.log(`── ${task.id} (${prompt.layout}${prompt.healed ? `, healed ${JSON.stringify(prompt.healed)}` : ""}, ${result.tokens.length} tokens, ${result.stopReason})`);
      console.log(`${before}\x1b[32m${result.text}\x1b[0m${after}\n`);
      if (result.text.trim() === "") console.log("(the model chose an empty middle here)\n");
      if (task.removed !== undefined) console.log(`   (the line in the file continues: ${JSON.stringify(task.removed)})\n`);
    }
    const bench = await runBenchmark(engine, {
      tasks, columns: [policyColumn({name: "off"}), policyColumn({name: "costAware"}), policyColumn({name: "adaedl"})], temperatures: [0],
      repeats: Number(values.repeats ?? 3), maxTokens
    });
    console.log(benchTable(bench, `Target-only, the default policy (costAware) and the paper's AdaEDL, measured side by side (${pair.description}; ${engine.info.device}, 1 thread per model; ${maxTokens} tokens per position):`));
  } finally {
    await engine.dispose();
  }
}

/**
 * Positions cut (seeded) from Draftstop's own source: held out by construction, since it was
 * written here, and the tiny pair and the SmolLM2 draft were trained on packages in node_modules.
 */
function heldOutTasks(): BenchTask[] {
  return tasksFromSources([join(repoRoot(), "src")], {count: 6, seed: 2, prefixLines: 40, suffixLines: 10});
}

function taskAt(file: string, line: number, column: number): BenchTask {
  if (!Number.isInteger(line) || !Number.isInteger(column) || line < 1 || column < 1) throw new Error("--line and --column must be positive integers");
  const lines = readFileSync(file, "utf8").split("\n");
  if (line > lines.length) throw new Error(`${file} has ${lines.length} lines`);
  const text = lines[line - 1]!;
  const cut = Math.min(column - 1, text.length);
  return {
    id: `${file}:${line}:${column}`,
    prefix: [...lines.slice(Math.max(0, line - 61), line - 1), text.slice(0, cut)].join("\n"),
    suffix: [text.slice(cut), ...lines.slice(line, line + 20)].join("\n")
  };
}

main().catch(error => {
  console.error(`demo: ${(error as Error).message}`);
  process.exitCode = 1;
});
