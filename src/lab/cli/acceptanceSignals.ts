// Which signal of the draft's distribution predicts best whether a drafted token is accepted?
// Drafts 4 tokens every round (static K = 4) at FIM and editing positions cut from this repository,
// records each judged token's draft entropy, top probability and place in its round with its
// outcome (tokens after a round's first rejection are never judged and are left out, as in
// acceptanceMap.ts), then scores binned estimators on held-out tasks (two folds by task) by log
// loss and Brier score. The issue asked whether top probability helps beside entropy; this measures it.
//
//   npx tsc -p . && node out/src/lab/cli/acceptanceSignals.js [--pair tiny|wide|smollm2] [--count 12]
//     [--temperatures 0,1] [--max-tokens 48] [--json FILE]
import {writeFileSync} from "node:fs";
import {join} from "node:path";
import {parseArgs} from "node:util";
import {editTasksFromSources} from "../bench/editTasks";
import {interleave, tasksFromSources} from "../../benchmark/tasks";
import {DraftstopEngine} from "../../engine";
import {acceptanceBound, ADAEDL_DEFAULTS} from "../../engine/drafting/adaedl";
import {BasePolicy, DraftStep} from "../../engine/drafting/policy";
import {binOf} from "../../engine/drafting/acceptanceMap";
import {namedPair} from "./pairs";
import {repoRoot} from "./repoRoot";

export interface JudgedToken {
  temperature: number;
  task: number;
  /** 1-based place in its round. */
  index: number;
  entropy: number;
  topProbability: number;
  accepted: boolean;
}

/** Static K = 4 that keeps what it saw at each step and learns the outcomes after verification. */
export class RecordingPolicy extends BasePolicy {
  readonly name = "static";
  readonly judged: JudgedToken[] = [];
  private steps: DraftStep[] = [];
  private context = {temperature: 0, task: 0};

  constructor() {
    super({});
  }
  startTask(temperature: number, task: number): void {
    this.context = {temperature, task};
    this.steps = [];
  }
  maxDraftThisRound(): number {
    return 4;
  }
  override shouldDraft(step: DraftStep): boolean {
    this.steps.push(step);
    return true;
  }
  override update(drafted: number, accepted: number): void {
    const judged = Math.min(drafted, accepted + 1);
    for (let i = 0; i < judged; i++) {
      const step = this.steps[i]!;
      this.judged.push({...this.context, index: step.index, entropy: step.entropy, topProbability: step.topProbability, accepted: i < accepted});
    }
    this.steps = [];
  }
}

type Binning = (token: JudgedToken) => string;

const entropyBin = (t: JudgedToken) => binOf(t.entropy);
const TOP_EDGES = [0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.01];
const topBin = (t: JudgedToken) => TOP_EDGES.findIndex((edge, i) => t.topProbability < TOP_EDGES[i + 1]!);

export const ESTIMATORS: Record<string, Binning | "bound"> = {
  "base rate": () => "",
  "AdaEDL bound (no learning)": "bound",
  "entropy (the map's bins)": t => `${entropyBin(t)}`,
  "top probability (11 bins)": t => `${topBin(t)}`,
  "entropy × top probability": t => `${entropyBin(t)}/${topBin(t)}`,
  "entropy × first token or later": t => `${entropyBin(t)}/${t.index === 1 ? 1 : 2}`
};

/** Held-out log loss and Brier score of an estimator learned on one fold and tested on the other. */
export function score(tokens: readonly JudgedToken[], estimator: Binning | "bound"): {logLoss: number; brier: number} {
  let logLoss = 0, brier = 0;
  for (const fold of [0, 1]) {
    const train = tokens.filter(t => t.task % 2 !== fold), test = tokens.filter(t => t.task % 2 === fold);
    const counts = new Map<string, {n: number; a: number}>();
    const base = (train.filter(t => t.accepted).length + 1) / (train.length + 2);
    if (estimator !== "bound") for (const t of train) {
      const c = counts.get(estimator(t)) ?? {n: 0, a: 0};
      c.n++;
      if (t.accepted) c.a++;
      counts.set(estimator(t), c);
    }
    for (const t of test) {
      // A bin with few tokens shrinks towards the base rate (worth 4 tokens), as the map's prior does.
      const c = estimator === "bound" ? undefined : counts.get(estimator(t)) ?? {n: 0, a: 0};
      const raw = c ? (c.a + 4 * base) / (c.n + 4) : acceptanceBound(ADAEDL_DEFAULTS.gamma, t.entropy);
      const p = Math.min(0.999, Math.max(0.001, raw));
      logLoss -= Math.log(t.accepted ? p : 1 - p);
      brier += ((t.accepted ? 1 : 0) - p) ** 2;
    }
  }
  return {logLoss: logLoss / tokens.length, brier: brier / tokens.length};
}

async function main(): Promise<void> {
  const {values} = parseArgs({options: {pair: {type: "string"}, count: {type: "string"}, temperatures: {type: "string"},
    "max-tokens": {type: "string"}, json: {type: "string"}}});
  const count = Number(values.count ?? 12), maxTokens = Number(values["max-tokens"] ?? 48);
  const temperatures = (values.temperatures ?? "0,1").split(",").map(Number);
  const pair = await namedPair({name: values.pair ?? "tiny", padded: false});
  const roots = [join(repoRoot(), "src"), join(repoRoot(), "test")];
  const tasks = interleave(tasksFromSources(roots, {count, seed: 1}), editTasksFromSources(roots, {count, seed: 1}));
  const engine = await DraftstopEngine.load({targetPath: pair.target, draftPath: pair.draft, threads: 1, gpu: false, contextSize: 2048, policy: {name: "off"}});
  const policy = new RecordingPolicy();
  try {
    for (const temperature of temperatures)
      for (const [task, request] of tasks.entries()) {
        policy.startTask(temperature, task);
        await engine.experimentInfill(request, {maxTokens, temperature, seed: task + 1, drafter: "model"}, {policy, recordStats: false, learningScope: "signals"});
      }
  } finally {
    await engine.dispose();
  }
  const results = [];
  console.log(`${pair.description}: ${tasks.length} tasks, ${maxTokens} tokens, static K = 4; held-out log loss and Brier score (lower is better)`);
  for (const temperature of temperatures) {
    for (const subset of ["all judged", "first of a round"] as const) {
      const tokens = policy.judged.filter(t => t.temperature === temperature && (subset === "all judged" || t.index === 1));
      const accepted = tokens.filter(t => t.accepted).length;
      console.log(`\nT = ${temperature}, ${subset}: ${tokens.length} tokens, ${(100 * accepted / tokens.length).toFixed(1)} % accepted`);
      for (const [name, estimator] of Object.entries(ESTIMATORS)) {
        const {logLoss, brier} = score(tokens, estimator);
        results.push({temperature, subset, estimator: name, tokens: tokens.length, logLoss, brier});
        console.log(`  ${name.padEnd(32)} log loss ${logLoss.toFixed(4)}   Brier ${brier.toFixed(4)}`);
      }
    }
  }
  if (values.json) writeFileSync(values.json, JSON.stringify({pair: pair.description, tasks: tasks.length, maxTokens, results}, null, 1) + "\n");
}

if (require.main === module) main().catch(error => {
  console.error(`acceptanceSignals: ${(error as Error).message}`);
  process.exitCode = 1;
});
