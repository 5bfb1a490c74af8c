// Cost profiles as data: the JSON files in src/lab/bench/profiles/ (written by `npm run profiles`
// from roofline.ts, or by the GPU kit's device run), any other file of the same shape, and `here`,
// the costs the engine measured on this machine when it loaded. `npm run bench -- --clock
// profile:NAME|FILE` charges every pass from one.
import {readdirSync, readFileSync} from "node:fs";
import path from "node:path";
import type {CostProfile} from "../../engine/drafting/passClock";
import type {CostRatios} from "../../engine/drafting/costModel";
import {PROFILE_PASS_TOKENS} from "./roofline";

export class CostProfileError extends Error {
  override readonly name = "CostProfileError";
}

/** The folder of the named profiles, under the repository root. */
export const PROFILES_FOLDER = path.join("src", "lab", "bench", "profiles");

export function profileNames(root: string): string[] {
  return readdirSync(path.join(root, PROFILES_FOLDER)).filter(f => f.endsWith(".json")).map(f => f.slice(0, -".json".length)).sort();
}

/**
 * The profile `spec` names: a file path (it holds a `/` or ends in `.json`) or the name of one in
 * PROFILES_FOLDER. Throws CostProfileError naming the file and the field that is wrong, or listing
 * the names there are.
 */
export function readCostProfile(spec: string, root: string): CostProfile {
  const isFile = spec.includes("/") || spec.endsWith(".json");
  if (!isFile && !profileNames(root).includes(spec))
    throw new CostProfileError(`no cost profile "${spec}": the profiles are ${profileNames(root).join(", ")}, or give a file` +
      (spec === "here" ? ` ("here" is npm run bench's: the engine's own load-time measurement)` : ` (npm run bench also takes "here")`));
  const file = isFile ? path.resolve(spec) : path.join(root, PROFILES_FOLDER, `${spec}.json`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new CostProfileError(`cost profile ${file}: ${(error as Error).message}`);
  }
  return validateCostProfile(json, file);
}

/** Checks every field the clock reads; `where` names the profile in the message. */
export function validateCostProfile(json: unknown, where: string): CostProfile {
  const fail = (field: string, problem: string): never => {
    throw new CostProfileError(`cost profile ${where}: "${field}" ${problem}`);
  };
  if (typeof json !== "object" || json === null || Array.isArray(json)) fail("(top level)", "must be an object");
  const p = json as Record<string, unknown>;
  const finite = (field: string, min: number, strict: boolean): number => {
    const value = p[field];
    if (value === undefined) fail(field, "is missing");
    if (typeof value !== "number" || !Number.isFinite(value)) fail(field, `must be a finite number, not ${JSON.stringify(value)}`);
    if (strict ? !((value as number) > min) : !((value as number) >= min)) fail(field, `must be ${strict ? "above" : "at least"} ${min}, not ${value}`);
    return value as number;
  };
  if (typeof p.name !== "string" || p.name.length === 0) fail("name", "must be a non-empty string");
  const targetTokenMs = finite("targetTokenMs", 0, true);
  const draft = finite("draft", 0, true);
  const bookkeepingMs = finite("bookkeepingMs", 0, false);
  const lookupMs = finite("lookupMs", 0, false);
  const target = p.target;
  if (target === undefined) fail("target", "is missing");
  if (!Array.isArray(target) || target.length !== PROFILE_PASS_TOKENS)
    fail("target", `must list C_t(n)/C_t(1) for n = 1..${PROFILE_PASS_TOKENS} (${PROFILE_PASS_TOKENS} numbers)`);
  const curve = target as unknown[];
  curve.forEach((r, i) => {
    if (typeof r !== "number" || !Number.isFinite(r) || r <= 0) fail(`target[${i}]`, `must be a finite positive number, not ${JSON.stringify(r)}`);
    if (i > 0 && (r as number) < (curve[i - 1] as number)) fail(`target[${i}]`, `is ${r}, below target[${i - 1}] = ${curve[i - 1]}: a wider pass never costs less`);
  });
  if (curve[0] !== 1) fail("target[0]", `must be 1 (C_t(1)/C_t(1)), not ${curve[0]}`);
  return {name: p.name as string, targetTokenMs, target: curve as number[], draft, bookkeepingMs, lookupMs};
}

/**
 * `here`: the pass costs the engine measured at load on this machine (its calibration, the same
 * timing routine as `npm run passcost`); bookkeeping and lookup are charged as measured.
 */
export function hereProfile(ratios: CostRatios): CostProfile {
  if (!Number.isFinite(ratios.draft)) throw new CostProfileError("cost profile here: no draft model is loaded, so there is no C_d to charge");
  const {name, targetTokenMs, target, draft} = validateCostProfile({
    name: "here", targetTokenMs: ratios.targetTokenMs, target: ratios.target.slice(0, PROFILE_PASS_TOKENS), draft: ratios.draft, bookkeepingMs: 0, lookupMs: 0
  }, "here");
  return {name, targetTokenMs, target, draft};
}
