// AdaEDL (Agrawal, Jeon, Lee 2024): stop drafting when the entropy-based lower bound on the
// draft token's acceptance probability, 1 − sqrt(γ·H), falls below a threshold λ; λ adapts to the
// observed acceptance rate after every round.
import {BasePolicy, DraftStep, PolicyState} from "./policy";
import {requireInteger, requireNumber} from "../options";

export interface AdaEdlParameters {
  /** Entropy scale γ in the bound 1 − sqrt(γ·H). Default 0.2. */
  gamma: number;
  /** Initial threshold λ0. Default 0.5. */
  lambda0: number;
  /** Smoothing of the acceptance-rate estimate AR. Default 0.5. */
  beta1: number;
  /** Smoothing of λ. Default 0.9. */
  beta2: number;
  /** Step of λ's update. Default 0.01. */
  epsilon: number;
  /** Target acceptance rate; also AR's initial value. Default 0.9. */
  alpha: number;
  /** Tokens always drafted before the bound is consulted. Default 1. */
  minDraft: number;
  /** Most tokens drafted in a round. Default 16. */
  maxDraft: number;
}

export const ADAEDL_DEFAULTS: AdaEdlParameters = {
  gamma: 0.2, lambda0: 0.5, beta1: 0.5, beta2: 0.9, epsilon: 0.01, alpha: 0.9, minDraft: 1, maxDraft: 16
};

/** AdaEDL's lower bound on the acceptance probability of a token drafted from a distribution of entropy H. */
export function acceptanceBound(gamma: number, entropy: number): number {
  return 1 - Math.sqrt(gamma * Math.max(0, entropy));
}

export class AdaEdlPolicy extends BasePolicy<AdaEdlParameters> {
  readonly name = "adaedl";
  private lambda: number;
  private acceptance: number;

  constructor(parameters: Partial<AdaEdlParameters> = {}) {
    super(ADAEDL_DEFAULTS, parameters, p => {
      for (const key of ["gamma", "epsilon"] as const) requireNumber(`adaedl.${key}`, p[key], 0, 100);
      for (const key of ["lambda0", "beta1", "beta2", "alpha"] as const) requireNumber(`adaedl.${key}`, p[key], 0, 1);
      requireInteger("adaedl.maxDraft", p.maxDraft, 1, 256);
      requireInteger("adaedl.minDraft", p.minDraft, 0, p.maxDraft);
    });
    this.lambda = this.parameters.lambda0;
    this.acceptance = this.parameters.alpha;
  }

  maxDraftThisRound(): number {
    return this.parameters.maxDraft;
  }

  override shouldDraft(step: DraftStep): boolean {
    if (step.index <= this.parameters.minDraft) return true;
    return acceptanceBound(this.parameters.gamma, step.entropy) >= this.lambda;
  }

  /**
   * The paper's update after a round. Two edge cases it leaves open, decided here:
   * - A round that could draft but drafted nothing (λ above the bound of its first token, with
   *   minDraft 0) counts as all accepted (a/k := 1: nothing drafted was rejected). AR rises and λ
   *   falls, so a λ above every bound comes down again; skipping such rounds, as before, left it
   *   drafting nothing for good. A round that could draft nothing (cap 0) teaches nothing.
   * - "All accepted", where λ stays, compares with this round's cap, not maxDraft: a round cut to
   *   three tokens by maxTokens or a stop, all accepted, stopped at its cap, not at the threshold.
   */
  override update(drafted: number, accepted: number, cap: number = this.parameters.maxDraft): void {
    if (cap <= 0) return;
    const {beta1, beta2, epsilon, alpha} = this.parameters;
    this.acceptance = beta1 * this.acceptance + (1 - beta1) * (drafted > 0 ? accepted / drafted : 1);
    let proposal = this.lambda;
    if (this.acceptance < alpha) proposal = this.lambda + epsilon;
    else if (accepted !== cap) proposal = this.lambda - epsilon;
    this.lambda = clamp01(beta2 * this.lambda + (1 - beta2) * proposal);
  }

  override reset(): void {
    this.lambda = this.parameters.lambda0;
    this.acceptance = this.parameters.alpha;
  }

  override state(): PolicyState {
    return {lambda: this.lambda, acceptanceEstimate: this.acceptance};
  }
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
