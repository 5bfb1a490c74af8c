// Persistence of what the engine learns about a model pair (acceptance by entropy, the gain
// speculation gave, how the draft's entropy moves) in one JSON file, keyed by the pair's identity
// (pairIdentity.ts) and, inside a pair, by sampling setting. A file that cannot be read or parsed
// is reported and treated as empty; a write that fails is reported and changes nothing else:
// calibration is a cache, and completions must never wait on or fail for it. Writes go to a temporary file renamed over the
// old one, so a crash mid-write leaves the previous file whole.
import {existsSync, mkdirSync, readFileSync, renameSync, writeFileSync} from "node:fs";
import {dirname} from "node:path";
import type {AcceptanceMapState} from "./acceptanceMap";
import type {SpeculationGainState} from "./speculationGain";
import type {Agreement, LookupAcceptanceState} from "./lookupAcceptance";
import type {EntropyTransitionsState} from "./entropyTransitions";
import type {LoadTimeCosts} from "./loadTimeCosts";

export interface SettingCalibration {
  acceptance?: AcceptanceMapState;
  lookup?: LookupAcceptanceState;
  gain?: SpeculationGainState;
  /**
   * The speed-up lookup drafts have given, by the agreement of their matches
   * (speculationGate.ts reads it). A file that holds the one record saved before (lookupGain) is read
   * without it: lookup then explores again, as on a first run.
   */
  lookupGains?: Partial<Record<Agreement, SpeculationGainState>>;
  transitions?: EntropyTransitionsState;
}

export interface PairCalibration {
  /** Model names, for a person reading the file. */
  target: string;
  draft?: string;
  updatedAt: string;
  settings: Record<string, SettingCalibration>;
  /**
   * The latest load-time measurement of the passes' costs under each set of conditions
   * (costConditionsKey); read through reusableLoadTimeCosts, which checks its shape and age.
   */
  loadTimeCosts?: Record<string, unknown>;
}

interface CalibrationFile {
  version: 1;
  pairs: Record<string, PairCalibration>;
}

export type Warn = (message: string) => void;

function readFile(path: string, warn: Warn): CalibrationFile {
  if (!existsSync(path)) return {version: 1, pairs: {}};
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<CalibrationFile>;
    if (parsed.version !== 1 || typeof parsed.pairs !== "object" || parsed.pairs === null) throw new Error("not a version-1 calibration file");
    return parsed as CalibrationFile;
  } catch (error) {
    warn(`calibration file ${path} is unreadable (${(error as Error).message}); starting uncalibrated`);
    return {version: 1, pairs: {}};
  }
}

export function readPairCalibration(path: string, pairId: string, warn: Warn): PairCalibration | undefined {
  return readFile(path, warn).pairs[pairId];
}

/**
 * Writes one pair's entry, keeping every other pair's, and the pair's load-time measurements unless
 * the entry brings its own (each is written by writeLoadTimeCosts as it is measured).
 */
export function writePairCalibration(path: string, pairId: string, entry: PairCalibration, warn: Warn): void {
  update(path, warn, file => {
    const loadTimeCosts = entry.loadTimeCosts ?? file.pairs[pairId]?.loadTimeCosts;
    file.pairs[pairId] = loadTimeCosts ? {...entry, loadTimeCosts} : entry;
  });
}

/** Keeps one load-time measurement of a pair's passes, under its conditions' key. */
export function writeLoadTimeCosts(path: string, pairId: string, names: {target: string; draft?: string}, conditions: string, costs: LoadTimeCosts, warn: Warn): void {
  update(path, warn, file => {
    const entry = file.pairs[pairId] ?? {...names, updatedAt: costs.measuredAt, settings: {}};
    file.pairs[pairId] = {...entry, loadTimeCosts: {...entry.loadTimeCosts, [conditions]: costs}};
  });
}

function update(path: string, warn: Warn, change: (file: CalibrationFile) => void): void {
  try {
    const file = readFile(path, () => {});
    change(file);
    mkdirSync(dirname(path), {recursive: true});
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(file, null, 1) + "\n");
    renameSync(tmp, path);
  } catch (error) {
    warn(`could not save calibration to ${path}: ${(error as Error).message}`);
  }
}
