// The cost model's load-time measurement (the target's passes over 1..17 tokens, the draft's
// pass), as something measured once and reused: by the other windows of a shared model process on
// the same weights and context settings, and by the next load of the same pair within
// LOAD_TIME_COSTS_REUSE_MS (a model process restarted after a crash, a window reloaded). Each
// window that times the passes itself costs about a second of both cores, and three windows
// timing at once on two cores read each other's load, not the machine's. A reused table is only
// the cost model's start: every round refines it (costModel.ts).
import {cpus, hostname} from "node:os";
import type {PassCostTable} from "./costModel";

/** A measurement saved this long ago or less is used again instead of timing the passes. */
export const LOAD_TIME_COSTS_REUSE_MS = 10 * 60_000;

export interface LoadTimeCosts {
  table: PassCostTable;
  /** How long the measurement took, ms. */
  ms: number;
  /** How many passes over each token count it timed (the curve holds their medians). */
  passes: Array<{tokens: number; timed: number}>;
  /** When it was measured (ISO 8601). */
  measuredAt: string;
}

/** What the passes' costs depend on besides the weights: the contexts' settings and the machine. */
export interface CostConditions {
  threads: number;
  contextSize: number;
  batchSize: number | undefined;
  flashAttention: boolean | undefined;
  kvCacheType: string;
  /** Where the models run: "cpu", "cuda", "metal", "vulkan". */
  device: string;
}

/** One string per set of conditions, with this machine's name and CPU in it. */
export function costConditionsKey(conditions: CostConditions): string {
  const cpu = cpus();
  return JSON.stringify([hostname(), cpu[0]?.model ?? "", cpu.length, conditions.device, conditions.threads, conditions.contextSize,
    conditions.batchSize ?? null, conditions.flashAttention ?? null, conditions.kvCacheType]);
}

/**
 * A saved measurement, when it is whole and at most `maxAgeMs` old at `now`; anything else (another
 * shape, from the future, too old) reads as none, and the passes are timed again.
 */
export function reusableLoadTimeCosts(saved: unknown, now: number, maxAgeMs = LOAD_TIME_COSTS_REUSE_MS): LoadTimeCosts | undefined {
  if (typeof saved !== "object" || saved === null) return undefined;
  const {table, ms, passes, measuredAt} = saved as Partial<LoadTimeCosts>;
  const age = now - Date.parse(String(measuredAt));
  if (!(age >= 0 && age <= maxAgeMs)) return undefined;
  if (typeof ms !== "number" || !Number.isFinite(ms) || !Array.isArray(passes)) return undefined;
  if (typeof table !== "object" || table === null || !Array.isArray(table.targetMs) || !(table.contextLength >= 0)) return undefined;
  // JSON writes a size that was not timed (interpolated later) as null.
  const targetMs = table.targetMs.map(value => (value === null ? undefined : value));
  const positive = (value: unknown) => typeof value === "number" && Number.isFinite(value) && value > 0;
  if (!positive(targetMs[0]) || !targetMs.every(value => value === undefined || positive(value))) return undefined;
  if (table.draftMs !== undefined && table.draftMs !== null && !positive(table.draftMs)) return undefined;
  return {table: {targetMs, draftMs: table.draftMs ?? undefined, contextLength: table.contextLength}, ms, passes, measuredAt: String(measuredAt)};
}
