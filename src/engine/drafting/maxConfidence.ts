// Stop drafting when the draft model's most likely next token has probability below p_min
// (node-llama-cpp's DraftSequenceTokenPredictor uses 0.6; llama.cpp's speculative example used 0.9).
import {BasePolicy, DraftStep} from "./policy";
import {requireInteger, requireNumber} from "../options";

export interface MaxConfidenceParameters {
  /** Least top probability that keeps drafting. Default 0.6. */
  pMin: number;
  /** Tokens always drafted before the rule is consulted. Default 0, as in node-llama-cpp. */
  minDraft: number;
  /** Most tokens drafted in a round. Default 16. */
  maxDraft: number;
}

export const MAX_CONFIDENCE_DEFAULTS: MaxConfidenceParameters = {pMin: 0.6, minDraft: 0, maxDraft: 16};

export class MaxConfidencePolicy extends BasePolicy<MaxConfidenceParameters> {
  readonly name = "maxConfidence";

  constructor(parameters: Partial<MaxConfidenceParameters> = {}) {
    super(MAX_CONFIDENCE_DEFAULTS, parameters, p => {
      requireNumber("maxConfidence.pMin", p.pMin, 0, 1);
      requireInteger("maxConfidence.maxDraft", p.maxDraft, 1, 256);
      requireInteger("maxConfidence.minDraft", p.minDraft, 0, p.maxDraft);
    });
  }

  maxDraftThisRound(): number {
    return this.parameters.maxDraft;
  }

  override shouldDraft(step: DraftStep): boolean {
    return step.index <= this.parameters.minDraft || step.topProbability >= this.parameters.pMin;
  }
}
