// The lookup drafter (docs/algorithm.md, "Lookup drafting"): each round, the tokens that followed
// the longest earlier occurrence of the context's end, cut to the length that maximises the round's
// expected tokens per unit time (drafting/throughput.ts) under the learned acceptance of such a
// match (drafting/lookupAcceptance.ts) and the cost model. No model runs, so drafting costs
// nothing that the choice could save: a lookup draft is taken when it promises more than the
// alternative, the draft model's measured speed-up or, without it, target-only decoding.
import type {PassCosts} from "./costModel";
import {AGREEMENTS, agreementOf, type Agreement, type LookupAcceptance, type LookupMatch} from "./lookupAcceptance";
import type {Token} from "../nlc";
import type {LookupChoice} from "../options";
import {expectedRates, fastest} from "./throughput";
import {NgramIndex, NgramIndexOptions} from "./ngramIndex";
import {SpeculationGain, type SpeculationGainState} from "./speculationGain";
import {SpeculationGate, type SpeculationGateOptions} from "./speculationGate";

export interface LookupDrafterOptions extends NgramIndexOptions {
  /** Most tokens a lookup draft holds. Default 16 (as the cost-aware rule's maxDraft). */
  maxDraft?: number;
}

export const LOOKUP_DRAFTER_DEFAULTS = {maxDraft: 16};

/**
 * Lookup is held to the draft model's guarantee (drafting/speculationGate.ts), with the cost-aware
 * rule's defaults but one: once in, it keeps running only while its gain is within one standard
 * error of 1 + margin, not two. The draft model has a second check while its gain is not above 1
 * (the plan must value a round with it above a target-only one); lookup has none, and with two
 * errors it kept drafting at a gain of 0.92–0.96 (SmolLM2 on a 2-core CPU, where a pass over 2–4
 * tokens costs 1.8–2.7× one and half its copies were accepted). One error switches off a drafter
 * losing more than about 3 % (docs/algorithm.md, "Lookup is held to the same guarantee").
 */
export const LOOKUP_GATE: SpeculationGateOptions = {margin: 0.02, exploreEvery: 32, exploreAtMost: 256, keepErrors: 1};

/**
 * One gain and gate per kind of agreement among the match's earlier occurrences
 * (lookupAcceptance.ts): copies after a match whose occurrences all agreed are a different drafter
 * from copies after a lone or split one. With one record for all, the losing explorations of lone
 * bigram matches (their first token is read optimistically, on purpose) shut lookup out of a file
 * whose functions repeat, where it gains most.
 */
export type LookupGates = Record<Agreement, {gain: SpeculationGain; gate: SpeculationGate}>;

export function lookupGates(saved?: Partial<Record<Agreement, SpeculationGainState>>): LookupGates {
  return Object.fromEntries(AGREEMENTS.map(agreement =>
    [agreement, {gain: new SpeculationGain(undefined, saved?.[agreement]), gate: new SpeculationGate(LOOKUP_GATE)}])) as LookupGates;
}

export interface LookupDraft {
  tokens: Token[];
  match: LookupMatch;
  /** Expected tokens per ms of the round it makes. */
  expectedRate: number;
}

/** What one generation's lookup reads: the learned acceptance for its sampling setting, the costs for its verification mode. */
export interface LookupEnvironment {
  acceptance: LookupAcceptance;
  costs: PassCosts;
  choice: LookupChoice;
  /** The speed-up lookup rounds have given, and the gates that let lookup draft only where it has earned it (or explores), by agreement. */
  gates: LookupGates;
}

/** Where the generation continues the prompt (FIM: right after the prefix). */
export interface LookupPromptShape {
  /** Index in the prompt after which the generated text follows. Default: the prompt's length. */
  continuesAt?: number;
}

/** What the round loop asks of a lookup source (speculative.ts). */
export interface LookupSource {
  /** Before the first round: the prompt the generation starts from. */
  begin(prompt: readonly Token[], shape?: LookupPromptShape): void;
  /** After every round: the tokens it committed. */
  commit(tokens: readonly Token[]): void;
  /**
   * A draft of at most `maxDraft` tokens whose round is expected to beat `rivalSpeedup` × the
   * target-only rate (1: target-only decoding; the draft model's measured speed-up where it
   * would run instead), or undefined.
   */
  draft(maxDraft: number, rivalSpeedup: number): LookupDraft | undefined;
}

export class LookupDrafter implements LookupSource {
  readonly index: NgramIndex;
  readonly maxDraft: number;
  private environment: LookupEnvironment | undefined;
  /** The context's last tokens as the generation sees it: the prompt up to continuesAt, then what was generated. */
  private query: Token[] = [];
  /** Where the query's own occurrence ends in the index (skipped as a match). */
  private present = 0;

  constructor(options: LookupDrafterOptions = {}) {
    this.index = new NgramIndex(options);
    this.maxDraft = options.maxDraft ?? LOOKUP_DRAFTER_DEFAULTS.maxDraft;
  }

  /** Called before each generation that uses lookup. */
  prepare(environment: LookupEnvironment): void {
    this.environment = environment;
  }

  begin(prompt: readonly Token[], shape: LookupPromptShape = {}): void {
    this.index.sync(prompt);
    const continuesAt = Math.max(0, Math.min(prompt.length, shape.continuesAt ?? prompt.length));
    this.query = prompt.slice(Math.max(0, continuesAt - this.index.options.maxMatch), continuesAt);
    this.present = continuesAt;
  }

  commit(tokens: readonly Token[]): void {
    this.index.append(tokens);
    this.query.push(...tokens);
    this.query.splice(0, Math.max(0, this.query.length - this.index.options.maxMatch));
    // Generated tokens are the index's end: from the second one on the query's bigram occurs there.
    this.present = this.index.length;
  }

  draft(maxDraft: number, rivalSpeedup: number): LookupDraft | undefined {
    const environment = this.environment;
    if (!environment) throw new Error("LookupDrafter.draft before prepare()");
    const proposal = this.index.propose(Math.min(maxDraft, this.maxDraft), environment.choice, this.query, this.present);
    if (!proposal) return undefined;
    const match = {length: proposal.matchLength, support: proposal.support, occurrences: proposal.occurrences};
    const acceptance = environment.acceptance.decisionReading(match, proposal.tokens.length);
    const {costs} = environment;
    const rates = expectedRates(acceptance, {targetMs: n => costs.targetMs(n), draftMs: () => 0}, proposal.tokens.length);
    const best = fastest(rates);
    if (best === 0 || !(rates[best]! > rivalSpeedup * rates[0]!)) return undefined;
    // A draft it would take: whether lookup may draft at all is its measured gain's to say.
    const {gate, gain} = environment.gates[agreementOf(match)];
    const explored = gate.explores;
    const runs = gate.decide(gain);
    gate.backOff(explored, gain);
    gate.ended(runs);
    if (!runs) return undefined;
    return {tokens: proposal.tokens.slice(0, best), match, expectedRate: rates[best]!};
  }
}
