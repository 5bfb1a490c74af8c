// The probability that a lookup-drafted token is accepted, learned from outcomes like the entropy
// map (binnedAcceptance.ts; censoring as in acceptanceMap.ts), from what the match says about it
// (docs/algorithm.md, "Lookup drafting"):
// - its effective match length: token i of a draft copied after a match of m tokens is, once tokens
//   1..i − 1 are accepted, preceded by m + i − 1 tokens that match the copy's source;
// - how the earlier occurrences of that match agreed on what came next: one occurrence only, all
//   of several agreeing, or a split vote. The agreement of the first token is carried by the rest.
// Acceptance is read as non-decreasing in the match length, separately for each kind of agreement.
import {BinnedAcceptance, BinnedAcceptanceOptions, BinnedAcceptanceState} from "./binnedAcceptance";

/** Lower edges of the effective-match-length bins, longest first (acceptance falls along the list). */
export const MATCH_LENGTH_EDGES = [16, 12, 8, 6, 5, 4, 3, 2];
export const AGREEMENTS = ["single", "agreed", "split"] as const;
export type Agreement = typeof AGREEMENTS[number];

export interface LookupMatch {
  /** Tokens the copied occurrence matched. */
  length: number;
  /** Earlier occurrences of that length whose next token was the draft's first. */
  support: number;
  /** Earlier occurrences of that length. */
  occurrences: number;
}

export interface LookupAcceptanceState {
  /** One bin state per agreement, in AGREEMENTS order. */
  agreements: BinnedAcceptanceState[];
}

export interface LookupBinEstimate {
  agreement: Agreement;
  /** Shortest effective match length of the bin. */
  matchLength: number;
  prior: number;
  judged: number;
  accepted: number;
  estimate: number;
}

/**
 * Standard deviations added to the first token's acceptance in decisions (the entropy map, read by
 * cost-aware AdaEDL, adds costAware.optimism, 2, to a round's first token's too). A copy is judged over up to 16 tokens at once, and optimism on every one of
 * them multiplied into 16-token drafts after 3-token matches: on SmolLM2's editing tasks on a
 * 2-core CPU (6 tasks, 2 repeats) lookup alone ran at 0.61–0.69× target-only with 2 standard
 * deviations on every token, 0.88× with 1, 0.97× with none. With none, though, a bin whose prior
 * is below what a token must reach to pay is never tried, and never learns that it is better.
 * Optimism on the first token alone tries such a match with a short draft.
 */
export const LOOKUP_OPTIMISM = 2;

/**
 * The prior: a match of m tokens is followed as it was before with probability m/(m + 3) (0.4 for
 * a bare bigram, 0.73 at 8 tokens). It is a guess worth four tokens; outcomes replace it.
 */
const prior = (matchLength: number) => matchLength / (matchLength + 3);

export function agreementOf(match: LookupMatch): Agreement {
  return match.occurrences <= 1 ? "single" : match.support >= match.occurrences ? "agreed" : "split";
}

export class LookupAcceptance {
  private readonly maps: BinnedAcceptance[];

  constructor(options: BinnedAcceptanceOptions = {}, state?: LookupAcceptanceState) {
    const priors = MATCH_LENGTH_EDGES.map(prior);
    const reading = {optimism: LOOKUP_OPTIMISM, ...options};
    this.maps = AGREEMENTS.map((_, i) => new BinnedAcceptance(priors, reading, state?.agreements?.[i]));
  }

  /**
   * The acceptance decisions read for the first `count` tokens of a draft copied after this match:
   * the first token's optimistically (LOOKUP_OPTIMISM), so that a match too short to be trusted yet
   * still gets tried, one token at a time; the rest at their estimates.
   */
  decisionReading(match: LookupMatch, count: number): number[] {
    const map = this.map(match);
    return Array.from({length: count}, (_, i) => (i === 0 ? map.optimistic(binOf(match.length)) : map.estimate(binOf(match.length + i))));
  }

  estimate(match: LookupMatch, index = 1): number {
    return this.map(match).estimate(binOf(match.length + index - 1));
  }

  /** One verified lookup round: k drafted, a accepted; tokens after the first rejection were never judged. */
  observeRound(match: LookupMatch, drafted: number, accepted: number): void {
    const map = this.map(match);
    const judged = Math.min(drafted, accepted + 1);
    for (let i = 0; i < judged; i++) map.observe(binOf(match.length + i), i < accepted);
  }

  get evidence(): number {
    return this.maps.reduce((sum, map) => sum + map.evidence, 0);
  }

  bins(): LookupBinEstimate[] {
    return AGREEMENTS.flatMap((agreement, a) => MATCH_LENGTH_EDGES.map((matchLength, bin) => ({
      agreement, matchLength, prior: this.maps[a]!.priors[bin]!, judged: this.maps[a]!.judgedIn(bin),
      accepted: this.maps[a]!.acceptedIn(bin), estimate: this.maps[a]!.estimate(bin)
    })));
  }

  state(): LookupAcceptanceState {
    return {agreements: this.maps.map(map => map.state())};
  }

  private map(match: LookupMatch): BinnedAcceptance {
    return this.maps[AGREEMENTS.indexOf(agreementOf(match))]!;
  }
}

function binOf(matchLength: number): number {
  const bin = MATCH_LENGTH_EDGES.findIndex(edge => matchLength >= edge);
  return bin < 0 ? MATCH_LENGTH_EDGES.length - 1 : bin;
}
