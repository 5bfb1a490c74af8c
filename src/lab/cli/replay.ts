// npm run replay [-- options]: draft-length policies replayed on a pair's recorded draft traces at
// T = 0, every pass charged from cost profiles (src/lab/bench/policyReplay.ts). A rule's change is
// charged on dozens of tasks and every profile in seconds, once the traces are recorded (--traces
// keeps them); the sweep, which runs the models, confirms. Beside each policy: the exact optimum,
// each profile's best static K, and the one static K for every profile (issue 33's robustness
// figure). --hindsight-map adds cost-aware AdaEDL reading the traces' own acceptance by entropy
// (no learning, no optimism): how much better the rule does where its calibration is perfect.
import {writeFileSync} from "node:fs";
import {parseArgs} from "node:util";
import {createPolicy, POLICY_DEFAULTS, POLICY_NAMES, PolicyName, PolicySpec} from "../../engine";
import {CostProfile, ProfileClock} from "../../engine/drafting/passClock";
import {Prng} from "../../engine/decoding/sampling";
import {readCostProfile} from "../bench/costProfiles";
import {optimalSchedule} from "../bench/optimum";
import {profileRoundCosts} from "../bench/optimumColumn";
import {pairTraces, TRACE_MAX_DRAFT} from "./pairTraces";
import {hindsightAcceptance, replayCalibration, replayPolicy} from "../bench/policyReplay";
import {DraftTrace, staticMs} from "../bench/signalBound";
import {geometricMean, oneStaticK, STATIC_KS} from "../bench/sweep";
import {profileList, taskSets, warmUpTasks} from "../bench/sweepTasks";
import {integerOption, policyParams} from "./cliText";
import {repoRoot} from "./repoRoot";

const USAGE = `usage: npm run replay -- [options]
  --pairs LIST      comma-separated (default strong): tiny, smollm2, strong (see npm run bench)
  --profiles LIST   profile names, "sweep", "gpu" or "all" (default)
  --tasks LIST      heldout, humaneval (default both)   --count N  tasks per set (default 16)
  --max-tokens N    tokens per completion (default 24)
  --policy SPEC     a policy and its parameters, as npm run bench takes them (costAware:optimism=1); repeatable;
                    default costAware
  --warm-up N       each policy first runs N other held-out tasks, uncounted (as npm run sweep -- --warm-up)
  --hindsight-map   add cost-aware AdaEDL reading the traces' own acceptance by entropy
  --traces FILE     keep the recorded traces in FILE and read them from there next time
  --bootstrap N     also resample each set's tasks N times (with replacement) and print the spread of each
                    policy's figure against the one static K: how far the task sample alone moves it
  --json FILE       write the rows as JSON`;

/** One row: a pair, task set and profile; speed-ups over target-only. */
export interface ReplayRow {
  pair: string;
  tasks: string;
  profile: string;
  draftCost: number;
  optimum: number;
  /** Static K = 1..8, in order. */
  statics: number[];
  /** Each policy's speed-up, by its label. */
  policies: Record<string, number>;
}

const HINDSIGHT = "costAware, hindsight map";

async function main(): Promise<void> {
  const {values} = parseArgs({options: {
    pairs: {type: "string"}, profiles: {type: "string"}, tasks: {type: "string"}, count: {type: "string"}, "max-tokens": {type: "string"},
    policy: {type: "string", multiple: true}, "warm-up": {type: "string"}, "hindsight-map": {type: "boolean", default: false},
    traces: {type: "string"}, bootstrap: {type: "string"}, json: {type: "string"}, help: {type: "boolean", default: false}
  }});
  if (values.help) return console.log(USAGE);
  const root = repoRoot();
  const profiles = profileList(values.profiles ?? "all", root).map(name => readCostProfile(name, root));
  const maxTokens = integerOption("max-tokens", values["max-tokens"], 24, 1);
  const warmUp = integerOption("warm-up", values["warm-up"], 0, 0);
  const sets = await taskSets((values.tasks ?? "heldout,humaneval").split(",").map(s => s.trim()).filter(Boolean), root, integerOption("count", values.count, 16, 1), 0);
  // The warm-up set is recorded with the measured ones, under its own name.
  const recordedSets = new Map(sets);
  if (warmUp > 0) recordedSets.set(WARM_UP, warmUpTasks(root, warmUp, [...(sets.get("heldout") ?? [])]));
  const policies = (values.policy ?? ["costAware"]).map(text => ({label: text, spec: parsePolicySpec(text)}));
  const bootstrap = integerOption("bootstrap", values.bootstrap, 0, 0);
  const rows: ReplayRow[] = [];
  const spreads: string[] = [];
  for (const name of (values.pairs ?? "strong").split(",").map(n => n.trim()).filter(Boolean)) {
    const recorded = await pairTraces(name, recordedSets, maxTokens, {file: values.traces, log: line => console.error(line)});
    const warmTraces = recorded.sets[WARM_UP] ?? [];
    // The static Ks and the policies; the optimum only for the printed rows, not for each resampling.
    const charge = (traces: readonly DraftTrace[], profile: CostProfile, withOptimum: boolean) => {
      const positions = traces.reduce((n, t) => n + t.matches.length, 0);
      const clock = new ProfileClock(profile);
      const costs = profileRoundCosts(clock);
      const targetOnly = positions * costs.targetPassMs(1);
      const sum = (f: (t: DraftTrace) => number) => traces.reduce((total, t) => total + f(t), 0);
      const replayed = (spec: PolicySpec, hindsight = false) => {
        const policy = createPolicy(spec), calibration = replayCalibration(clock);
        const acceptance = hindsight ? hindsightAcceptance(traces) : undefined;
        if (warmUp > 0) replayPolicy(warmTraces, policy, clock, calibration, acceptance);
        return targetOnly / replayPolicy(traces, policy, clock, calibration, acceptance).totalMs;
      };
      const measured: Record<string, number> = {};
      for (const {label, spec} of policies) measured[label] = replayed(spec);
      if (values["hindsight-map"]) measured[HINDSIGHT] = replayed({name: "costAware"}, true);
      return {
        optimum: withOptimum ? targetOnly / sum(t => optimalSchedule(t.matches, costs, TRACE_MAX_DRAFT).totalMs) : NaN,
        statics: STATIC_KS.map(k => targetOnly / sum(t => staticMs(t, costs, k))),
        policies: measured
      };
    };
    for (const setName of sets.keys()) {
      const traces = recorded.sets[setName]!;
      for (const profile of profiles) rows.push({pair: recorded.pair, tasks: setName, profile: profile.name, draftCost: profile.draft, ...charge(traces, profile, true)});
      if (bootstrap > 0) spreads.push(`${recorded.pair}, ${setName}: ${bootstrapSpread(traces, bootstrap, resampled => profiles.map(profile => charge(resampled, profile, false)))}`);
    }
  }
  console.log(replayTables(rows));
  if (spreads.length > 0) console.log(["", `Against the one static K, over ${bootstrap} resamplings of each set's tasks (2.5 %, median, 97.5 %):`, ...spreads].join("\n"));
  if (values.json) writeFileSync(values.json, JSON.stringify(rows, null, 2) + "\n");
}

