// A fixed draft length K every round: the baseline speculative decoding papers start from.
import {BasePolicy, PolicyState} from "./policy";
import {requireInteger} from "../options";

export interface StaticParameters {
  /** Tokens drafted every round. Default 4. */
  k: number;
}

export const STATIC_DEFAULTS: StaticParameters = {k: 4};

export class StaticPolicy extends BasePolicy<StaticParameters> {
  readonly name = "static";

  constructor(parameters: Partial<StaticParameters> = {}) {
    super(STATIC_DEFAULTS, parameters, p => {
      requireInteger("static.k", p.k, 1, 256);
    });
  }

  maxDraftThisRound(): number {
    return this.parameters.k;
  }

  override state(): PolicyState {
    return {draftLength: this.parameters.k};
  }
}
