// The postprocessing pipeline: raw model output in, ghost text out (or undefined: show nothing).
//
// Order, and why:
// 1. dropIncompleteCharacter  a cut multi-byte character is an artefact of the token limit, not text.
// 2. normalizeLineEndings     every later rule, and the ghost text, use the document's line break.
// 3. stopRules                the stop rules the generation itself stops by (one line, the block,
//                             maxLines; src/engine/completionStop.ts): cut at the end of the block
//                             before comparing with the suffix, so a block closer they kept can
//                             still be found repeated below.
// 4. suffixOverlap            after the cut, since the repeated tail must be judged on the end that
//                             is shown: cut after it, a new last line could repeat the rest of the
//                             cursor's line (test/unit/completion/captured/report-26-closers-kept.txt).
// 5. leadingWhitespace        whitespace rules last: the cuts above leave trailing whitespace
// 6. trimTrailingWhitespace   and blank lines at their cut points.
// A result that is empty or whitespace-only is undefined.
import {dropIncompleteCharacter} from "./dropIncompleteCharacter";
import {leadingWhitespace} from "./leadingWhitespace";
import {normalizeLineEndings} from "./normalizeLineEndings";
import {completionStopSpec, stopRules} from "./stopRules";
import {suffixOverlap} from "./suffixOverlap";
import {trimTrailingWhitespace} from "./trimTrailingWhitespace";
import {POSTPROCESS_DEFAULTS, PostprocessContext, PostprocessOptions, PostprocessRule} from "./types";

export {completionStopSpec, dropIncompleteCharacter, leadingWhitespace, normalizeLineEndings, stopRules, suffixOverlap, trimTrailingWhitespace};
export {POSTPROCESS_DEFAULTS};
export type {PostprocessContext, PostprocessOptions, PostprocessRule};

export function postprocessRules(options: Partial<PostprocessOptions> = {}): PostprocessRule[] {
  const {maxLines: limit} = {...POSTPROCESS_DEFAULTS, ...options};
  return [
    dropIncompleteCharacter,
    normalizeLineEndings,
    stopRules(limit),
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
