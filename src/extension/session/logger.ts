// What the layers below the UI need of a log: levelled lines. The UI's output channel
// (extension/ui/log.ts) implements it; tests pass anything with these four methods.
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string | Error): void;
}
