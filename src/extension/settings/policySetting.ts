// The draft policy the settings describe, validated as a whole (e.g. adaedl.minDraft ≤ maxDraft,
// which no single setting's range can say). A spec the engine would refuse is reported with the
// setting's name and the last valid spec stays in use.
import {InvalidOptionError} from "../../engine/errors";
import {createPolicy, PolicySpec} from "../../engine/drafting/policies";
import {policySpecFrom} from "./engineOptions";
import {SETTINGS_SECTION, SettingValues} from "./schema";

export class PolicySetting {
  private lastValid: PolicySpec = {name: "costAware"};

  constructor(private readonly report: (settingKey: string, message: string) => void) {}

  /** The spec last resolved (what the engine was given), without validating the settings again. */
  get current(): PolicySpec {
    return this.lastValid;
  }

  /** The spec to use now: the settings' own, or the last valid one if theirs is refused. */
  resolve(values: SettingValues): PolicySpec {
    const spec = policySpecFrom(values);
    try {
      createPolicy(spec);
      this.lastValid = spec;
    } catch (error) {
      if (!(error instanceof InvalidOptionError)) throw error;
      this.report(error.option, `${SETTINGS_SECTION}.${error.message}. Keeping the ${this.lastValid.name} policy as it was.`);
    }
    return this.lastValid;
  }
}

export function isPolicySetting(key: string): boolean {
  return key === "policy" || /^(costAware|adaedl|static|maxConfidence|heuristic)\./.test(key);
}
