// What a round and a generation record: one round's figures (RoundRecord) and the running sums of
// them (StatsTotals) that every view of Draftstop (status bar, stats panel, benchmark) derives its
// figures from (figures.ts).
import type {Token} from "../nlc";
import type {DrafterName} from "../options";

export interface RoundRecord {
  /** Round number within its generation, from 0. */
  index: number;
  /** Tokens drafted (k) and accepted (a) this round. */
  drafted: number;
  accepted: number;
  /** Tokens committed this round: a + 1, fewer when a stop condition cut the round. */
  emitted: number;
  /** The tokens committed this round, an end-of-generation token included. */
  tokens: Token[];
  /** Which drafter proposed this round's drafts; absent when nothing was drafted. */
  drafter?: DrafterName;
  /**
   * A lookup draft's match: how many committed tokens the earlier occurrence it copies matched, and
   * of the earlier occurrences that long, how many there were and how many agreed on its first
   * token (drafting/ngramIndex.ts).
   */
  match?: {length: number; support: number; occurrences: number};
  /** Entropy (nats) of the draft distribution each drafted token came from, in order (a model draft's; empty for lookup). */
  entropies: number[];
  /** Entropy at the step where the policy stopped drafting, if it stopped on its own. */
  stopEntropy?: number;
  /** AdaEDL's λ in force while drafting this round. */
  lambda?: number;
  /** Draft model evaluations this round (catch-up tokens and drafted tokens, batched per call). */
  draftPasses: number;
  draftMs: number;
  verifyMs: number;
  /** Entropy computation and policy decisions. */
  entropyMs: number;
  totalMs: number;
  /** Committed tokens before this round (prompt included). */
  contextLength: number;
}

export interface StatsTotals {
  generations: number;
  tokens: number;
  rounds: number;
  drafted: number;
  accepted: number;
  /** The part of rounds, drafted and accepted that came from lookup drafts. */
  lookupRounds: number;
  lookupDrafted: number;
  lookupAccepted: number;
  draftPasses: number;
  decodeMs: number;
  draftMs: number;
  verifyMs: number;
  entropyMs: number;
  prefillMs: number;
  /**
   * What the target alone would have taken for these tokens, ms: each generation's tokens × C_t(1)
   * as the cost model read it when the generation ended (its level follows the machine's load).
   */
  targetOnlyMs: number;
}

export function emptyTotals(): StatsTotals {
  return {generations: 0, tokens: 0, rounds: 0, drafted: 0, accepted: 0, lookupRounds: 0, lookupDrafted: 0, lookupAccepted: 0, draftPasses: 0, decodeMs: 0, draftMs: 0,
    verifyMs: 0, entropyMs: 0, prefillMs: 0, targetOnlyMs: 0};
}

/** Adds one round to running totals (not `generations`, `prefillMs` or `targetOnlyMs`: those belong to a generation). */
export function addRound(totals: StatsTotals, round: RoundRecord): void {
  totals.rounds++;
  totals.tokens += round.emitted;
  totals.drafted += round.drafted;
  totals.accepted += round.accepted;
  if (round.drafter === "lookup") {
    totals.lookupRounds++;
    totals.lookupDrafted += round.drafted;
    totals.lookupAccepted += round.accepted;
  }
  totals.draftPasses += round.draftPasses;
  totals.decodeMs += round.totalMs;
  totals.draftMs += round.draftMs;
  totals.verifyMs += round.verifyMs;
  totals.entropyMs += round.entropyMs;
}

/** Adds totals (a generation's, a repeat's, or a part of them: absent fields count 0) into `into`; returns `into`. */
export function addTotals(into: StatsTotals, from: Partial<StatsTotals>): StatsTotals {
  for (const key of Object.keys(into) as Array<keyof StatsTotals>) into[key] += from[key] ?? 0;
  return into;
}

/** The sum of several totals. */
export function sumTotals(list: Iterable<Partial<StatsTotals>>): StatsTotals {
  const sum = emptyTotals();
  for (const totals of list) addTotals(sum, totals);
  return sum;
}
