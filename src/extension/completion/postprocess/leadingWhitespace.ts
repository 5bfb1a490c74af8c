// After "x = " a completion " 5" would give "x =  5": when the text before the cursor already ends
// in whitespace after some code, the completion's leading spaces and tabs are dropped. When the
// cursor's line holds only indentation (or nothing) the leading whitespace is kept: there it is
// the indentation the model chose for the line.
import {isBlank} from "./lines";
import {PostprocessRule} from "./types";

export const leadingWhitespace: PostprocessRule = (completion, context) =>
  !isBlank(context.linePrefix) && /[ \t]$/.test(context.linePrefix) ? completion.replace(/^[ \t]+/, "") : completion;
