// A fixed draft length K every round: the baseline speculative decoding papers start from.
import {DraftPolicy, PolicyState} from "./policy";
import {requireInteger} from "../options";

export interface StaticParameters {
  /** Tokens drafted every round. Default 4. */
  k: number;
}

export const STATIC_DEFAULTS: StaticParameters = {k: 4};

export class StaticPolicy implements DraftPolicy {
  readonly name = "static";
  readonly parameters: Readonly<StaticParameters>;

  constructor(parameters: Partial<StaticParameters> = {}) {
    const p = {...STATIC_DEFAULTS, ...parameters};
    requireInteger("static.k", p.k, 1, 256);
    this.parameters = Object.freeze(p);
  }

  beginRound(): number {
    return this.parameters.k;
  }

  shouldDraft(): boolean {
    return true;
  }

  update(): void {}

  reset(): void {}

  state(): PolicyState {
    return {draftLength: this.parameters.k};
  }
}
