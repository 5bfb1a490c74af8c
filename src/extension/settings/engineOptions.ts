// Settings → the engine's options. Pure, so it is tested without VS Code.
import type {EngineLoadOptions} from "../../engine/engine";
import type {DrafterSetting, GenerateOptions, GpuChoice, KvCacheType} from "../../engine/options";
import type {PolicySpec} from "../../engine/drafting/policies";
import {SettingKey, SETTINGS, SettingValues} from "./schema";

export function policySpecFrom(values: SettingValues): PolicySpec {
  switch (values.policy) {
    case "costAware":
      return {name: "costAware", maxDraft: values["costAware.maxDraft"], margin: values["costAware.margin"], exploreEvery: values["costAware.exploreEvery"],
        exploreAtMost: values["costAware.exploreAtMost"],
        optimism: values["costAware.optimism"], laterOptimism: values["costAware.laterOptimism"],
        planAhead: values["costAware.planAhead"]};
    case "adaedl":
      return {name: "adaedl", gamma: values["adaedl.gamma"], lambda0: values["adaedl.lambda0"], beta1: values["adaedl.beta1"],
        beta2: values["adaedl.beta2"], epsilon: values["adaedl.epsilon"], alpha: values["adaedl.alpha"],
        minDraft: values["adaedl.minDraft"], maxDraft: values["adaedl.maxDraft"]};
    case "static":
      return {name: "static", k: values["static.k"]};
    case "maxConfidence":
      return {name: "maxConfidence", pMin: values["maxConfidence.pMin"], maxDraft: values["maxConfidence.maxDraft"]};
    case "heuristic":
      return {name: "heuristic", start: values["heuristic.start"], maxDraft: Math.max(values["heuristic.maxDraft"], values["heuristic.start"])};
    default:
      return {name: "off"};
  }
}

export function loadOptionsFrom(values: SettingValues, paths: {targetPath: string; draftPath?: string}, policy: PolicySpec): EngineLoadOptions {
  return {
    targetPath: paths.targetPath,
    draftPath: paths.draftPath,
    gpu: (values.gpu === "off" ? false : values.gpu) as GpuChoice,
    threads: values.threads > 0 ? values.threads : undefined,
    contextSize: values.contextSize,
    kvCacheType: values.kvCacheType as KvCacheType,
    policy
  };
}

export function generateOptionsFrom(values: SettingValues): Omit<GenerateOptions, "signal"> {
  return {
    maxTokens: values.maxTokens,
    temperature: values.temperature,
    topK: values.topK,
    topP: values.topP,
    // Sent with every request, so switching it takes effect at the next completion without a reload.
    drafter: values.drafter as DrafterSetting
  };
}

/** Settings whose change needs the models loaded again. */
export const MODEL_SETTINGS: readonly SettingKey[] = (Object.keys(SETTINGS) as SettingKey[])
  .filter(key => (SETTINGS[key] as {reloadsModels?: boolean}).reloadsModels === true);
