// The product's benchmark line-up: the columns "Benchmark This Workspace" runs. The lab's
// `npm run bench` runs these too, with its peers and the hindsight columns after them
// (src/lab/bench/lineup.ts).
import type {BenchColumn} from "./column";
import {policyColumn} from "./policyColumn";

/**
 * Target-only, static K, max-confidence, heuristic, the paper's AdaEDL, cost-aware AdaEDL (the
 * default), lookup drafting alone (its most recent match, and the match most earlier occurrences
 * vote for), cost-aware AdaEDL with lookup beside the draft model (the extension's default with a
 * draft model). `draftModel: false` (a target alone): target-only and the two lookup columns only.
 */
export function productColumns(options: {draftModel?: boolean} = {}): BenchColumn[] {
  const lookup = [
    policyColumn({name: "costAware", drafter: "lookup"}),
    policyColumn({name: "costAware", drafter: "lookup", lookupChoice: "vote"})
  ];
  if (options.draftModel === false) return [policyColumn({name: "off"}), ...lookup];
  return [
    policyColumn({name: "off"}),
    ...[1, 2, 3, 4, 6, 8].map(k => policyColumn({name: "static", params: {k}})),
    policyColumn({name: "maxConfidence", params: {pMin: 0.6}}),
    policyColumn({name: "maxConfidence", params: {pMin: 0.9}}),
    policyColumn({name: "heuristic"}),
    policyColumn({name: "adaedl"}),
    policyColumn({name: "costAware"}),
    ...lookup,
    policyColumn({name: "costAware", drafter: "both"})
  ];
}
