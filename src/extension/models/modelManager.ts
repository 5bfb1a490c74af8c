// Turns the model settings into loaded models: resolves hf: URIs by downloading (with a
// cancellable progress notification), loads the pair in the model process, and tells the user
// what went wrong, naming the file, while the previous models stay in use.
import {mkdir} from "node:fs/promises";
import {join} from "node:path";
import * as vscode from "vscode";
import {loadOptionsFrom} from "../settings/engineOptions";
import type {PolicySpec} from "../../engine/drafting/policies";
import {formatBytes} from "../../engine/formatBytes";
import type {SettingsStore} from "../settings/settings";
import type {EngineSession} from "../session/engineSession";
import {COMMANDS} from "../settings/commandIds";
import {parseModelReference} from "./modelReference";
import type {DemoPair} from "./demoPair";
import type {ModelPreset} from "./presets";
import type {Logger} from "../session/logger";

export class ModelManager {
  private offeredSetup = false;

  constructor(
    private readonly session: EngineSession,
    private readonly settings: SettingsStore,
    private readonly log: Logger & {show(): void},
    private readonly globalStorage: string,
    /** The tiny demo pair, when the extension runs from a clone of the repository. */
    readonly demoPair: DemoPair | undefined,
    /** The validated draft policy to load with. */
    private readonly policy: () => PolicySpec
  ) {}

  get downloadDirectory(): string {
    return this.settings.values.modelDirectory.trim() || join(this.globalStorage, "models");
  }

  /** Loads the models the settings name; returns false when nothing (new) could be loaded. */
  async loadFromSettings(): Promise<boolean> {
    const values = this.settings.values;
    const target = parseModelReference(values.targetModel);
    if (!target) {
      await this.session.unloadIfLoaded();
      void this.offerSetup();
      return false;
    }
    let targetPath: string;
    let draftPath: string | undefined;
    try {
      targetPath = await this.localPath(values.targetModel, "target");
      draftPath = parseModelReference(values.draftModel) ? await this.localPath(values.draftModel, "draft") : undefined;
    } catch (error) {
      this.report(error as Error, "targetModel");
      return false;
    }
    // What is learned about each pair (acceptance by entropy, speculation's gain) outlives the window.
    const options = {...loadOptionsFrom(values, {targetPath, draftPath}, this.policy()), calibrationFile: join(this.globalStorage, "calibration.json")};
    this.log.info(`loading target ${targetPath}${draftPath ? ` and draft ${draftPath}` : " (no draft)"}`);
    try {
      const started = Date.now();
      const result = await this.session.load(options);
      this.log.info(`models loaded in ${Date.now() - started} ms on ${result.info.device}: ${result.info.target.name}` +
        `${result.info.draft ? ` + ${result.info.draft.name}` : ""}, context ${result.info.contextSize}, ${result.info.threads} thread(s)`);
      if (result.draftError) {
        this.log.warn(`draft model not used: ${result.draftError.message}`);
        void this.showProblem(`Draftstop: the draft model cannot be used (${result.draftError.message}). Completing with the target model alone.`,
          "draftModel", "warning");
      }
      const layout = await this.session.chooseFimLayout(values.fimLayout as "auto" | "psm" | "spm").catch(error => {
        this.log.warn(`FIM layout measurement failed: ${(error as Error).message}`);
        return undefined;
      });
      if (layout) this.log.info(`FIM layout: ${layout}${this.session.snapshot.fimCosts ? ` (per keystroke: ${this.session.snapshot.fimCosts})` : ""}`);
      return true;
    } catch (error) {
      this.report(error as Error, (error as {role?: string}).role === "draft" ? "draftModel" : "targetModel");
      return false;
    }
  }

  /** Downloads a preset pair and points the settings at the downloaded files. */
  async installPreset(preset: ModelPreset): Promise<void> {
    const target = await this.download(preset.target.uri);
    const draft = await this.download(preset.draft.uri);
    await this.settings.update("targetModel", target);
    await this.settings.update("draftModel", draft);
  }

  async useDemoPair(): Promise<void> {
    if (!this.demoPair) throw new Error("the tiny demo models are only in a clone of the Draftstop repository");
    await this.settings.update("targetModel", this.demoPair.target);
    await this.settings.update("draftModel", this.demoPair.draft);
  }

  /** Downloads (or finds already downloaded) a remote model, with a cancellable progress notification. */
  async download(uri: string): Promise<string> {
    const directory = this.downloadDirectory;
    await mkdir(directory, {recursive: true});
    this.log.info(`downloading ${uri} to ${directory}`);
    return vscode.window.withProgress({location: vscode.ProgressLocation.Notification, title: `Draftstop: downloading ${uri}`, cancellable: true},
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        let reported = 0;
        const result = await this.session.download(uri, directory, controller.signal, ({done, total}) => {
          const percent = total > 0 ? (100 * done) / total : 0;
          progress.report({increment: percent - reported, message: `${percent.toFixed(0)} % of ${formatBytes(total)}`});
          reported = percent;
        });
        this.log.info(`downloaded ${uri} → ${result.path} (${formatBytes(result.totalBytes)})`);
        return result.path;
      });
  }

  private async localPath(value: string, role: "target" | "draft"): Promise<string> {
    const reference = parseModelReference(value)!;
    if (reference.kind === "file") return reference.path;
    try {
      return await this.download(reference.uri);
    } catch (error) {
      throw Object.assign(new Error(`${role} model ${reference.uri}: ${(error as Error).message}`), {role});
    }
  }

  private report(error: Error, setting: "targetModel" | "draftModel"): void {
    this.log.error(error.message);
    void this.showProblem(`Draftstop: ${error.message}`, setting, "error");
  }

  private async showProblem(message: string, setting: string, severity: "error" | "warning"): Promise<void> {
    const show = severity === "error" ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    const choice = await show(message, "Open Settings", "Show Log");
    if (choice === "Open Settings") await vscode.commands.executeCommand("workbench.action.openSettings", `draftstop.${setting}`);
    else if (choice === "Show Log") this.log.show();
  }

  /** With no models configured: offer the recommended downloads (and the demo pair in a clone). */
  private async offerSetup(): Promise<void> {
    if (this.offeredSetup) return;
    this.offeredSetup = true;
    const actions = ["Download Recommended Models", "Select Target Model", ...(this.demoPair ? ["Use Tiny Demo Models"] : [])];
    const choice = await vscode.window.showInformationMessage(
      "Draftstop needs a target model (and a draft model of the same family) to complete code.", ...actions);
    if (choice === "Download Recommended Models") await vscode.commands.executeCommand(COMMANDS.downloadRecommendedModels.id);
    else if (choice === "Select Target Model") await vscode.commands.executeCommand(COMMANDS.selectTargetModel.id);
    else if (choice === "Use Tiny Demo Models") await vscode.commands.executeCommand(COMMANDS.useDemoModels.id);
  }
}

// The one byte formatter lives in the engine's stats; re-exported for the model picker.
export {formatBytes};
