// A fixed draft length K every round: the baseline speculative decoding papers start from.
import {BasePolicy, PolicyState} from "./policy";
import {requireInteger} from "../options";

export interface StaticParameters {
  /** Tokens drafted every round. Default 4. */
  k: number;
}

export const STATIC_DEFAULTS: StaticParameters = {k: 4};

export class StaticPolicy extends BasePolicy {
  readonly name = "static";
  readonly parameters: Readonly<StaticParameters>;

  constructor(parameters: Partial<StaticParameters> = {}) {
    super();
    const p = {...STATIC_DEFAULTS, ...parameters};
    requireInteger("static.k", p.k, 1, 256);
    this.parameters = Object.freeze(p);
  }

  maxDraftThisRound(): number {
    return this.parameters.k;
  }

  override state(): PolicyState {
    return {draftLength: this.parameters.k};
  }
}