/** Each policy's figure against the one static K (robustnessFigures) over `times` resamplings of `traces` with replacement: its 2.5 %, median and 97.5 %. */
export function bootstrapSpread(traces: readonly DraftTrace[], times: number, charge: (traces: DraftTrace[]) => Array<Pick<ReplayRow, "statics" | "policies">>): string {
  const prng = new Prng(1);
  const figures = new Map<string, number[]>();
  for (let i = 0; i < times; i++) {
    const resampled = traces.map(() => traces[Math.floor(prng.uniform() * traces.length)]!);
    for (const [label, figure] of Object.entries(robustnessFigures(charge(resampled)))) figures.set(label, [...(figures.get(label) ?? []), figure]);
  }
  const at = (sorted: number[], q: number) => sorted[Math.round(q * (sorted.length - 1))]!;
  return [...figures].map(([label, values]) => {
    const sorted = values.sort((a, b) => a - b);
    return `${label} ${at(sorted, 0.025).toFixed(3)} ${at(sorted, 0.5).toFixed(3)} ${at(sorted, 0.975).toFixed(3)}`;
  }).join(", ");
}

/** Each policy's geometric mean over the profiles against the one static K with the best geometric mean (issue 33's robustness figure). */
export function robustnessFigures(rows: ReadonlyArray<Pick<ReplayRow, "statics" | "policies">>): Record<string, number> {
  const oneK = oneStaticK(rows);
  return Object.fromEntries(Object.keys(rows[0]!.policies).map(label => [label, geometricMean(rows.map(r => r.policies[label]!)) / oneK]));
}

/** The name the warm-up traces are kept under, beside the measured sets. */
const WARM_UP = "warm-up";

/** "costAware:optimism=1,planAhead=false" → the engine's PolicySpec, each parameter of its default's type. */
function parsePolicySpec(text: string): PolicySpec {
  const [name = "", list = ""] = text.split(":");
  if (!POLICY_NAMES.includes(name as PolicyName)) throw new Error(`--policy ${text}: "${name}" is not one of ${POLICY_NAMES.join(", ")}`);
  const spec = {name, ...policyParams(`--policy ${text}`, list, POLICY_DEFAULTS[name as PolicyName])} as PolicySpec;
  createPolicy(spec); // the engine's own message for a bad parameter, before anything runs
  return spec;
}

const fixed = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "–");

/** Per pair and task set: each profile's optimum, best K and policies (speed-up and share of the optimum), and the robustness line. */
export function replayTables(rows: readonly ReplayRow[]): string {
  const groups = new Map<string, ReplayRow[]>();
  for (const row of rows) groups.set(`${row.pair}, ${row.tasks}`, [...(groups.get(`${row.pair}, ${row.tasks}`) ?? []), row]);
  const out = ["Speed-up over target-only at T = 0 (share of the optimum; of the profile's best static K), replayed on recorded traces"];
  for (const [key, group] of groups) {
    const labels = Object.keys(group[0]!.policies);
    const header = ["profile", "C_d/C_t(1)", "optimum", "best K", ...labels];
    const lines = group.map(r => {
      const bestK = Math.max(...r.statics);
      return [r.profile, String(r.draftCost), fixed(r.optimum), `${fixed(bestK)} K${r.statics.indexOf(bestK) + 1}`,
        ...labels.map(label => `${fixed(r.policies[label]!)} (${fixed(r.policies[label]! / r.optimum)}; ${fixed(r.policies[label]! / bestK)})`)];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map(l => l[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
    const oneK = oneStaticK(group);
    const robust = Object.entries(robustnessFigures(group)).map(([label, figure]) => `${label} ${fixed(figure)}×`).join(", ");
    out.push("", `${key}:`, line(header), widths.map(w => "-".repeat(w)).join("  "), ...lines.map(line),
      `against the one static K for every profile (geometric mean ${fixed(oneK)}×): each profile's best K ${fixed(geometricMean(group.map(r => Math.max(...r.statics))) / oneK)}×, ${robust}`);
  }
  return out.join("\n");
}

if (require.main === module) {
  main().catch(error => {
    console.error(`replay: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  });
}
