// The benchmark's outputs: the printed table and the JSON file (schema in the README's
// Performance section). The plots are in plots.ts.
import {cpus} from "node:os";
import type {EngineInfo} from "../engine";
import {entropyShareOfDrafting} from "../engine/stats/figures";
import type {BenchResult, PolicyRun} from "./runner";
import {TASK_SETS} from "./tasks";

type JsonRun = Omit<PolicyRun, "label" | "tokens" | "draftingMs" | "verifyingMs" | "entropyMs" | "decodingMs"> & {
  label: string; tokens: number; timeMs: {drafting: number; verifying: number; entropy: number; decoding?: number}};

export interface BenchJson {
  models: {target: string; draft: string | null; padded: boolean};
  machine: {cpu: string; gpu: string; threads: number};
  /** Over all tasks (set "mix"). */
  runs: JsonRun[];
  /** Per set of tasks (set "fim", "edit"); absent in files written before the sets. */
  setRuns?: JsonRun[];
  entropyBins: BenchResult["entropyBins"];
  draftLengths: BenchResult["draftLengths"];
  lambdaTraces: BenchResult["lambdaTraces"];
  settings: BenchResult["settings"];
  costs: BenchResult["costs"];
}

export function benchJson(result: BenchResult, info: EngineInfo, padded: boolean): BenchJson {
  return {
    models: {target: info.target.path, draft: info.draft?.path ?? null, padded},
    machine: {cpu: `${cpus()[0]?.model ?? "unknown"} × ${cpus().length}`, gpu: info.device === "cpu" ? "none" : `${info.device} ${info.gpuDevices.join(", ")}`.trim(),
      threads: info.threads},
    runs: result.runs.map(jsonRun),
    setRuns: result.setRuns.map(jsonRun),
    entropyBins: result.entropyBins,
    draftLengths: result.draftLengths,
    lambdaTraces: result.lambdaTraces,
    settings: result.settings,
    costs: result.costs
  };
}

function jsonRun({draftingMs, verifyingMs, entropyMs, decodingMs, ...run}: PolicyRun): JsonRun {
  return {...run, timeMs: {drafting: draftingMs, verifying: verifyingMs, entropy: entropyMs, ...(decodingMs === undefined ? {} : {decoding: decodingMs})}};
}

const fixed = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : "–");

/** The columns of a run's figures, as the printed table and the stats panel show them. */
export const BENCH_COLUMNS = ["T", "policy", "tok/s", "speed-up", "spread", "accept", "k̄", "tok/round", "tgt pass/tok", "drf pass/tok"] as const;

export type BenchRowFigures = Pick<PolicyRun, "temperature" | "label" | "policy" | "tokensPerSecond" | "speedup" | "spread" | "acceptanceRate" |
  "meanDraftLength" | "tokensPerRound" | "targetPassesPerToken" | "draftPassesPerToken">;

/** One run's cells under BENCH_COLUMNS (plain text). */
export function benchCells(r: BenchRowFigures): string[] {
  return [
    String(r.temperature), r.label, fixed(r.tokensPerSecond, 1), `${fixed(r.speedup, 2)}×`, `${fixed(r.spread.min, 2)}–${fixed(r.spread.max, 2)}`,
    r.policy === "off" ? "" : `${(r.acceptanceRate * 100).toFixed(0)} %`, fixed(r.meanDraftLength, 2), fixed(r.tokensPerRound, 2),
    fixed(r.targetPassesPerToken, 3), fixed(r.draftPassesPerToken, 3)
  ];
}

/**
 * A plain-text table, one row per policy and temperature, over all tasks. With more than one set of
 * tasks, a section per set follows (each against target-only on that set), in the same columns.
 * Beyond BENCH_COLUMNS: "lookup %", the share of accepted drafts lookup proposed (blank where a
 * column cannot draft by lookup); "bookkeeping", the share of decoding time spent on entropy, policy
 * decisions and a lookup's matching (the one cost of a lookup draft, which runs no model); and
 * "entropy/draft time", the same time against the draft model's (blank where no model drafted).
 */
export function benchTable(result: BenchResult, heading: string): string {
  const header = [...BENCH_COLUMNS, "lookup %", "bookkeeping", "entropy/draft time"];
  const cells = (r: PolicyRun) => [...benchCells(r),
    r.lookupShare !== undefined && Number.isFinite(r.lookupShare) ? `${(100 * r.lookupShare).toFixed(0)} %` : "",
    r.decodingMs !== undefined && r.decodingMs > 0 && r.entropyMs > 0 ? `${(100 * r.entropyMs / r.decodingMs).toFixed(1)} %` : "",
    r.draftingMs > 0 ? `${(100 * entropyShareOfDrafting({entropyMs: r.entropyMs, draftMs: r.draftingMs})).toFixed(1)} %` : ""];
  const setRuns = result.setRuns ?? [];
  const sets = TASK_SETS.filter(set => setRuns.some(r => r.set === set));
  const sections = sets.length > 1 ? sets.map(set => ({set, rows: setRuns.filter(r => r.set === set).map(cells)})) : [];
  const rows = result.runs.map(cells);
  const widths = header.map((h, i) => Math.max(h.length, ...[rows, ...sections.map(s => s.rows)].flat().map(row => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const table = (rows: string[][]) => [line(header), widths.map(w => "-".repeat(w)).join("  "), ...rows.map(line)];
  const count = (set: string) => setRuns.find(r => r.set === set)?.tasks ?? 0;
  return [
    heading, "",
    ...(sections.length ? [`all tasks (${sets.map(set => `${count(set)} ${SET_NAMES[set]}`).join(" + ")}):`] : []),
    ...table(rows),
    ...sections.flatMap(({set, rows}) => ["", `${SET_NAMES[set]} tasks only (${count(set)}), against target-only on them:`, ...table(rows)]),
    ...(result.costs ? ["", costLines(result.costs, result.settings.clock)] : [])
  ].join("\n");
}

const SET_NAMES: Record<(typeof TASK_SETS)[number], string> = {fim: "FIM", edit: "editing"};

/** The cost model in the table's footer: C_t(n)/C_t(1) for n = 1..17 and C_d/C_t(1), at load and after the run. */
export function costLines(costs: BenchResult["costs"], clock?: BenchResult["settings"]["clock"]): string {
  const curve = (r: {target: number[]; draft: number; targetTokenMs: number}) =>
    `C_t(n)/C_t(1) n=1..${r.target.length}: ${r.target.map(x => fixed(x, 2)).join(" ")}; C_d/C_t(1) ${fixed(r.draft, 3)}; C_t(1) ${fixed(r.targetTokenMs, 2)} ms`;
  if (clock !== undefined && clock !== "wall") {
    const charged = (ms: number | undefined) => (ms === undefined ? "as measured" : `${fixed(ms, 3)} ms`);
    return `cost profile ${clock.name}, every pass charged from it: ${curve(costs.atLoad.greedy)}; ` +
      `bookkeeping per draft pass ${charged(clock.bookkeepingMs)}, lookup per round ${charged(clock.lookupMs)}`;
  }
  return [
    `cost model at load (${fixed(costs.calibrationMs, 0)} ms):  ${curve(costs.atLoad.greedy)}`,
    `after the run, greedy:         ${curve(costs.afterRun.greedy)}`,
    `after the run, sampled (T > 0): ${curve(costs.afterRun.sampled)}`
  ].join("\n");
}
