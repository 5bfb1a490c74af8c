// The expected-throughput arithmetic of one round (docs/algorithm.md, "Cost-aware drafting").
// Drafting k tokens whose acceptance probabilities are α_1..α_k (each given that the ones before
// it were accepted) emits on average E(k) = 1 + Σ_{j≤k} Π_{m≤j} α_m tokens, and takes
// T(k) = k·C_d + C_t(k + 1); a target-only round (the draft not run at all) takes T(0) = C_t(1).
import type {PassCosts} from "./costModel";

/** E(k)/T(k) in tokens per ms for every k = 0..maxDraft; acceptance past the known ones repeats the last. */
export function expectedRates(acceptance: readonly number[], costs: PassCosts, maxDraft: number): number[] {
  const rates = [1 / costs.targetMs(1)];
  const draftMs = costs.draftMs();
  let survive = 1, tokens = 1;
  for (let k = 1; k <= maxDraft; k++) {
    survive *= acceptance[Math.min(k, acceptance.length) - 1] ?? 0;
    tokens += survive;
    rates.push(tokens / (k * draftMs + costs.targetMs(k + 1)));
  }
  return rates;
}

/** The k that maximises E(k)/T(k) (the smallest such k on a tie). */
export function bestDraftLength(acceptance: readonly number[], costs: PassCosts, maxDraft: number): number {
  return fastest(expectedRates(acceptance, costs, maxDraft));
}

/** The index of the highest rate (the smallest such index on a tie). */
export function fastest(rates: readonly number[]): number {
  let best = 0;
  for (let k = 1; k < rates.length; k++) if (rates[k]! > rates[best]! * (1 + 1e-12)) best = k;
  return best;
}

/**
 * The acceptance a single drafted token needs to pay for itself: (1 + α)/(C_d + C_t(2)) ≥ 1/C_t(1)
 * gives α ≥ (C_d + C_t(2))/C_t(1) − 1. It plays λ's part in the cost-aware rule, and is what the
 * panel shows as λ.
 */
export function breakEvenAcceptance(costs: PassCosts): number {
  return (costs.draftMs() + costs.targetMs(2)) / costs.targetMs(1) - 1;
}
