// The text around the cursor that a completion is generated from: a window of whole lines above
// and below, cut at the cursor.
//
// The window's start depends only on the cursor's line, never on its column: while the user types
// within a line the prompt grows at its end only, so the engine can keep the prompt's KV cache and
// evaluate just the new characters. Each change of line moves the start (and costs a full prompt
// evaluation) unless prefixAnchorStride > 1 snaps the start to a coarser grid.

/** The part of a text document this module reads; vscode.TextDocument fits with a small adapter. */
export interface LineSource {
  readonly lineCount: number;
  /** The line's text without its line break. */
  lineAt(line: number): string;
}

export interface CursorPosition {
  line: number;
  /** UTF-16 code units from the line's start, as in vscode.Position. */
  character: number;
}

export interface CursorContextOptions {
  /** Whole lines above the cursor's line in the prefix. */
  prefixLines: number;
  /** Whole lines below the cursor's line in the suffix. */
  suffixLines: number;
  /** The document's line break, used to join the lines back. */
  eol: "\n" | "\r\n";
  /**
   * Snap the window's first line down to a multiple of this, so moving to the next line (Enter)
   * keeps the start, and the KV cache, for up to this many lines; the prefix then holds between
   * prefixLines and prefixLines + stride - 1 lines above the cursor. Default 1: the start is
   * exactly prefixLines above the cursor's line.
   */
  prefixAnchorStride?: number;
}

export interface CursorContext {
  /** The window's lines above the cursor's line, then the cursor's line up to the cursor. */
  prefix: string;
  /** The cursor's line after the cursor, then the window's lines below it. */
  suffix: string;
  linePrefix: string;
  lineSuffix: string;
  /** Leading whitespace of the cursor's whole line. */
  indentation: string;
  /** Document line on which prefix starts. */
  prefixStartLine: number;
}

export function extractCursorContext(doc: LineSource, position: CursorPosition, options: CursorContextOptions): CursorContext {
  const empty = {prefix: "", suffix: "", linePrefix: "", lineSuffix: "", indentation: "", prefixStartLine: 0};
  if (doc.lineCount <= 0) return empty;
  const line = clamp(Math.floor(position.line), 0, doc.lineCount - 1);
  const text = doc.lineAt(line);
  const character = clamp(Math.floor(position.character), 0, text.length);
  const linePrefix = text.slice(0, character);
  const lineSuffix = text.slice(character);
  const prefixStartLine = windowStart(line, options);
  const suffixEndLine = Math.min(doc.lineCount - 1, line + Math.max(0, Math.floor(options.suffixLines)));

  const above: string[] = [];
  for (let l = prefixStartLine; l < line; l++) above.push(doc.lineAt(l));
  const below: string[] = [];
  for (let l = line + 1; l <= suffixEndLine; l++) below.push(doc.lineAt(l));

  return {
    prefix: [...above, linePrefix].join(options.eol),
    suffix: [lineSuffix, ...below].join(options.eol),
    linePrefix,
    lineSuffix,
    indentation: /^[ \t]*/.exec(text)![0],
    prefixStartLine
  };
}

function windowStart(line: number, options: CursorContextOptions): number {
  const stride = Math.max(1, Math.floor(options.prefixAnchorStride ?? 1));
  const start = line - Math.max(0, Math.floor(options.prefixLines));
  return Math.max(0, Math.floor(start / stride) * stride);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
