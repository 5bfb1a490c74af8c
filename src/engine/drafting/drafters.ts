// What the drafter setting means with the models loaded and the policy chosen: one rule for the
// engine's round loop and for what the status bar and panel say about it.
import type {DrafterSetting} from "../options";

/** Which drafters can propose drafts. */
export type DraftSources = "model" | "lookup" | "both" | "none";

/**
 * "auto" is "both" with a draft model and "lookup" without; without a draft model only lookup can
 * draft ("model" then drafts nothing); the "off" policy is target-only decoding, lookup included.
 */
export function draftSources(setting: DrafterSetting, hasDraftModel: boolean, policyName?: string): DraftSources {
  if (policyName === "off") return "none";
  const chosen = setting === "auto" ? (hasDraftModel ? "both" : "lookup") : setting;
  if (hasDraftModel) return chosen;
  return chosen === "model" ? "none" : "lookup";
}
