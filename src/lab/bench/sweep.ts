// The AdaEDL paper's comparison under cost profiles: speed-up over target-only against the draft's
// cost C_d/C_t(1), for AdaEDL as published, static K = 1..8, max-confidence, cost-aware AdaEDL and
// the exact optimum, each pass charged from a profile (docs/benchmarks.md, "The paper's comparison").
// This file turns the runs into the table's rows, the robustness figures and the figure; the CLI
// (src/lab/cli/sweep.ts) runs them.
import type {TopLevelSpec} from "vega-lite" with {"resolution-mode": "import"};
import type {BenchColumn} from "../../benchmark/column";
import {policyColumn, PolicyParams} from "../../benchmark/policyColumn";
import type {PolicyRun} from "../../benchmark/runner";
import {optimumColumn} from "./optimumColumn";

export const STATIC_KS = [1, 2, 3, 4, 5, 6, 7, 8] as const;

/**
 * The paper's line-up: model drafting only (lookup is not in the paper). `costAware`: parameters
 * for the cost-aware column, still labelled "costAware" so that a variant is read against the
 * same verdicts (an A/B: two deterministic sweeps, one with the variant).
 */
export function sweepColumns(costAware: PolicyParams<"costAware"> = {}): BenchColumn[] {
  return [
    policyColumn({name: "off"}),
    ...STATIC_KS.map(k => policyColumn({name: "static", params: {k}})),
    policyColumn({name: "maxConfidence", params: {pMin: 0.6}}),
    policyColumn({name: "adaedl"}),
    {...policyColumn({name: "costAware", params: costAware}), label: "costAware"},
    optimumColumn(16)
  ];
}

/** One profile's figures for one pair, task set and temperature. */
export interface SweepCell {
  pair: string;
  tasks: string;
  profile: string;
  /** C_d/C_t(1) of the profile. */
  draftCost: number;
  temperature: number;
  /** Speed-up over target-only by column label. */
  speedups: Record<string, number>;
}

export function sweepCell(meta: Omit<SweepCell, "temperature" | "speedups">, runs: readonly PolicyRun[], temperature: number): SweepCell {
  const speedups: Record<string, number> = {};
  for (const run of runs) if (run.temperature === temperature && (run.set ?? "mix") === "mix") speedups[run.label] = run.speedup;
  return {...meta, temperature, speedups};
}

export interface CellVerdict {
  bestStatic: {label: string; speedup: number};
  /** costAware ÷ the optimum (NaN at T > 0, where the optimum is not defined). */
  ofOptimum: number;
  /** costAware ÷ this profile's best static K. */
  ofBestStatic: number;
}

export function cellVerdict(cell: SweepCell): CellVerdict {
  const statics = STATIC_KS.map(k => ({label: `static(k=${k})`, speedup: cell.speedups[`static(k=${k})`] ?? NaN})).filter(s => Number.isFinite(s.speedup));
  const bestStatic = statics.reduce((best, s) => (!(best.speedup >= s.speedup) ? s : best), {label: "–", speedup: NaN});
  const costAware = cell.speedups.costAware ?? NaN;
  const optimum = cell.speedups["optimum(maxDraft=16)"] ?? NaN;
  return {bestStatic, ofOptimum: costAware / optimum, ofBestStatic: costAware / bestStatic.speedup};
}

/**
 * A user's machine is not known in advance: the static K chosen once for every profile is the one
 * whose geometric mean speed-up over the profiles is highest. Returns that K's label and mean, and
 * cost-aware AdaEDL's mean over the same profiles.
 */
export function robustness(cells: readonly SweepCell[]): {staticLabel: string; staticMean: number; costAwareMean: number; ratio: number} {
  const mean = (label: string) => geometricMean(cells.map(c => c.speedups[label] ?? NaN));
  const best = STATIC_KS.map(k => `static(k=${k})`).map(label => ({label, mean: mean(label)})).reduce((a, b) => (b.mean > a.mean || Number.isNaN(a.mean) ? b : a));
  const costAwareMean = mean("costAware");
  return {staticLabel: best.label, staticMean: best.mean, costAwareMean, ratio: costAwareMean / best.mean};
}

/**
 * The one static K a user would choose not knowing the machine: the best geometric mean over rows
 * (one per profile) of each K's speed-up, `statics[k − 1]` for K = 1..8. Returns that mean.
 */
export function oneStaticK(rows: ReadonlyArray<{statics: readonly number[]}>): number {
  return Math.max(...STATIC_KS.map(k => geometricMean(rows.map(r => r.statics[k - 1]!))));
}

export function geometricMean(values: readonly number[]): number {
  if (values.length === 0 || values.some(v => !(v > 0))) return NaN;
  return Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
}

/** Every column of the line-up but target-only, in its order: the table's columns. */
export const SWEEP_LABELS = sweepColumns().filter(c => !c.baseline).map(c => c.label);
const PLOTTED = SWEEP_LABELS.filter(label => !/^static\(k=[3567]\)$/.test(label));

/** Speed-up against C_d/C_t(1), a line per policy; columns: the profile's curve; rows: pair and temperature. */
export function sweepChart(cells: readonly SweepCell[], curveOf: (profile: string) => string | undefined): TopLevelSpec {
  const values = cells.flatMap(cell => {
    const curve = curveOf(cell.profile);
    if (!curve) return [];
    return PLOTTED.filter(label => Number.isFinite(cell.speedups[label])).map(label => ({
      policy: label, draftCost: cell.draftCost, speedup: cell.speedups[label], curve: `${curve} C_t(n)`, row: `${cell.pair}, ${cell.tasks}, T = ${cell.temperature}`
    }));
  });
  return {
    title: "Speed-up over target-only against the draft's cost (cost-profile clock)",
    data: {values},
    facet: {column: {field: "curve", type: "nominal", title: null}, row: {field: "row", type: "nominal", title: null}},
    spec: {
      width: 260,
      height: 180,
      layer: [
        {mark: {type: "line", point: true}, encoding: {
          x: {field: "draftCost", type: "quantitative", title: "C_d / C_t(1)", scale: {type: "log"}},
          y: {field: "speedup", type: "quantitative", title: "speed-up (×)"},
          color: {field: "policy", type: "nominal", sort: PLOTTED},
          strokeDash: {condition: {test: "datum.policy === 'optimum(maxDraft=16)'", value: [4, 3]}, value: [1, 0]}
        }},
        {mark: {type: "rule", strokeDash: [2, 2], color: "#888888"}, encoding: {y: {datum: 1}}}
      ]
    }
  } as TopLevelSpec;
}
