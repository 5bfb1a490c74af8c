// A next-token distribution as node-llama-cpp returns it: a Map from token to probability, sorted
// by probability, highest first. Truncated maps (top-k, top-p, min-p) are renormalised by
// node-llama-cpp; the helpers here renormalise again so float drift never biases a draw.
import {DraftstopError} from "./errors";
import type {Token} from "./nlc";

export type Distribution = ReadonlyMap<Token, number>;

export function totalMass(distribution: Distribution): number {
  let sum = 0;
  for (const p of distribution.values()) sum += p;
  return sum;
}

/** The most probable token; ties go to the first in the map's order (node-llama-cpp's order). */
export function argmax(distribution: Distribution): Token {
  let best: Token | undefined;
  let bestP = -Infinity;
  for (const [token, p] of distribution)
    if (p > bestP) {
      best = token;
      bestP = p;
    }
  if (best === undefined) throw noProbabilities();
  return best;
}

export function topProbability(distribution: Distribution): number {
  let best = 0;
  for (const p of distribution.values()) if (p > best) best = p;
  return best / (totalMass(distribution) || 1);
}

/** Probability of `token` after renormalising the map; 0 for tokens outside it. */
export function probabilityOf(distribution: Distribution, token: Token, mass = totalMass(distribution)): number {
  return (distribution.get(token) ?? 0) / mass;
}

/**
 * The model gave no finite probability to any token: its logits are NaN or infinite, which a model
 * file with corrupt parameters (a rope frequency base of 1e-45, found by the fuzzer) produces.
 */
export function noProbabilities(): DraftstopError {
  return new DraftstopError("the model gave no token a usable probability (its output is not finite numbers); " +
    "the model file's parameters are likely corrupt: choose another file", "model.badOutput");
}
