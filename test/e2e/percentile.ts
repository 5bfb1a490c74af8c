// The nearest-rank percentile the editor's measurements report (p50, p95 of latencies).

/** The smallest value with at least p % of the values at or below it; undefined for no values. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)];
}
