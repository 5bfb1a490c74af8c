// The postprocessing pipeline: raw model output in, ghost text out (or undefined: show nothing).
//
// Order, and why:
// 1. dropIncompleteCharacter  a cut multi-byte character is an artefact of the token limit, not text.
// 2. normalizeLineEndings     every later rule, and the ghost text, use the document's line break.
// 3. indentationScope         cut at the end of the block before comparing with the suffix, so
//                             a block closer the scope kept can still be found repeated below.
// 4. maxLines                 before suffixOverlap, whose repeated tail must be judged on the end
// 5. suffixOverlap            that is shown: cut after it, a new last line could repeat the rest of
//                             the cursor's line (test/unit/completion/captured/report-26-closers-kept.txt).
// 6. leadingWhitespace        whitespace rules last: the cuts above leave trailing whitespace
// 7. trimTrailingWhitespace   and blank lines at their cut points.
// A result that is empty or whitespace-only is undefined.
import {dropIncompleteCharacter} from "./dropIncompleteCharacter";
import {indentationScope} from "./indentationScope";
import {leadingWhitespace} from "./leadingWhitespace";
import {maxLines} from "./maxLines";
import {normalizeLineEndings} from "./normalizeLineEndings";
import {suffixOverlap} from "./suffixOverlap";
import {trimTrailingWhitespace} from "./trimTrailingWhitespace";
import {POSTPROCESS_DEFAULTS, PostprocessContext, PostprocessOptions, PostprocessRule} from "./types";

export {dropIncompleteCharacter, indentationScope, leadingWhitespace, maxLines, normalizeLineEndings, suffixOverlap, trimTrailingWhitespace};
export {POSTPROCESS_DEFAULTS};
export type {PostprocessContext, PostprocessOptions, PostprocessRule};

export function postprocessRules(options: Partial<PostprocessOptions> = {}): PostprocessRule[] {
  const {maxLines: limit} = {...POSTPROCESS_DEFAULTS, ...options};
  return [
    dropIncompleteCharacter,
    normalizeLineEndings,
    indentationScope,
    maxLines(limit),
    suffixOverlap,
    leadingWhitespace,
    trimTrailingWhitespace
  ];
}

export function postprocessCompletion(completion: string, context: PostprocessContext, options: Partial<PostprocessOptions> = {}): string | undefined {
  const tabSize = context.tabSize ?? options.tabSize ?? POSTPROCESS_DEFAULTS.tabSize;
  const withTabSize = {...context, tabSize};
  let text = completion;
  for (const rule of postprocessRules(options)) {
    text = rule(text, withTabSize);
    if (text === "") return undefined;
  }
  return text.trim() === "" ? undefined : text;
}
