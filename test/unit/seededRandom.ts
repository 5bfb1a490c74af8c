// Uniform draws in [0, 1) from the engine's seeded generator, for tests that make random cases:
// the same cases on every run and machine.
import {Prng} from "../../src/engine/decoding/sampling";

export function seededRandom(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.uniform();
}
