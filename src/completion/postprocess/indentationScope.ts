// Multi-line completions stay inside the block the cursor is in, judged by indentation alone (no
// parser), so it works the same for braces, Python and YAML.
//
// The rule, exactly:
// 1. The base width is the indentation the completion's first line lands at: when the text before
//    the cursor is whitespace only and the first line has text, the width of that text plus the
//    first line's own leading whitespace; otherwise the width of the cursor line's indentation.
// 2. Lines after the first are read in order; whitespace-only lines never end the scope.
// 3. A line indented less than the base ends the completion before that line.
// 4. When the cursor's line with the first completion line ends in a block opener ( { [ ( : ),
//    the completion is that block: the first later line back at the base width closes it. If that
//    line starts with a closing bracket it is kept and the completion ends after it, unless it
//    also opens a block again ("} else {"), when the block goes on. A line at the base width that
//    starts with a continuation keyword (else, elif, except, finally, catch) goes on too. Any
//    other line at the base width is a new statement after the block: the completion ends
//    before it.
// Without an opener, lines at the base width are sibling statements and are kept.
import {indentWidth, isBlank, leadingWhitespace, splitLines, tabSizeOf} from "./lines";
import {PostprocessContext, PostprocessRule} from "./types";

const OPENER = /[{[(:]$/;
const CLOSER = /^[}\])]/;
const CONTINUATION = /^(else|elif|except|finally|catch)\b/;

export const indentationScope: PostprocessRule = (completion, context) => {
  const lines = splitLines(completion);
  if (lines.length < 2) return completion;
  const tabSize = tabSizeOf(context);
  const base = baseWidth(lines[0], context, tabSize);
  const opensBlock = OPENER.test((context.linePrefix + lines[0]).trimEnd());

  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (isBlank(line)) continue;
    const width = indentWidth(line, tabSize);
    if (width < base) return keep(lines, i, context);
    if (!opensBlock || width > base) continue;
    const text = line.trim();
    if (CLOSER.test(text)) {
      if (OPENER.test(text)) continue;
      return keep(lines, i + 1, context);
    }
    if (CONTINUATION.test(text)) continue;
    return keep(lines, i, context);
  }
  return completion;
};

function baseWidth(firstLine: string, context: PostprocessContext, tabSize: number): number {
  if (isBlank(context.linePrefix) && !isBlank(firstLine))
    return indentWidth(context.linePrefix + leadingWhitespace(firstLine), tabSize);
  return indentWidth(context.indentation, tabSize);
}

function keep(lines: string[], count: number, context: PostprocessContext): string {
  return lines.slice(0, count).join(context.eol);
}
