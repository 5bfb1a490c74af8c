// Pearson's χ² test of observed transition counts against known next-token distributions.
import chisquareCdf = require("@stdlib/stats-base-dists-chisquare-cdf");

export type Counts = Map<number, Map<number, number>>;

export function countTransition(counts: Counts, from: number, to: number): void {
  let row = counts.get(from);
  if (!row) counts.set(from, (row = new Map()));
  row.set(to, (row.get(to) ?? 0) + 1);
}

export interface ChiSquareResult {
  statistic: number;
  dof: number;
  pValue: number;
  observations: number;
}

/**
 * Pools every row (context token) into one statistic. Cells expected below 5 observations are
 * merged into one "rest" cell per row so the χ² approximation holds; rows with under 20
 * observations are left out.
 */
export function chiSquare(counts: Counts, expected: (from: number) => ReadonlyMap<number, number>): ChiSquareResult {
  let statistic = 0;
  let dof = 0;
  let observations = 0;
  for (const [from, row] of counts) {
    const n = [...row.values()].reduce((a, b) => a + b, 0);
    if (n < 20) continue;
    observations += n;
    const probabilities = expected(from);
    const cells: Array<{observed: number; expected: number}> = [];
    let restObserved = 0;
    let restExpected = 0;
    for (const [to, p] of probabilities) {
      const e = p * n;
      const o = row.get(to) ?? 0;
      if (e >= 5) cells.push({observed: o, expected: e});
      else {
        restObserved += o;
        restExpected += e;
      }
    }
    for (const [to, o] of row) if (!probabilities.has(to)) restObserved += o; // impossible tokens
    if (restObserved > 0 || restExpected > 0) cells.push({observed: restObserved, expected: Math.max(restExpected, 1e-9)});
    for (const cell of cells) statistic += (cell.observed - cell.expected) ** 2 / cell.expected;
    dof += cells.length - 1;
  }
  return {statistic, dof, pValue: dof > 0 ? 1 - chisquareCdf(statistic, dof) : 1, observations};
}
