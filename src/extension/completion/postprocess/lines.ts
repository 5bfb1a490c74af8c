// Line helpers shared by the rules. Every rule accepts "\n", "\r\n" or a lone "\r" as a line break
// in its input, so each can be used and tested on its own.
import {isBlank} from "../../../engine/completionStop";
import {POSTPROCESS_DEFAULTS, PostprocessContext} from "./types";

export {indentWidth, isBlank, leadingWhitespace} from "../../../engine/completionStop";

export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

export function tabSizeOf(context: PostprocessContext): number {
  const tabSize = context.tabSize ?? POSTPROCESS_DEFAULTS.tabSize;
  return Number.isInteger(tabSize) && tabSize > 0 ? tabSize : POSTPROCESS_DEFAULTS.tabSize;
}

/** The first line after the cursor's line that has any non-whitespace text. */
export function nextNonBlankLine(suffix: string): string | undefined {
  return splitLines(suffix).slice(1).find(line => !isBlank(line));
}
