// The benchmark's closing summary: per pair and temperature, target-only speed and the speed-ups
// the goals are about, over all tasks and, with more than one set of tasks, per set.
import type {BenchResult, PolicyRun, RunSet} from "../../benchmark/runner";
import {TASK_SETS} from "../../benchmark/tasks";

const cell = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : "–");
const percent = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? `${(100 * x).toFixed(0)} %` : "–");

/**
 * One line per temperature over all tasks, then (with FIM and editing tasks both present) one per
 * set. The columns are found by label, so that the lookup columns, which run the cost-aware policy
 * too, are never taken for the model's; best static K and max-confidence are each by their own best
 * setting among the model-drafted columns.
 */
export function summaryLines(name: string, result: BenchResult): string {
  const sets = TASK_SETS.filter(set => (result.setRuns ?? []).some(r => r.set === set));
  return result.settings.temperatures.flatMap(t => {
    const mix = result.runs.filter(r => r.temperature === t);
    const lines = [`  ${name.padEnd(8)} T=${String(t).padEnd(4)} ${mixLine(mix)}`];
    if (sets.length > 1)
      for (const set of sets) lines.push(`  ${"".padEnd(8)} ${"".padEnd(6)} ${setLine(set, (result.setRuns ?? []).filter(r => r.temperature === t && r.set === set))}`);
    return lines;
  }).join("\n");
}

function mixLine(at: readonly PolicyRun[]): string {
  const {speedup, best, off} = lookups(at);
  return `target-only ${off ? off.tokensPerSecond.toFixed(1) : "–"} tok/s; costAware ${cell(speedup("costAware"))}, ` +
    `adaedl ${cell(speedup("adaedl"))}, best static ${cell(best("static"))}, best maxConfidence ${cell(best("maxConfidence"))}, ` +
    `nlc predictor ${cell(speedup("nlcDraftPredictor"))}, llama.cpp speculative ${cell(speedup("llamaCppSpeculative"))} ` +
    `(its own target-only ${cell(speedup("llamaCppTargetOnly"))}), match oracle ${cell(speedup("matchOracle"))}, optimum ${cell(speedup("optimum"))}; ` +
    `lookup ${cell(speedup("lookup"))}, lookup(vote) ${cell(speedup("lookup(vote)"))}, costAware+lookup ${cell(speedup("costAware+lookup"))} (lookup ${lookupPart(at)})`;
}

function setLine(set: RunSet, at: readonly PolicyRun[]): string {
  const {speedup, off} = lookups(at);
  return `${set} (${at[0]?.tasks ?? 0} tasks): target-only ${off ? off.tokensPerSecond.toFixed(1) : "–"} tok/s; ` +
    `costAware ${cell(speedup("costAware"))}, lookup ${cell(speedup("lookup"))}, costAware+lookup ${cell(speedup("costAware+lookup"))} ` +
    `(lookup ${lookupPart(at)}), match oracle ${cell(speedup("matchOracle"))}, optimum ${cell(speedup("optimum"))}`;
}

/**
 * A policy's column drafting with the draft model (the first: the line-up's own before any added
 * with --policy), or a lookup column by its label ("lookup", "costAware+lookup"), which runs the
 * cost-aware policy too and must not be taken for the model's.
 */
function lookups(at: readonly PolicyRun[]) {
  const modelDrafted = (r: PolicyRun) => (r.drafter ?? "model") === "model";
  return {
    speedup: (policyOrLabel: string) => (LOOKUP_LABELS.has(policyOrLabel)
      ? at.find(r => r.label === policyOrLabel) : at.find(r => r.policy === policyOrLabel && modelDrafted(r)))?.speedup ?? NaN,
    best: (policy: string) => at.filter(r => r.policy === policy && modelDrafted(r)).reduce((m, r) => Math.max(m, r.speedup), -Infinity),
    off: at.find(r => r.policy === "off")
  };
}

const LOOKUP_LABELS = new Set(["lookup", "lookup(vote)", "costAware+lookup"]);

/** What share of costAware+lookup's accepted drafts lookup proposed. */
function lookupPart(at: readonly PolicyRun[]): string {
  return `${percent(at.find(r => r.label === "costAware+lookup")?.lookupShare)} of its accepted drafts`;
}
