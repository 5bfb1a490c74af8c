// Every random decision of a generation (drafting, acceptance, residual and bonus draws) comes from
// one seeded PRNG in JS: node-llama-cpp seeds a new sampler from the clock on every
// controlledEvaluate call, which would make generations unrepeatable and the test of exactness
// impossible.
import {xoroshiro128plusFromState} from "pure-rand/generator/xoroshiro128plus";
import {uniformFloat64} from "pure-rand/distribution/uniformFloat64";
import type {RandomGenerator} from "pure-rand/types/RandomGenerator";
import {Distribution, noProbabilities, probabilityOf, totalMass} from "../distribution";
import type {Token} from "../nlc";

export class Prng {
  private readonly generator: RandomGenerator;

  constructor(seed: number) {
    // pure-rand's xoroshiro128plus(seed) puts the seed into the state nearly as it is, so the first
    // draws of consecutive seeds are strongly correlated (a χ² test over seeds 0..N caught it).
    // The state is therefore filled from the seed through a 32-bit avalanche hash.
    const low = seed >>> 0;
    const high = Math.floor(seed / 2 ** 32) >>> 0;
    const state = [0x9e3779b9, 0x7f4a7c15, 0x6a09e667, 0xbb67ae85].map((k, i) => avalanche(avalanche(low + k) ^ (high + i)));
    this.generator = xoroshiro128plusFromState(state);
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    return uniformFloat64(this.generator);
  }
}

/** A 32-bit integer hash in which every input bit flips each output bit with probability ½ (lowbias32). */
function avalanche(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) | 0;
}

/** Inverse-CDF draw from a distribution (renormalised). */
export function sample(distribution: Distribution, prng: Prng): Token {
  const mass = totalMass(distribution);
  if (!(mass > 0)) throw noProbabilities();
  let threshold = prng.uniform() * mass;
  let last: Token | undefined;
  for (const [token, p] of distribution) {
    if (p <= 0) continue;
    last = token;
    threshold -= p;
    if (threshold < 0) return token;
  }
  return last!; // float rounding left a sliver past the last entry
}

/** min(1, p(x) / q(x)): the probability of accepting a token x drafted from q when the target has p. */
export function acceptanceProbability(p: Distribution, q: Distribution, token: Token): number {
  const qx = probabilityOf(q, token);
  if (qx <= 0) return 0;
  return Math.min(1, probabilityOf(p, token) / qx);
}

/**
 * norm(max(0, p − q)): what to emit after rejecting a draft, so that the output has exactly the
 * target's distribution (Leviathan et al. 2023). Tokens outside p's support get 0. When p ≤ q
 * everywhere (only possible through float rounding, since a rejection needs p(x) < q(x) somewhere
 * and then Σ(p − q)+ > 0), it falls back to p itself.
 */
export function residual(p: Distribution, q: Distribution): Distribution {
  const pMass = totalMass(p);
  const qMass = totalMass(q);
  const result = new Map<Token, number>();
  for (const [token, pRaw] of p) {
    const difference = pRaw / pMass - (q.get(token) ?? 0) / qMass;
    if (difference > 0) result.set(token, difference);
  }
  return totalMass(result) > 1e-12 ? result : p;
}
