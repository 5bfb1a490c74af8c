// Lookup as a drafter: the copy a LookupSource proposes (drafting/lookupDrafter.ts), cut where
// the text would end. Its q is a point mass on each drafted token, so at T > 0 rejection sampling
// accepts d with probability p(d) and, on rejection, draws from p with d removed and renormalised:
// Leviathan et al.'s rule with q = δ_d, exact as it is for any q.
import type {Distribution} from "../distribution";
import type {LookupSource} from "../drafting/lookupDrafter";
import type {Draft, Drafter, DraftRequest} from "./drafter";

export class LookupDrafts implements Drafter {
  readonly name = "lookup";

  constructor(private readonly source: LookupSource) {}

  async draft({limit, greedy, draftsToStop, rivalSpeedup}: DraftRequest): Promise<Draft | undefined> {
    if (limit <= 0) return undefined;
    const proposal = this.source.draft(limit, rivalSpeedup);
    if (!proposal) return undefined;
    const cut = draftsToStop?.(proposal.tokens);
    const tokens = proposal.tokens.slice(0, cut ?? proposal.tokens.length);
    return {
      drafter: "lookup", tokens,
      distributions: greedy ? [] : tokens.map((token): Distribution => new Map([[token, 1]])),
      entropies: [], passes: 0, ms: 0, entropyMs: 0, reachesStop: cut !== undefined, match: {...proposal.match}
    };
  }
}
