// No drafting: every round is one target pass for one token (plain target-only decoding).
import {DraftPolicy, PolicyState} from "./policy";

export class OffPolicy implements DraftPolicy {
  readonly name = "off";

  beginRound(): number {
    return 0;
  }

  shouldDraft(): boolean {
    return false;
  }

  update(): void {}

  reset(): void {}

  state(): PolicyState {
    return {};
  }
}
