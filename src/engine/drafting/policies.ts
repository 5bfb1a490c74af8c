// Policies by name, built from a plain (JSON-friendly) spec so settings and IPC can carry them.
import {InvalidOptionError} from "../errors";
import {ADAEDL_DEFAULTS, AdaEdlParameters, AdaEdlPolicy} from "./adaedl";
import {COST_AWARE_DEFAULTS, CostAwareParameters, CostAwarePolicy} from "./costAware";
import {HEURISTIC_DEFAULTS, HeuristicParameters, HeuristicPolicy} from "./heuristic";
import {MAX_CONFIDENCE_DEFAULTS, MaxConfidenceParameters, MaxConfidencePolicy} from "./maxConfidence";
import {OffPolicy} from "./off";
import {DraftPolicy, PolicyName, POLICY_NAMES} from "./policy";
import {STATIC_DEFAULTS, StaticParameters, StaticPolicy} from "./static";

export type PolicySpec =
  | ({name: "costAware"} & Partial<CostAwareParameters>)
  | ({name: "adaedl"} & Partial<AdaEdlParameters>)
  | ({name: "static"} & Partial<StaticParameters>)
  | ({name: "maxConfidence"} & Partial<MaxConfidenceParameters>)
  | ({name: "heuristic"} & Partial<HeuristicParameters>)
  | {name: "off"};

/** Every policy's parameters with their defaults (documented in the policy's file). */
export const POLICY_DEFAULTS: Record<PolicyName, object> = {
  costAware: COST_AWARE_DEFAULTS,
  adaedl: ADAEDL_DEFAULTS,
  static: STATIC_DEFAULTS,
  maxConfidence: MAX_CONFIDENCE_DEFAULTS,
  heuristic: HEURISTIC_DEFAULTS,
  off: {}
};

/** Builds a policy; unknown names, unknown parameters and out-of-range values throw InvalidOptionError. */
export function createPolicy(spec: PolicySpec): DraftPolicy {
  const {name, ...parameters} = (spec ?? {}) as {name: unknown} & Record<string, unknown>;
  if (!POLICY_NAMES.includes(name as PolicyName))
    throw new InvalidOptionError("policy", name, `one of ${POLICY_NAMES.join(", ")}`);
  const known = Object.keys(POLICY_DEFAULTS[name as PolicyName]);
  for (const key of Object.keys(parameters))
    if (!known.includes(key))
      throw new InvalidOptionError(`${name as string}.${key}`, parameters[key],
        known.length ? `no such parameter; ${name as string} takes ${known.join(", ")}` : `no parameters for ${name as string}`);
  switch (name as PolicyName) {
    case "costAware": return new CostAwarePolicy(parameters as Partial<CostAwareParameters>);
    case "adaedl": return new AdaEdlPolicy(parameters as Partial<AdaEdlParameters>);
    case "static": return new StaticPolicy(parameters as Partial<StaticParameters>);
    case "maxConfidence": return new MaxConfidencePolicy(parameters as Partial<MaxConfidenceParameters>);
    case "heuristic": return new HeuristicPolicy(parameters as Partial<HeuristicParameters>);
    case "off": return new OffPolicy();
  }
}

export {AdaEdlPolicy, acceptanceBound, ADAEDL_DEFAULTS} from "./adaedl";
export {CostAwarePolicy, COST_AWARE_DEFAULTS} from "./costAware";
export {bestDraftLength, breakEvenAcceptance, expectedRates} from "./throughput";
export {StaticPolicy, STATIC_DEFAULTS} from "./static";
export {MaxConfidencePolicy, MAX_CONFIDENCE_DEFAULTS} from "./maxConfidence";
export {HeuristicPolicy, HEURISTIC_DEFAULTS} from "./heuristic";
export {OffPolicy} from "./off";
export type {DraftPolicy, DraftStep, HindsightStep, PolicyEnvironment, PolicyName, PolicyState} from "./policy";
export {BasePolicy, POLICY_NAMES} from "./policy";
