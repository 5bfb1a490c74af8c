// Axes and legends for counts (completions, rounds, tokens per pass): whole-number ticks only.
// Vega picks "nice" fractional ticks for a short domain (1.0, 1.2, … after three completions, or a
// lone "2.000000" after two), which reads as if half a completion existed.

/** Axis properties that print integers and never put a tick between two of them. */
export const COUNT_AXIS = {format: "d", tickMinStep: 1} as const;

/** Legend properties for a count (e.g. a size legend of drafted tokens). */
export const COUNT_LEGEND = {format: "d", tickMinStep: 1} as const;

/**
 * The scale of a count axis over these values: from the least to the greatest, at least one unit
 * wide, so that a single completion still gets a readable axis (1 to 2) instead of a degenerate one.
 */
export function countScale(values: readonly number[]): {domain: [number, number]; nice: false; zero: false} {
  const finite = values.filter(Number.isFinite);
  const lo = finite.length > 0 ? Math.floor(Math.min(...finite)) : 0;
  const hi = finite.length > 0 ? Math.ceil(Math.max(...finite)) : 1;
  return {domain: [lo, Math.max(hi, lo + 1)], nice: false, zero: false};
}
