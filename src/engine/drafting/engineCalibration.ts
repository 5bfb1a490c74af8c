// Everything the engine learns about the machine and the model pair while it runs, in one place:
// the cost model per verification mode, and per sampling setting the acceptance-by-entropy map, how
// the draft's entropy moves from token to token, and the gain speculation has given. Policies read it through a PolicyEnvironment; the round loop
// feeds it; the store keeps the learned parts across windows.
import type {ResolvedGenerateOptions} from "../options";
import type {PolicyEnvironment} from "./policy";
import type {RoundRecord} from "../stats/roundRecord";
import {AcceptanceBinEstimate, AcceptanceMap, AcceptanceMapOptions} from "./acceptanceMap";
import {CostModel, CostModelOptions, CostRatios, PassCostTable} from "./costModel";
import {SpeculationGain} from "./speculationGain";
import {EntropyTransitions} from "./entropyTransitions";
import {AGREEMENTS, agreementOf, type Agreement, LookupAcceptance, LookupBinEstimate} from "./lookupAcceptance";
import {lookupGates, type LookupEnvironment, type LookupGates} from "./lookupDrafter";
import {PairCalibration, SettingCalibration, Warn, writePairCalibration} from "./calibrationStore";

export interface CalibrationPersistence {
  /** JSON file shared by all pairs. */
  file: string;
  pairId: string;
  target: string;
  draft?: string;
  warn: Warn;
  /** Least time between two writes. Default 10 s. */
  minIntervalMs?: number;
}

export interface CalibrationSnapshot {
  /** The setting the snapshot's acceptance and gain belong to. */
  setting: string;
  greedyCosts: CostRatios;
  sampledCosts: CostRatios;
  acceptance: AcceptanceBinEstimate[];
  /** The learned acceptance of lookup drafts by match length and agreement. */
  lookup: LookupBinEstimate[];
  gain: number;
  /** What lookup rounds gained, by the agreement of their matches (NaN before any such round). */
  lookupGains: Record<Agreement, number>;
  /** P(a round's first drafted token falls in each entropy bin), as the plan reads it (entropyTransitions.ts). */
  roundStarts: number[];
  /** γ of the acceptance map's prior (AdaEDL's bound). */
  gamma: number;
  /** How long the load-time measurement took, ms. */
  calibrationMs: number;
  /**
   * When it was measured (ISO 8601): before this load when the measurement was reused
   * (loadTimeCosts.ts: another window's in the shared process, or a recent one from the file).
   */
  calibrationMeasuredAt: string;
  /** How many passes over each token count it timed (the curve holds their medians). */
  calibrationPasses: Array<{tokens: number; timed: number}>;
}

interface SettingState {
  acceptance: AcceptanceMap;
  lookup: LookupAcceptance;
  gain: SpeculationGain;
  /** What lookup rounds gained, and the gates that decide from it whether lookup drafts, by the match's agreement. */
  lookupGates: LookupGates;
  transitions: EntropyTransitions;
}

/**
 * Learned state kept apart under a name (Experiment.learningScope) lives under this
 * prefix and is never saved.
 */
const SCOPE_SEPARATOR = "\u0000";

/** Sampling settings are told apart by what changes acceptance: greedy, or T with its truncation. */
export function settingKey(options: Pick<ResolvedGenerateOptions, "temperature" | "topK" | "topP" | "minP">): string {
  return options.temperature === 0 ? "greedy" : `T=${options.temperature},topK=${options.topK},topP=${options.topP},minP=${options.minP}`;
}

export class EngineCalibration {
  private readonly settings = new Map<string, SettingState>();
  private readonly greedyCosts: CostModel;
  private readonly sampledCosts: CostModel;
  private readonly saved: PairCalibration | undefined;
  private lastSaveMs = -Infinity;
  private dirty = false;
  private lastSetting = "greedy";

  constructor(calibration: PassCostTable, private readonly options: {costs?: CostModelOptions; acceptance?: AcceptanceMapOptions; persistence?: CalibrationPersistence;
    /** What `persistence`'s file held for this pair when the engine loaded (the engine reads it once a load). */
    saved?: PairCalibration;
    calibrationMs?: number; calibrationPasses?: Array<{tokens: number; timed: number}>; measuredAt?: string} = {}) {
    // Verification at T > 0 asks for a probability map at every position and costs more; its
    // model starts from the greedy measurement and learns its own level and shape from rounds.
    this.greedyCosts = new CostModel(calibration, options.costs);
    this.sampledCosts = new CostModel(calibration, options.costs);
    this.saved = options.saved;
  }

  costModel(greedy: boolean): CostModel {
    return greedy ? this.greedyCosts : this.sampledCosts;
  }

  /**
   * What a policy reads for a generation with these options. `scope` names learned state kept
   * apart from the rest (a benchmark column that must not learn from another's rounds); the cost
   * model, a fact about the machine, is shared.
   */
  environment(options: ResolvedGenerateOptions, scope?: string): PolicyEnvironment {
    const key = settingKey(options);
    if (scope === undefined) this.lastSetting = key;
    const state = this.setting(scoped(key, scope));
    return {costs: this.costModel(options.temperature === 0), acceptance: state.acceptance, gain: state.gain, transitions: state.transitions};
  }

