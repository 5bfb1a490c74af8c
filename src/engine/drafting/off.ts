// No drafting: every round is one target pass for one token (plain target-only decoding).
import {BasePolicy} from "./policy";

export class OffPolicy extends BasePolicy {
  readonly name = "off";

  constructor() {
    super({});
  }

  maxDraftThisRound(): number {
    return 0;
  }

  override shouldDraft(): boolean {
    return false;
  }
}
