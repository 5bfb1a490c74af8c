// What a click on the status bar offers: the statistics (first, so click + Enter opens them as a
// plain click used to), snoozing for a while or until resumed, resuming, the log.
import * as vscode from "vscode";
import {COMMANDS} from "../settings/commandIds";
import {Snooze, SNOOZE_CHOICES_MINUTES} from "../completion/snooze";
import {snoozeLabel} from "./statusText";

/** A snooze command argument: minutes, or until resumed. */
export type SnoozeDuration = number | "untilResumed";

interface MenuItem extends vscode.QuickPickItem {
  command?: string;
  args?: unknown[];
}

function snoozeItems(): MenuItem[] {
  return [
    ...SNOOZE_CHOICES_MINUTES.map(minutes => ({label: `$(bell-slash) Snooze for ${minutes} minutes`, command: COMMANDS.snooze.id, args: [minutes]})),
    {label: "$(bell-slash) Snooze until resumed", command: COMMANDS.snooze.id, args: ["untilResumed"]}
  ];
}

/** Shows the menu and runs the chosen command; resolves with its id, or undefined when dismissed. */
export async function showStatusMenu(snooze: Snooze, enabled: boolean): Promise<string | undefined> {
  const state = snooze.state;
  const items: MenuItem[] = [
    {label: "$(graph) Show Stats", command: COMMANDS.showStats.id},
    ...(state.snoozed ? [{label: "$(bell) Resume Completions", description: snoozeLabel(state), command: COMMANDS.resume.id}] : []),
    {label: "", kind: vscode.QuickPickItemKind.Separator},
    ...snoozeItems(),
    {label: "", kind: vscode.QuickPickItemKind.Separator},
    enabled ? {label: "$(circle-slash) Disable Completions", command: COMMANDS.disable.id} : {label: "$(check) Enable Completions", command: COMMANDS.enable.id},
    {label: "$(output) Show Log", command: COMMANDS.showLog.id}
  ];
  const picked = await vscode.window.showQuickPick(items, {title: "Draftstop"});
  if (!picked?.command) return undefined;
  await vscode.commands.executeCommand(picked.command, ...(picked.args ?? []));
  return picked.command;
}

/** Asks how long to snooze. */
export async function pickSnoozeDuration(): Promise<SnoozeDuration | undefined> {
  const picked = await vscode.window.showQuickPick(snoozeItems(), {title: "Draftstop: snooze completions"});
  return picked?.args?.[0] as SnoozeDuration | undefined;
}
