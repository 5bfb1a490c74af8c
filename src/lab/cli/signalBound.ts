// npm run signal-bound [-- options]: how much of the exact optimum an entropy stopping rule can
// reach at T = 0, chosen in hindsight (src/lab/bench/signalBound.ts). For each pair, task set and
// profile: the optimum; the best static K; the best entropy threshold and cap for all tasks, and
// for each task apart, as they would run; and the bound no threshold rule can pass (a round stops
// free after its first rejected draft). Each as a speed-up over target-only and as a share of the
// optimum. With two task sets, also the rule tuned on the other set: what tuning on a few tasks
// carries over to code it did not see, against what it fits in hindsight. With --sweep, the cost-aware column of a sweep over the same tasks is printed beside.
import {readFileSync, writeFileSync} from "node:fs";
import {parseArgs} from "node:util";
import {ProfileClock} from "../../engine/drafting/passClock";
import {readCostProfile} from "../bench/costProfiles";
import {SIGNALS, TraceSignal} from "../bench/draftTrace";
import {pairTraces, TRACE_MAX_DRAFT} from "./pairTraces";
import {optimalSchedule, RoundCosts} from "../bench/optimum";
import {profileRoundCosts} from "../bench/optimumColumn";
import {bestThresholdRule, DraftTrace, staticMs, thresholdRuleMs} from "../bench/signalBound";
import {geometricMean, oneStaticK, STATIC_KS, SweepCell} from "../bench/sweep";
import {profileList, taskSets} from "../bench/sweepTasks";
import {integerOption} from "./cliText";
import {repoRoot} from "./repoRoot";

const USAGE = `usage: npm run signal-bound -- [options]
  --pairs LIST      comma-separated (default tiny): tiny, smollm2, strong (see npm run bench)
  --profiles LIST   profile names, "sweep", "gpu" or "all" (default)
  --tasks LIST      heldout, humaneval (default both)   --count N  tasks per set (default 6)
  --max-tokens N    tokens per completion (default 32)
  --signal S        what the rules read: entropy (default, AdaEDL's) or top (the min-entropy −ln max q)
  --traces FILE     keep the recorded traces in FILE and read them from there next time (npm run replay shares it)
  --sweep FILES     comma-separated sweep JSONs (npm run sweep -- --json) over the same tasks: their costAware
                    column beside
  --json FILE       write the rows as JSON`;

/** One row: a pair, task set and profile. Speed-ups over target-only. */
export interface BoundRow {
  pair: string;
  tasks: string;
  profile: string;
  draftCost: number;
  optimum: number;
  /** Static K = 1..8, in order. */
  statics: number[];
  bestStatic: {k: number; speedup: number};
  /** The best threshold rule for all tasks, charged as it would run. */
  threshold: {maxEntropy: number; laterMaxEntropy: number; maxDraft: number; speedup: number};
  /** The best threshold rule for the other task sets, charged on these tasks as it would run (absent with one set). */
  transfer?: number;
  /** A threshold rule chosen for each task apart, as it would run. */
  perTask: number;
  /** The upper bound on every threshold rule: each task's best with rounds stopping free after a rejection. */
  bound: number;
  costAware?: number;
  sweepOptimum?: number;
}

async function main(): Promise<void> {
  const {values} = parseArgs({options: {
    pairs: {type: "string"}, profiles: {type: "string"}, tasks: {type: "string"}, count: {type: "string"}, "max-tokens": {type: "string"},
    sweep: {type: "string"}, signal: {type: "string"}, traces: {type: "string"}, json: {type: "string"}, help: {type: "boolean", default: false}
  }});
  if (values.help) return console.log(USAGE);
  const root = repoRoot();
  const signal = values.signal ?? "entropy";
  if (!(signal in SIGNALS)) throw new Error(`--signal: ${JSON.stringify(signal)} is not one of ${Object.keys(SIGNALS).join(", ")}`);
  const profiles = profileList(values.profiles ?? "all", root).map(name => readCostProfile(name, root));
  const maxTokens = integerOption("max-tokens", values["max-tokens"], 32, 1);
  const sets = await taskSets((values.tasks ?? "heldout,humaneval").split(",").map(s => s.trim()).filter(Boolean), root, integerOption("count", values.count, 6, 1), 0);
  const sweep = (values.sweep ?? "").split(",").filter(Boolean).flatMap(file => (JSON.parse(readFileSync(file, "utf8")) as {cells: SweepCell[]}).cells);
  const rows: BoundRow[] = [];
  for (const name of (values.pairs ?? "tiny").split(",").map(n => n.trim()).filter(Boolean)) {
    const recorded = await pairTraces(name, sets, maxTokens, {signal: signal as TraceSignal, file: values.traces, log: line => console.error(line)});
    const traceSets = new Map<string, DraftTrace[]>(Object.entries(recorded.sets));
    // The best rule for a set of tasks under a profile, searched once: a set's own is the other set's transfer.
    const bestRules = new Map<string, ReturnType<typeof bestThresholdRule>>();
    const bestFor = (names: readonly string[], profile: string, costs: RoundCosts) => {
      const key = `${names.join("+")}|${profile}`;
      let found = bestRules.get(key);
      if (!found) bestRules.set(key, found = bestThresholdRule(names.flatMap(name => traceSets.get(name)!), costs));
      return found;
    };
    for (const [setName, traces] of traceSets) {
      const others = [...traceSets.keys()].filter(name => name !== setName);
      const positions = traces.reduce((n, t) => n + t.matches.length, 0);
      for (const profile of profiles) {
        const clock = new ProfileClock(profile);
        const costs = profileRoundCosts(clock);
        const targetOnly = positions * costs.targetPassMs(1);
        const speedup = (ms: number) => targetOnly / ms;
        const sum = (f: (t: DraftTrace) => number) => traces.reduce((total, t) => total + f(t), 0);
        const statics = STATIC_KS.map(k => ({k, speedup: speedup(sum(t => staticMs(t, costs, k)))}));
        const best = bestFor([setName], profile.name, costs);
        const cell = sweep.find(c => c.pair === recorded.pair && c.tasks === setName && c.profile === profile.name && c.temperature === 0);
        const transferred = others.length > 0 ? bestFor(others, profile.name, costs).rule : undefined;
        rows.push({
          pair: recorded.pair, tasks: setName, profile: profile.name, draftCost: profile.draft,
          optimum: speedup(sum(t => optimalSchedule(t.matches, costs, MAX_DRAFT).totalMs)),
          statics: statics.map(s => s.speedup),
          bestStatic: statics.reduce((a, b) => (b.speedup > a.speedup ? b : a)),
          threshold: {...best.rule, speedup: speedup(best.totalMs)},
          ...(transferred ? {transfer: speedup(sum(t => thresholdRuleMs(t, costs, transferred)))} : {}),
          perTask: speedup(sum(t => bestThresholdRule([t], costs).totalMs)),
          bound: speedup(sum(t => bestThresholdRule([t], costs, "free").totalMs)),
          ...(cell ? {costAware: cell.speedups.costAware, sweepOptimum: cell.speedups["optimum(maxDraft=16)"]} : {})
        });
      }
    }
  }
  console.log(boundTables(rows));
  if (values.json) writeFileSync(values.json, JSON.stringify(rows, null, 2) + "\n");
}

