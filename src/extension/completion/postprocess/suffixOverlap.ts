// Models often go on to write the code that already follows the cursor; accepting such a
// completion would duplicate it. Two checks, in order:
//
// 1. Repeated line: the completion is cut before its first line that reproduces the next
//    non-blank line of the suffix (same text and same indentation width, trailing whitespace
//    ignored). The completion's first line counts only when the cursor's line is blank, and is
//    then compared without indentation, since it lands wherever the cursor is.
// 2. Repeated tail: the completion's end (trailing whitespace ignored) equals the start of the
//    suffix. The longest such overlap is removed when
//    - it reaches past the cursor's line and has text there (a "}" that is already below), or
//    - it lies in the cursor's line and removing it makes that line's brackets and quotes more
//      balanced, or as balanced when it is the whole rest of the line. Balance tells
//      `foo(a, b))` before ")" (cut to `foo(a, b)`) from `foo(a, b)` before ")" (kept: its own
//      ")" closes its own "(").
import {bracketImbalance} from "./bracketBalance";
import {indentWidth, isBlank, nextNonBlankLine, splitLines, tabSizeOf} from "./lines";
import {PostprocessContext, PostprocessRule} from "./types";

export const suffixOverlap: PostprocessRule = (completion, context) =>
  cutRepeatedTail(cutBeforeRepeatedLine(completion, context), context);

function cutBeforeRepeatedLine(completion: string, context: PostprocessContext): string {
  const next = nextNonBlankLine(context.suffix);
  if (next === undefined) return completion;
  const tabSize = tabSizeOf(context);
  const lines = splitLines(completion);
  const firstLineCounts = isBlank(context.linePrefix) && isBlank(context.lineSuffix);
  for (let i = firstLineCounts ? 0 : 1; i < lines.length; i++) {
    const line = lines[i];
    if (isBlank(line) || line.trim() !== next.trim()) continue;
    if (i === 0 || indentWidth(line, tabSize) === indentWidth(next, tabSize)) return lines.slice(0, i).join(context.eol);
  }
  return completion;
}

function cutRepeatedTail(completion: string, context: PostprocessContext): string {
  const body = completion.trimEnd();
  const {suffix, lineSuffix, linePrefix} = context;
  const line = (middle: string) => bracketImbalance(linePrefix + middle + lineSuffix);
  const before = line(body);
  for (let k = Math.min(body.length, suffix.length); k > 0; k--) {
    if (suffix.charCodeAt(k - 1) !== body.charCodeAt(body.length - 1)) continue;
    const overlap = suffix.slice(0, k);
    if (isBlank(overlap) || !body.endsWith(overlap)) continue;
    const kept = body.slice(0, body.length - k);
    if (k > lineSuffix.length) {
      if (!isBlank(overlap.slice(lineSuffix.length))) return kept;
      continue;
    }
    const after = line(kept);
    const wholeRest = overlap.trim() === lineSuffix.trim();
    if (after < before || (wholeRest && after === before)) return kept;
  }
  return completion;
}
