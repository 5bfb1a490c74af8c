// Which γ AdaEDL's bound 1 − sqrt(γ·H) is drawn for: the policy's own when the AdaEDL policy is the
// one drafting (its stopping rule uses that γ), otherwise the γ the learned acceptance map took its
// prior from (the only bound anything in the engine uses then).
import {ADAEDL_DEFAULTS} from "../../engine/drafting/adaedl";
import type {PolicySpec} from "../../engine/drafting/policies";
import {ACCEPTANCE_MAP_DEFAULTS} from "../../engine/drafting/acceptanceMap";

export interface GammaInUse {
  gamma: number;
  /** Where it came from, for the chart's title. */
  source: "adaedl policy" | "acceptance map prior";
}

/**
 * `activePolicy`: the name the engine reports (the settings' spec may have been refused and an
 * older one kept, so the spec alone does not say which policy runs). `spec`: the spec in use, when known.
 */
export function gammaInUse(activePolicy: string | undefined, spec: PolicySpec | undefined, mapGamma: number | undefined): GammaInUse {
  if (activePolicy === "adaedl") {
    const gamma = spec?.name === "adaedl" ? spec.gamma : undefined;
    return {gamma: gamma ?? ADAEDL_DEFAULTS.gamma, source: "adaedl policy"};
  }
  return {gamma: mapGamma ?? ACCEPTANCE_MAP_DEFAULTS.gamma, source: "acceptance map prior"};
}

/** The subtitle of a chart that draws the bound: which curve it is and whose γ. */
export function boundNote(inUse: GammaInUse): string {
  return `dashed: AdaEDL's bound 1 − sqrt(γ·H), γ = ${inUse.gamma} from the ${inUse.source}`;
}
