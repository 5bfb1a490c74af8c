// Checks raw setting values (anything a settings.json can hold) against the schema. A bad value is
// reported with the setting's full name and the previous valid value stays in use.
import {SettingKey, SETTINGS, SETTINGS_SECTION, SettingSpec, SettingValues} from "./schema";

export interface SettingProblem {
  key: SettingKey;
  /** "draftstop.temperature: NaN is not valid; expected …" */
  message: string;
}

export function validateSettings(raw: Partial<Record<SettingKey, unknown>>, previous: SettingValues):
  {values: SettingValues; problems: SettingProblem[]} {
  const values = {...previous};
  const problems: SettingProblem[] = [];
  for (const key of Object.keys(SETTINGS) as SettingKey[]) {
    if (!(key in raw) || raw[key] === undefined) continue;
    const problem = checkValue(SETTINGS[key], raw[key]);
    if (problem) problems.push({key, message: `${SETTINGS_SECTION}.${key}: ${describe(raw[key])} is not valid; expected ${problem}. Keeping ${describe(previous[key])}.`});
    else (values as Record<string, unknown>)[key] = raw[key];
  }
  return {values, problems};
}

/** undefined when valid, else what was expected. */
function checkValue(spec: SettingSpec, value: unknown): string | undefined {
  switch (spec.type) {
    case "boolean":
      return typeof value === "boolean" ? undefined : "true or false";
    case "string":
      if (typeof value !== "string") return "a string";
      if (spec.enum && !spec.enum.includes(value)) return `one of ${spec.enum.join(", ")}`;
      return undefined;
    case "array":
      return Array.isArray(value) && value.every(v => typeof v === "string") ? undefined : "a list of strings";
    case "number":
    case "integer": {
      const kind = spec.type === "integer" ? "an integer" : "a number";
      const range = `${kind} ${spec.exclusiveMinimum ? ">" : "≥"} ${spec.minimum} and ≤ ${spec.maximum}`;
      if (typeof value !== "number" || !Number.isFinite(value)) return range;
      if (spec.type === "integer" && !Number.isInteger(value)) return range;
      if (value > spec.maximum || (spec.exclusiveMinimum ? value <= spec.minimum : value < spec.minimum)) return range;
      return undefined;
    }
  }
}

function describe(value: unknown): string {
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (value === undefined) return "undefined";
  return JSON.stringify(value);
}
