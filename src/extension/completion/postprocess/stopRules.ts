// The stop rules (src/engine/completionStop.ts) as a post-processing step. The same spec goes to
// the model process with the request, which stops generating where this step would cut; here
// they cut what a generation ended without them (from the cache, or stopped by maxTokens).
import {CompletionStopSpec, completionEnd, completionLines} from "../../../engine/completionStop";
import {nextNonBlankLine, tabSizeOf} from "./lines";
import {PostprocessContext, PostprocessRule} from "./types";

/** The stop rules' view of a cursor: the mode from the context (or as an automatic request would get it). */
export function completionStopSpec(context: PostprocessContext, maxLines: number): CompletionStopSpec {
  return {
    lines: context.lines ?? completionLines(context.linePrefix, context.lineSuffix, false),
    linePrefix: context.linePrefix, lineSuffix: context.lineSuffix, indentation: context.indentation,
    nextLine: nextNonBlankLine(context.suffix), maxLines, tabSize: tabSizeOf(context)
  };
}

export function stopRules(maxLines: number): PostprocessRule {
  if (!Number.isInteger(maxLines) || maxLines < 1) throw new RangeError(`maxLines must be an integer >= 1, got ${maxLines}`);
  return (completion, context) => completion.slice(0, completionEnd(completion, completionStopSpec(context, maxLines)));
}
