// The command palette entries (category "Draftstop"). Commands change settings in the user's
// settings; the settings listener does the rest, so a command and a hand edit behave the same.
import * as vscode from "vscode";
import {SettingKey, SETTINGS, SETTINGS_SECTION, SettingValues} from "../settings/schema";
import type {SettingsStore} from "../settings/settings";
import type {PolicyName} from "../../engine/drafting/policies";
import type {ModelManager} from "../models/modelManager";
import type {EngineSession} from "../session/engineSession";
import {COMMANDS} from "../settings/commandIds";
import {pickModel, pickPreset} from "./modelPicker";
import type {Snooze} from "../completion/snooze";
import {pickSnoozeDuration, showStatusMenu} from "./statusMenu";
import type {DraftstopLog} from "./log";

export interface CommandContext {
  settings: SettingsStore;
  session: EngineSession;
  models: ModelManager;
  log: DraftstopLog;
  showStats: () => Promise<void>;
  resetStats: () => Promise<void>;
  snooze: Snooze;
}

const POLICY_LABELS: Record<PolicyName, string> = {
  costAware: "Cost-aware AdaEDL (drafts only where it pays on this machine)",
  adaedl: "AdaEDL as published (entropy-based, adaptive)",
  static: "Static K",
  maxConfidence: "Max-confidence",
  heuristic: "Heuristic (+2/−1)",
  off: "Off (target model only)"
};

export function registerCommands(context: CommandContext): vscode.Disposable[] {
  const {settings, models, log, snooze} = context;
  const register = (command: {id: string}, run: (...args: unknown[]) => unknown) => vscode.commands.registerCommand(command.id, run);
  return [
    register(COMMANDS.enable, async () => {
      snooze.resume(); // "until re-enabled" ends here too
      await settings.update("enable", true);
    }),
    register(COMMANDS.disable, () => settings.update("enable", false)),
    register(COMMANDS.selectTargetModel, async () => {
      const value = await pickModel("target", models);
      if (value !== undefined && value !== "") await settings.update("targetModel", value);
      return value;
    }),
    register(COMMANDS.selectDraftModel, async () => {
      const value = await pickModel("draft", models);
      if (value !== undefined) await settings.update("draftModel", value);
      return value;
    }),
    register(COMMANDS.choosePolicy, async (name?: unknown) => {
      const chosen = typeof name === "string" ? name : (await vscode.window.showQuickPick(
        (Object.keys(POLICY_LABELS) as PolicyName[]).map(p => ({label: POLICY_LABELS[p], description: p === settings.values.policy ? "current" : "", name: p})),
        {title: "Draftstop: draft policy"}))?.name;
      if (chosen) await settings.update("policy", chosen);
      return chosen;
    }),
    register(COMMANDS.setPolicyParameters, async (key?: unknown, value?: unknown) => {
      if (typeof key === "string" && typeof value === "number") return settings.update(key as SettingKey, value as never);
      const parameter = await pickPolicyParameter(settings.values);
      if (!parameter) return undefined;
      const spec = SETTINGS[parameter] as {minimum: number; maximum: number; description: string; type: string};
      const input = await vscode.window.showInputBox({
        title: `${SETTINGS_SECTION}.${parameter}`,
        prompt: spec.description,
        value: String(settings.values[parameter]),
        validateInput: text => {
          const n = Number(text);
          const ok = text.trim() !== "" && Number.isFinite(n) && n >= spec.minimum && n <= spec.maximum && (spec.type !== "integer" || Number.isInteger(n));
          return ok ? undefined : `${spec.type === "integer" ? "an integer" : "a number"} from ${spec.minimum} to ${spec.maximum}`;
        }
      });
      if (input !== undefined) await settings.update(parameter, Number(input) as never);
      return input;
    }),
    register(COMMANDS.showStats, () => context.showStats()),
    register(COMMANDS.resetStats, () => context.resetStats()),
    register(COMMANDS.downloadRecommendedModels, async () => {
      const preset = await pickPreset();
      if (!preset) return undefined;
      try {
        await models.installPreset(preset);
      } catch (error) {
        log.error(`download failed: ${(error as Error).message}`);
        void vscode.window.showErrorMessage(`Draftstop: ${(error as Error).message}`, "Show Log").then(c => c && log.show());
      }
      return preset.id;
    }),
    register(COMMANDS.useDemoModels, () => models.useDemoPair()),
    register(COMMANDS.showLog, () => log.show()),
    // minutes: a number (fractions too: the tests snooze for seconds) or "untilResumed"; none: ask.
    register(COMMANDS.snooze, async (minutes?: unknown) => {
      const duration = minutes ?? await pickSnoozeDuration();
      if (duration === undefined) return undefined;
      return duration === "untilResumed" ? snooze.snoozeUntilResumed() : snooze.snoozeFor(duration as number);
    }),
    register(COMMANDS.resume, () => snooze.resume()),
    register(COMMANDS.showMenu, () => showStatusMenu(snooze, settings.values.enable))
  ];
}

async function pickPolicyParameter(values: SettingValues): Promise<SettingKey | undefined> {
  const prefix = `${values.policy}.`;
  const keys = (Object.keys(SETTINGS) as SettingKey[]).filter(k => k.startsWith(prefix));
  if (keys.length === 0) {
    void vscode.window.showInformationMessage(`Draftstop: the ${values.policy} policy has no parameters.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(keys.map(key => ({
    label: key.slice(prefix.length), description: String(values[key]), detail: (SETTINGS[key] as {description: string}).description, key
  })), {title: `Draftstop: ${values.policy} parameters`});
  return picked?.key;
}