/** The sweep's optimum and policies draft at most 16 tokens a round. */
const MAX_DRAFT = TRACE_MAX_DRAFT;

const nats = (h: number) => (Number.isFinite(h) ? h.toFixed(2) : "∞");
const fixed = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x.toFixed(2) : "–");

export function boundTables(rows: readonly BoundRow[]): string {
  const groups = new Map<string, BoundRow[]>();
  for (const row of rows) groups.set(`${row.pair}, ${row.tasks}`, [...(groups.get(`${row.pair}, ${row.tasks}`) ?? []), row]);
  const out = ["Speed-up over target-only at T = 0, and share of the optimum (/opt); rules tuned in hindsight"];
  for (const [key, group] of groups) {
    const header = ["profile", "C_d/C_t(1)", "optimum", "best K", "/opt", "H<h1/h2, ≤K", "/opt", "other set's", "/opt", "per task", "/opt", "bound", "/opt", "costAware", "/opt"];
    const lines = group.map(r => [
      r.profile, String(r.draftCost), fixed(r.optimum) + (r.sweepOptimum !== undefined && Math.abs(r.sweepOptimum - r.optimum) > 0.005 ? ` (sweep ${fixed(r.sweepOptimum)})` : ""),
      `${fixed(r.bestStatic.speedup)} K${r.bestStatic.k}`, fixed(r.bestStatic.speedup / r.optimum),
      `${fixed(r.threshold.speedup)} h ${nats(r.threshold.maxEntropy)}/${nats(r.threshold.laterMaxEntropy)} K${r.threshold.maxDraft}`, fixed(r.threshold.speedup / r.optimum),
      fixed(r.transfer), fixed(r.transfer === undefined ? undefined : r.transfer / r.optimum), fixed(r.perTask), fixed(r.perTask / r.optimum), fixed(r.bound), fixed(r.bound / r.optimum), fixed(r.costAware), fixed(r.costAware === undefined ? undefined : r.costAware / r.optimum)
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map(l => l[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
    out.push("", `${key}:`, line(header), widths.map(w => "-".repeat(w)).join("  "), ...lines.map(line), robustnessLine(group));
  }
  return out.join("\n");
}

/**
 * Issue 33's robustness figure for the rules tuned in hindsight: each profile's best threshold
 * rule (and the bound) against the one static K a user would choose not knowing the machine, as
 * geometric means over the profiles. The static Ks of each row come from the same traces.
 */
function robustnessLine(rows: readonly BoundRow[]): string {
  const mean = (pick: (r: BoundRow) => number) => geometricMean(rows.map(pick));
  const oneK = oneStaticK(rows);
  const ratio = (pick: (r: BoundRow) => number) => fixed(mean(pick) / oneK);
  return `against the one static K for every profile (geometric mean ${fixed(oneK)}×): each profile's best K ${ratio(r => r.bestStatic.speedup)}×, ` +
    `best threshold ${ratio(r => r.threshold.speedup)}×` + (rows.every(r => r.transfer !== undefined) ? `, the other set's ${ratio(r => r.transfer!)}×` : "") +
    `, per task ${ratio(r => r.perTask)}×, bound ${ratio(r => r.bound)}×` +
    (rows.every(r => r.costAware !== undefined) ? `, costAware ${ratio(r => r.costAware!)}×` : "");
}

if (require.main === module) {
  main().catch(error => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
