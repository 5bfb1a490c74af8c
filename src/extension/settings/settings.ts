// Reads Draftstop's settings from VS Code, validates them, and keeps the last valid value of each
// setting when a new one is bad. Model paths are read from the user's (machine) settings only: a
// workspace must not be able to point the extension at a model file.
import * as vscode from "vscode";
import {defaultSettings, SettingKey, SETTINGS, SETTINGS_SECTION, SettingValues} from "./schema";
import {SettingProblem, validateSettings} from "./validate";

const MACHINE_ONLY = (Object.keys(SETTINGS) as SettingKey[]).filter(k => (SETTINGS[k] as {scope?: string}).scope === "machine");

export class SettingsStore implements vscode.Disposable {
  private current: SettingValues = defaultSettings();
  private readonly changed = new vscode.EventEmitter<{keys: SettingKey[]; values: SettingValues}>();
  private readonly problems = new vscode.EventEmitter<SettingProblem[]>();
  private readonly subscription: vscode.Disposable;

  /** Fires with the keys whose effective value changed. */
  readonly onDidChange = this.changed.event;
  /** Fires with settings that were refused (the previous value stays in use). */
  readonly onDidReject = this.problems.event;

  constructor() {
    this.current = this.read().values;
    this.subscription = vscode.workspace.onDidChangeConfiguration(event => {
      if (event.affectsConfiguration(SETTINGS_SECTION)) this.refresh();
    });
  }

  get values(): SettingValues {
    return this.current;
  }

  /** Problems with the settings as they are now (for the first report at activation). */
  validateNow(): SettingProblem[] {
    return this.read().problems;
  }

  /** Writes a setting to the user's settings (commands change them there, never in a workspace). */
  async update<K extends SettingKey>(key: K, value: SettingValues[K]): Promise<void> {
    await vscode.workspace.getConfiguration(SETTINGS_SECTION).update(key, value, vscode.ConfigurationTarget.Global);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
    this.problems.dispose();
  }

  private refresh(): void {
    const {values, problems} = this.read();
    const keys = (Object.keys(SETTINGS) as SettingKey[]).filter(k => JSON.stringify(values[k]) !== JSON.stringify(this.current[k]));
    this.current = values;
    if (problems.length) this.problems.fire(problems);
    if (keys.length) this.changed.fire({keys, values});
  }

  private read(): {values: SettingValues; problems: SettingProblem[]} {
    const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const raw: Partial<Record<SettingKey, unknown>> = {};
    for (const key of Object.keys(SETTINGS) as SettingKey[]) {
      if (MACHINE_ONLY.includes(key)) {
        const inspected = configuration.inspect(key);
        raw[key] = inspected?.globalValue ?? inspected?.defaultValue;
      } else raw[key] = configuration.get(key);
    }
    return validateSettings(raw, this.current);
  }
}
