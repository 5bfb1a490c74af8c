// Line helpers shared by the rules. Every rule accepts "\n", "\r\n" or a lone "\r" as a line break
// in its input, so each can be used and tested on its own.
import {POSTPROCESS_DEFAULTS, PostprocessContext} from "./types";

export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

export function isBlank(text: string): boolean {
  return text.trim() === "";
}

export function leadingWhitespace(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

/** Column at which the line's text starts, with tabs advancing to the next tab stop. */
export function indentWidth(line: string, tabSize: number): number {
  let column = 0;
  for (const char of leadingWhitespace(line)) column = char === "\t" ? (Math.floor(column / tabSize) + 1) * tabSize : column + 1;
  return column;
}

export function tabSizeOf(context: PostprocessContext): number {
  const tabSize = context.tabSize ?? POSTPROCESS_DEFAULTS.tabSize;
  return Number.isInteger(tabSize) && tabSize > 0 ? tabSize : POSTPROCESS_DEFAULTS.tabSize;
}

/** The first line after the cursor's line that has any non-whitespace text. */
export function nextNonBlankLine(suffix: string): string | undefined {
  return splitLines(suffix).slice(1).find(line => !isBlank(line));
}
