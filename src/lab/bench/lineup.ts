// The lab's line-up for `npm run bench`: the product's columns, then the peers (node-llama-cpp's own
// draft predictor, llama.cpp's speculative example where its binaries are installed) and the two
// hindsight columns last: the match oracle (a reference) and the exact cost-aware optimum at T = 0
// (a bound). None of these ship: the editor's benchmark runs productColumns() only.
import type {BenchColumn} from "../../benchmark/column";
import {productColumns} from "../../benchmark/lineup";
import {nlcDraftPredictorColumn} from "./nlcPredictor";
import {oracleColumn} from "./oracle";
import {optimumColumn} from "./optimumColumn";

/** `draftModel: false` (a target alone): the product's target-alone columns only, as every peer needs the draft. */
export function labColumns(options: {draftModel?: boolean; llamaCpp?: readonly BenchColumn[]} = {}): BenchColumn[] {
  const product = productColumns(options);
  if (options.draftModel === false) return product;
  return [...product, nlcDraftPredictorColumn(), ...(options.llamaCpp ?? []), oracleColumn(16), optimumColumn(16)];
}