  /** What lookup reads for a generation with these options. */
  lookupEnvironment(options: ResolvedGenerateOptions, scope?: string): LookupEnvironment {
    const state = this.setting(scoped(settingKey(options), scope));
    return {acceptance: state.lookup, costs: this.costModel(options.temperature === 0), choice: options.lookupChoice, gates: state.lookupGates};
  }

  /**
   * Learns acceptance from a verified round of a generation with these options: the entropy map
   * from model drafts, the lookup map from lookup drafts. `costs`: the cost model the generation
   * read, where it was not this machine's (a cost profile's).
   */
  observeRound(round: RoundRecord, options: ResolvedGenerateOptions, scope?: string, costs = this.costModel(options.temperature === 0)): void {
    // A round whose first draft was declined drafted nothing but still shows where rounds start.
    if (round.drafted === 0 && round.stopEntropy === undefined) return;
    const state = this.setting(scoped(settingKey(options), scope));
    if (round.drafter === "lookup") {
      state.lookup.observeRound(round.match!, round.drafted, round.accepted);
      state.lookupGates[agreementOf(round.match!)].gain.observe(round.accepted + 1, costs.targetMs(round.drafted + 1) / costs.targetMs(1));
    }
    else {
      state.acceptance.observeRound(round.entropies, round.accepted);
      state.transitions.observeRound(round.entropies, round.stopEntropy);
    }
    this.dirty = true;
  }

  /** The gain changes inside policies; a generation's end marks the setting as worth saving. */
  generationFinished(): void {
    this.dirty = true;
    this.save(false);
  }

  /** What is learned for a setting (default: the last one a generation used), in a learning scope where named. */
  snapshot(setting = this.lastSetting, scope?: string): CalibrationSnapshot {
    const state = this.setting(scoped(setting, scope));
    return {
      setting, greedyCosts: this.greedyCosts.ratios(), sampledCosts: this.sampledCosts.ratios(),
      acceptance: state.acceptance.bins(), lookup: state.lookup.bins(), gain: state.gain.value(),
      lookupGains: Object.fromEntries(AGREEMENTS.map(agreement => [agreement, state.lookupGates[agreement].gain.value()])) as Record<Agreement, number>, roundStarts: state.transitions.start(), gamma: state.acceptance.options.gamma,
      calibrationMs: this.options.calibrationMs ?? NaN, calibrationPasses: this.options.calibrationPasses ?? [],
      calibrationMeasuredAt: this.options.measuredAt ?? ""
    };
  }

  /** Writes the learned state if it changed (at most every minIntervalMs unless `force`). */
  save(force: boolean): void {
    const persistence = this.options.persistence;
    if (!persistence || !this.dirty) return;
    if (!force && performance.now() - this.lastSaveMs < (persistence.minIntervalMs ?? 10_000)) return;
    const settings: Record<string, SettingCalibration> = {...this.saved?.settings};
    for (const [key, state] of this.settings) if (!key.includes(SCOPE_SEPARATOR)) settings[key] = {
      acceptance: state.acceptance.state(), lookup: state.lookup.state(), gain: state.gain.state(), lookupGains: lookupGainStates(state.lookupGates), transitions: state.transitions.state()
    };
    writePairCalibration(persistence.file, persistence.pairId,
      {target: persistence.target, draft: persistence.draft, updatedAt: new Date().toISOString(), settings}, persistence.warn);
    this.lastSaveMs = performance.now();
    this.dirty = false;
  }

  /** Forgets the state learned under these scopes. */
  forgetScopes(scopes: readonly string[]): void {
    for (const scope of scopes) for (const key of [...this.settings.keys()]) if (key.startsWith(`${scope}${SCOPE_SEPARATOR}`)) this.settings.delete(key);
  }

  private setting(key: string): SettingState {
    let state = this.settings.get(key);
    if (!state) {
      const saved = key.includes(SCOPE_SEPARATOR) ? undefined : this.saved?.settings[key];
      state = {
        acceptance: new AcceptanceMap(this.options.acceptance, saved?.acceptance),
        lookup: new LookupAcceptance(this.options.acceptance, saved?.lookup),
        gain: new SpeculationGain(undefined, saved?.gain),
        lookupGates: lookupGates(saved?.lookupGains),
        transitions: new EntropyTransitions(saved?.transitions)
      };
      this.settings.set(key, state);
    }
    return state;
  }
}

function lookupGainStates(gates: LookupGates): SettingCalibration["lookupGains"] {
  return Object.fromEntries(AGREEMENTS.map(agreement => [agreement, gates[agreement].gain.state()]));
}

function scoped(key: string, scope: string | undefined): string {
  return scope === undefined ? key : `${scope}${SCOPE_SEPARATOR}${key}`;
}
