// The pool's refusal to load a pair beyond its memory budget: it names who holds what, so that the
// person can close a window or pick the models another window runs, instead of the machine swapping.
import {DraftstopError} from "./errors";
import {formatBytes} from "./formatBytes";

/** A pair the pool holds, and the labels (window ids) of its holders. */
export interface ModelHolding {
  targetPath: string;
  draftPath?: string;
  /** Bytes of its model files. */
  bytes: number;
  holders: string[];
}

export class ModelBudgetError extends DraftstopError {
  override readonly name = "ModelBudgetError";
  constructor(readonly requested: {targetPath: string; draftPath?: string}, readonly requestedBytes: number,
    readonly heldBytes: number, readonly budgetBytes: number, readonly holdings: readonly ModelHolding[]) {
    super(`loading ${describePair(requested)} (${formatBytes(requestedBytes)}) beside the ${formatBytes(heldBytes)} of models loaded ` +
      `would pass the memory budget of ${formatBytes(budgetBytes)}. Loaded: ${holdings.map(describeHolding).join("; ") || "nothing"}. ` +
      "Pick the models another window uses, close the windows that hold the others, or raise the budget.", "models.overBudget");
  }
}

function describePair(pair: {targetPath: string; draftPath?: string}): string {
  return `target ${pair.targetPath}${pair.draftPath ? ` with draft ${pair.draftPath}` : ""}`;
}

function describeHolding(holding: ModelHolding): string {
  const holders = holding.holders.length ? holding.holders.join(", ") : "no one";
  return `${describePair(holding)} (${formatBytes(holding.bytes)}), held by ${holders}`;
}
