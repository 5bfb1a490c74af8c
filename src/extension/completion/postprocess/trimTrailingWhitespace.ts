// Trailing whitespace is invisible in ghost text but lands in the file on accept, and trailing
// empty lines push the code below down. Removed: trailing spaces and tabs on every line and all
// trailing whitespace-only lines. Kept: the last line's trailing whitespace when the rest of the
// cursor's line starts with a word character, since removing it would glue two words together
// ("foo " before "bar"). The first line's leading whitespace is leadingWhitespace.ts's business.
import {isBlank, splitLines} from "./lines";
import {PostprocessRule} from "./types";

export const trimTrailingWhitespace: PostprocessRule = (completion, context) => {
  const lines = splitLines(completion);
  while (lines.length > 1 && isBlank(lines[lines.length - 1])) lines.pop();
  const last = lines.length - 1;
  const keepLast = /^\w/.test(context.lineSuffix) && !isBlank(lines[last]);
  return lines.map((line, i) => (i === last && keepLast ? line : line.replace(/[ \t]+$/, ""))).join(context.eol);
};
