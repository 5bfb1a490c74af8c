// Entropy of the draft's next-token distribution, which AdaEDL turns into a bound on the
// acceptance probability.
//
// Estimator. With temperature > 0 the draft samples from a truncated map (top-k / top-p / min-p
// applied and renormalised by node-llama-cpp): its entropy is computed exactly, because that map
// IS the distribution drafted from. In greedy mode the drafted distribution is one-hot (H = 0), so
// the entropy is taken from the draft's T = 1 distribution instead, and to keep it cheap on large
// vocabularies (a full 32K map costs ~12 ms a token, a 150K one ~50 ms; a top-40 map ~1 ms) only its
// top K tokens are fetched and renormalised: Ĥ = H(q̃), q̃ = q restricted to the top K / (1 − m),
// where m is the probability mass outside the top K.
//
// Bias. The exact entropy decomposes as H(q) = (1 − m)·H(q̃) + h(m) + m·H(q_tail), h the binary
// entropy, so Ĥ − H(q) = m·H(q̃) − h(m) − m·H(q_tail) ≤ 0 whenever the tail is at least as spread
// out as the head (always true in practice: the tail holds V − K tokens). Ĥ therefore
// underestimates H by at most h(m) + m·log(V − K): negligible when the draft is confident (m ≈ 0,
// exactly the region where AdaEDL keeps drafting) and largest on flat distributions, where the
// bound 1 − sqrt(γ·Ĥ) is already low and drafting stops anyway. node-llama-cpp 3.21.1 does not
// report m without computing the full softmax (confidence costs as much as the full map), so the
// estimator cannot correct for it; a larger entropyTopK shrinks the bias.
import type {Distribution} from "../distribution";

/** Shannon entropy in nats of a (possibly unnormalised) distribution, after renormalising it. */
export function entropy(distribution: Distribution): number {
  let mass = 0;
  let weighted = 0;
  for (const p of distribution.values()) {
    if (p <= 0) continue;
    mass += p;
    weighted += p * Math.log(p);
  }
  if (mass <= 0) return 0;
  // H(p/Z) = log Z − (1/Z)·Σ p log p
  return Math.max(0, Math.log(mass) - weighted / mass);
}
