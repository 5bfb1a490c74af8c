// npm run demo: SmolLM2-135M with its draft (or the tiny pair, --pair tiny) completes a few
// held-out positions (cut from the held-out packages, which no model or tuning here saw; or one
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
import {heldOutRoots} from "../bench/heldOut";
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
    // Positions where the target chooses an empty middle show nothing and measure nothing: the
    // demo shows the first DEMO_POSITIONS where it writes something, and says how many it passed over.
    const shown: BenchTask[] = [];
    let empty = 0;
    for (const task of tasks) {
      if (shown.length >= DEMO_POSITIONS) break;
      const result = await engine.generateInfill(task, {maxTokens, completionStop: stopSpecAt(task.prefix, task.suffix)});
      if (result.text.trim() === "" && !values.file) {
        empty++;
        continue;
      }
      shown.push(task);
      const {prompt} = result;
      const before = task.prefix.split("\n").slice(-3).join("\n");
      const after = task.suffix.split("\n").slice(0, 2).join("\n");
      console.log(`── ${task.id} (${prompt.layout}${prompt.healed ? `, healed ${JSON.stringify(prompt.healed)}` : ""}, ${result.tokens.length} tokens, ${result.stopReason})`);
      console.log(`${before}\x1b[32m${result.text}\x1b[0m${after}\n`);
      if (result.text.trim() === "") console.log("(the model chose an empty middle here)\n");
      if (task.removed !== undefined) console.log(`   (the line in the file continues: ${JSON.stringify(task.removed)})\n`);
    }
    if (empty > 0) console.log(`(passed over ${empty} position${empty === 1 ? "" : "s"} where the model chose an empty middle)\n`);
    if (shown.length === 0) throw new Error(`the model chose an empty middle at all ${tasks.length} positions`);
    const bench = await runBenchmark(engine, {
      tasks: shown, columns: [policyColumn({name: "off"}), policyColumn({name: "costAware"}), policyColumn({name: "adaedl"})], temperatures: [0],
      repeats: Number(values.repeats ?? 3), maxTokens
    });
    console.log(benchTable(bench, `Target-only, the default policy (costAware) and the paper's AdaEDL, measured side by side (${pair.description}; ${engine.info.device}, 1 thread per model; ${maxTokens} tokens per position):`));
  } finally {
    await engine.dispose();
  }
}

/** Completions the demo shows, out of at most this many candidate positions (the tiny pair writes something at about one in five). */
const DEMO_POSITIONS = 6, DEMO_CANDIDATES = 36;

/**
 * Positions cut (seeded) from the held-out packages (lab/bench/heldOut.ts: code no model or tuning
 * here saw, at the versions package-lock.json pins). Cut from Draftstop's own source, the positions
 * moved with every file added there, and after one restructuring the tiny pair ended at once at all six.
 */
function heldOutTasks(): BenchTask[] {
  return tasksFromSources(heldOutRoots(join(repoRoot(), "node_modules")), {count: DEMO_CANDIDATES, seed: 2, prefixLines: 40, suffixLines: 10});
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
