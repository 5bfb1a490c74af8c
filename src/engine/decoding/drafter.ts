// One shape for everything that proposes a round's drafts (docs/algorithm.md, "One round"): the
// draft model (modelDrafter.ts) and lookup (lookupDrafts.ts). The round loop asks lookup first,
// where it is on, and the draft model when lookup proposes nothing; it verifies whichever Draft
// came back the same way.
import type {Distribution} from "../distribution";
import type {LookupMatch} from "../drafting/lookupAcceptance";
import type {Token} from "../nlc";
import type {DrafterName} from "../options";

/** A round's drafts and what the round's record keeps of how they were made. */
export interface Draft {
  /** Who drafted; undefined when the round drafted nothing. */
  drafter?: DrafterName;
  tokens: Token[];
  /** q of each drafted token at T > 0 (lookup: a point mass on it); empty when greedy. */
  distributions: Distribution[];
  /** The draft model's entropy before each drafted token, and before the one it declined (stopEntropy). */
  entropies: number[];
  stopEntropy?: number;
  /** Draft passes, their time, and the time spent deciding (entropy, the policy, lookup's search). */
  passes: number;
  ms: number;
  entropyMs: number;
  /** The drafts end the text if all are accepted (drafting stopped at the completion's end). */
  reachesStop: boolean;
  /** Lookup: the match the copy followed. */
  match?: LookupMatch;
}

/** What a drafter is told about the round it drafts for. */
export interface DraftRequest {
  /** The prompt and every committed token. */
  committed: readonly Token[];
  /** Most tokens the round may draft (maxTokens, the context, the policy's cap). */
  limit: number;
  greedy: boolean;
  /** How many of these drafts reach the text's end (a stop), if they do. */
  draftsToStop?: (drafts: readonly Token[]) => number | undefined;
  /**
   * What the other drafter promises, as a multiple of the target-only rate: a draft that cannot beat
   * it is not taken. 1: target-only decoding.
   */
  rivalSpeedup: number;
}

export interface Drafter {
  readonly name: DrafterName;
  /** The round's draft, or undefined when this drafter proposes nothing this round. */
  draft(request: DraftRequest): Promise<Draft | undefined>;
}

/** A round that drafted nothing (target-only). */
export function noDraft(): Draft {
  return {tokens: [], distributions: [], entropies: [], passes: 0, ms: 0, entropyMs: 0, reachesStop: false};
}
