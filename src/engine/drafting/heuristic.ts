// Hugging Face's assisted-generation heuristic: start at 5, +2 after a round in which every
// drafted token was accepted, −1 otherwise, never below 1.
import {BasePolicy, PolicyState} from "./policy";
import {requireInteger} from "../options";

export interface HeuristicParameters {
  /** Draft length of the first round. Default 5. */
  start: number;
  /** Added after a fully accepted round. Default 2. */
  increase: number;
  /** Subtracted after a round with a rejection. Default 1. */
  decrease: number;
  /** Least draft length. Default 1. */
  minDraft: number;
  /** Most tokens drafted in a round. Default 16. */
  maxDraft: number;
}

export const HEURISTIC_DEFAULTS: HeuristicParameters = {start: 5, increase: 2, decrease: 1, minDraft: 1, maxDraft: 16};

export class HeuristicPolicy extends BasePolicy<HeuristicParameters> {
  readonly name = "heuristic";
  private length: number;

  constructor(parameters: Partial<HeuristicParameters> = {}) {
    super(HEURISTIC_DEFAULTS, parameters, p => {
      requireInteger("heuristic.maxDraft", p.maxDraft, 1, 256);
      requireInteger("heuristic.minDraft", p.minDraft, 1, p.maxDraft);
      requireInteger("heuristic.start", p.start, p.minDraft, p.maxDraft);
      requireInteger("heuristic.increase", p.increase, 0, 256);
      requireInteger("heuristic.decrease", p.decrease, 0, 256);
    });
    this.length = this.parameters.start;
  }

  maxDraftThisRound(): number {
    return this.length;
  }

  override update(drafted: number, accepted: number): void {
    if (drafted <= 0) return;
    const {increase, decrease, minDraft, maxDraft} = this.parameters;
    // A round capped below the current length (e.g. by maxTokens) says nothing about the length itself.
    if (drafted < this.length && accepted === drafted) return;
    const next = accepted === drafted ? this.length + increase : this.length - decrease;
    this.length = Math.min(maxDraft, Math.max(minDraft, next));
  }

  override reset(): void {
    this.length = this.parameters.start;
  }

  override state(): PolicyState {
    return {draftLength: this.length};
  }
}
