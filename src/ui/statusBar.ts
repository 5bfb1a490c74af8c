// The one status bar item: engine state and live numbers; click opens the statistics.
import * as vscode from "vscode";
import type {DrafterSetting} from "../engine";
import type {SessionSnapshot} from "../session/engineSession";
import {COMMANDS} from "../config/commandIds";
import {statusText} from "./statusText";

export const STATUS_BAR_ID = "draftstop.status";

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(STATUS_BAR_ID, vscode.StatusBarAlignment.Right, 100);
  private tooltipText = "";

  constructor() {
    this.item.name = "Draftstop";
    this.item.command = COMMANDS.showStats.id;
    this.item.show();
  }

  /** Last text shown, for tests and the log. */
  get text(): string {
    return this.item.text;
  }

  /** Last tooltip shown (markdown), for tests. */
  get tooltip(): string {
    return this.tooltipText;
  }

  /** `drafter`: the draftstop.drafter setting, which the snapshot does not hold (it is sent with each request). */
  render(snapshot: SessionSnapshot, drafter: DrafterSetting): void {
    const shown = statusText({
      state: snapshot.disabled ? {kind: "disabled"} : snapshot.state,
      info: snapshot.info,
      stats: snapshot.stats,
      policy: snapshot.policy,
      draftProblem: snapshot.draftProblem,
      drafter
    });
    this.item.text = shown.text;
    this.tooltipText = shown.tooltip;
    const tooltip = new vscode.MarkdownString(shown.tooltip);
    tooltip.supportThemeIcons = true;
    this.item.tooltip = tooltip;
    this.item.backgroundColor = shown.severity ? new vscode.ThemeColor(`statusBarItem.${shown.severity}Background`) : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
