// What every postprocessing rule sees, and the defaults of the pipeline's options.
import type {CompletionLines} from "../../../engine/completionStop";

/** The text around the cursor that a completion was generated for. */
export interface PostprocessContext {
  /** The cursor's line up to the cursor. */
  linePrefix: string;
  /** The cursor's line after the cursor. */
  lineSuffix: string;
  /** All text after the cursor that the provider read: lineSuffix, then the lines below. */
  suffix: string;
  /** Leading whitespace of the cursor's whole line. */
  indentation: string;
  /** The document's line break; completions are returned with it. */
  eol: "\n" | "\r\n";
  /**
   * The stop rules' mode (src/engine/completionStop.ts): "line" or "block". Default: as an
   * automatic request at this cursor gets it (completionLines).
   */
  lines?: CompletionLines;
  /** Columns a tab advances to (the next multiple of). Default POSTPROCESS_DEFAULTS.tabSize. */
  tabSize?: number;
}

/** One cleanup of a generated completion; "" drops it. Pure: same input, same output. */
export type PostprocessRule = (completion: string, context: PostprocessContext) => string;

export interface PostprocessOptions {
  /** Most lines a completion keeps (stopRules.ts cuts there). */
  maxLines: number;
  /** Tab width when the context gives none. */
  tabSize: number;
}

export const POSTPROCESS_DEFAULTS: PostprocessOptions = {
  maxLines: 8,
  tabSize: 4
};
