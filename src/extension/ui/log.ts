// The "Draftstop" log channel, keeping the last warnings and errors so that tests (and a future
// "report a problem" command) can see what the user was told.
import * as vscode from "vscode";
import type {Logger} from "../session/logger";

export interface LoggedProblem {
  level: "warn" | "error";
  message: string;
  at: number;
}

export interface DraftstopLog extends Logger, Pick<vscode.LogOutputChannel, "dispose"> {
  readonly problems: readonly LoggedProblem[];
  show(): void;
}

const KEPT_PROBLEMS = 200;

export function createLog(): DraftstopLog {
  const channel = vscode.window.createOutputChannel("Draftstop", {log: true});
  const problems: LoggedProblem[] = [];
  const keep = (level: LoggedProblem["level"], message: string | Error) => {
    problems.push({level, message: message instanceof Error ? message.message : message, at: Date.now()});
    if (problems.length > KEPT_PROBLEMS) problems.shift();
  };
  return {
    problems,
    info: (message: string, ...args: unknown[]) => channel.info(message, ...args),
    debug: (message: string, ...args: unknown[]) => channel.debug(message, ...args),
    warn: (message: string, ...args: unknown[]) => {
      keep("warn", message);
      channel.warn(message, ...args);
    },
    error: (message: string | Error, ...args: unknown[]) => {
      keep("error", message);
      channel.error(message, ...args);
    },
    show: () => channel.show(true),
    dispose: () => channel.dispose()
  };
}
