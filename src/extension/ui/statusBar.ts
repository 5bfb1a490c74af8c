// The one status bar item: engine state, live numbers, a snooze and the last outcome; a click
// opens the status menu (statistics, snooze, log). While a completion generates, the item is
// re-rendered every second so the elapsed time it shows keeps up.
import * as vscode from "vscode";
import {COMMANDS} from "../settings/commandIds";
import {StatusInput, statusText} from "./statusText";

export const STATUS_BAR_ID = "draftstop.status";

const GENERATING_TICK_MS = 1000;

/** Everything the item shows but the elapsed time, which the item measures itself. */
export type StatusSources = () => Omit<StatusInput, "generatingMs" | "now">;

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(STATUS_BAR_ID, vscode.StatusBarAlignment.Right, 100);
  private tooltipText = "";
  private generatingSince: number | undefined;
  private ticker: NodeJS.Timeout | undefined;

  constructor(private readonly sources: StatusSources) {
    this.item.name = "Draftstop";
    this.item.command = COMMANDS.showMenu.id;
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

  /** Shows what the sources say now. */
  render(): void {
    const input = this.sources();
    const now = Date.now();
    this.trackGenerating(input.state.kind === "generating", now);
    const shown = statusText({...input, now, generatingMs: this.generatingSince === undefined ? undefined : now - this.generatingSince});
    this.item.text = shown.text;
    this.tooltipText = shown.tooltip;
    const tooltip = new vscode.MarkdownString(shown.tooltip);
    tooltip.supportThemeIcons = true;
    this.item.tooltip = tooltip;
    this.item.backgroundColor = shown.severity ? new vscode.ThemeColor(`statusBarItem.${shown.severity}Background`) : undefined;
  }

  dispose(): void {
    this.stopTicker();
    this.item.dispose();
  }

  private trackGenerating(generating: boolean, now: number): void {
    if (!generating) {
      this.generatingSince = undefined;
      this.stopTicker();
      return;
    }
    this.generatingSince ??= now;
    this.ticker ??= setInterval(() => this.render(), GENERATING_TICK_MS);
  }

  private stopTicker(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }
}
