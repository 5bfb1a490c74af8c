// The contract between the round loop and a draft-length rule. The loop asks, before drafting each
// token, whether to go on; after verification it reports how many drafted tokens were accepted.
import type {PassCosts} from "./costModel";
import type {SpeculationGain} from "./speculationGain";
import type {Token} from "../nlc";

/** What the loop knows about the draft's next-token distribution q_i before drafting token i. */
export interface DraftStep {
  /** 1-based position of the token about to be drafted in this round. */
  index: number;
  /** Entropy of q_i in nats (see entropy.ts for how it is estimated in greedy mode). */
  entropy: number;
  /** Largest probability in q_i. */
  topProbability: number;
  /** Index in the committed tokens (prompt included) where it would go. */
  position: number;
}

/**
 * A step with the token that would be drafted (argmax of q_i, or a sample of it). Only a
 * hindsight rule for the benchmark reads it (HindsightPolicy): a rule whose decision depended on a
 * sampled token would bias which samples get drafted, and the output would no longer be exactly
 * the target's. Rules for users get DraftStep, which does not carry it.
 */
export interface HindsightStep extends DraftStep {
  token: Token;
}

export interface PolicyState {
  /** AdaEDL's current threshold λ; for the cost-aware rule, the acceptance a drafted token needs to pay. */
  lambda?: number;
  /** The cost-aware rule: the speed-up rounds that ran the draft have given, and whether it drafts now. */
  speculationGain?: number;
  speculating?: boolean;
  /** The cost-aware rule: the draft runs this round only to explore (its gain has not earned it in). */
  exploring?: boolean;
  /** AdaEDL's smoothed acceptance rate. */
  acceptanceEstimate?: number;
  /** The draft length the rule currently aims for (static, heuristic). */
  draftLength?: number;
}

/** What the engine has learned, for the rules that use it (engineCalibration.ts). */
export interface PolicyEnvironment {
  /** The cost model for this generation's verification mode. */
  costs: PassCosts;
  /** Calibrated acceptance by draft entropy for this generation's sampling setting, read optimistically (acceptanceMap.ts). */
  acceptance: {optimistic(entropy: number, optimism?: number): number; best(optimism?: number): number};
  /** The gain rounds that ran the draft have given, for this sampling setting. */
  gain: SpeculationGain;
  /** How the draft's entropy moves from one drafted token to the next, and where rounds start (entropyTransitions.ts), by the acceptance map's bins. */
  transitions: {readonly bins: number; next(bin: number): readonly number[]; start(): readonly number[]};
}

export interface DraftPolicy {
  /** A PolicyName, or a benchmark's own ("matchOracle", "optimum"). */
  readonly name: string;
  /** Upper bound on tokens to draft in the round about to start (0: a target-only round). */
  maxDraftThisRound(): number;
  /** A round in which the draft model drafts begins: asked before its first shouldDraft. */
  beginRound?(): void;
  /** true: draft token `step.index`; false: stop drafting and verify what is drafted. */
  shouldDraft(step: DraftStep): boolean;
  /**
   * A hindsight rule (the benchmark's oracle) decides knowing the token; when present the loop
   * asks this instead of shouldDraft. Never for users: see HindsightStep.
   */
  shouldDraftKnowing?(step: HindsightStep): boolean;
  /**
   * Asked before the draft pass for token `index` (2 or more): false ends drafting without that
   * pass, for a rule that can tell no token there could pay for itself. Default true.
   */
  worthAnotherPass?(index: number): boolean;
  /**
   * Called after every round with the k tokens drafted (0 in a target-only round), the a of them
   * accepted, and the most the round could draft (maxDraftThisRound() cut by maxTokens, the context
   * or a stop; 0 when it could draft nothing). The round loop always passes it; without it, the
   * rule's own maximum.
   */
  update(drafted: number, accepted: number, cap?: number): void;
  /** Back to the initial state (e.g. λ0) without reloading anything. */
  reset(): void;
  state(): PolicyState;
  /** Called before each generation with what the engine has learned. */
  prepare?(environment: PolicyEnvironment): void;
  /**
   * Whether the draft must hold the prompt even though the first round drafts nothing (a rule that
   * may start drafting later in the generation). Default: maxDraftThisRound() > 0.
   */
  mayDraftLater?(): boolean;
}

/**
 * No-op defaults for the parts of the contract a rule may not need: it drafts whenever asked, learns
 * nothing from a round, and has no state to show or reset.
 */
export abstract class BasePolicy<P extends object = object> implements DraftPolicy {
  abstract readonly name: string;
  /** The rule's parameters: its defaults overridden by what was given, checked by `check`, then frozen. */
  readonly parameters: Readonly<P>;

  protected constructor(defaults: P, given: Partial<P> = {}, check: (parameters: P) => void = () => {}) {
    const parameters = {...defaults, ...given};
    check(parameters);
    this.parameters = Object.freeze(parameters);
  }

  abstract maxDraftThisRound(): number;

  beginRound(): void {}

  shouldDraft(_step: DraftStep): boolean {
    return true;
  }

  update(_drafted: number, _accepted: number, _cap?: number): void {}

  reset(): void {}

  state(): PolicyState {
    return {};
  }
}

export const POLICY_NAMES = ["costAware", "adaedl", "static", "maxConfidence", "heuristic", "off"] as const;
export type PolicyName = typeof POLICY_NAMES[number];
