// Where a completion ends: the one definition of the stop rules that both the round loop (to stop
// generating as soon as the completion is complete) and the editor's post-processing (to cut what
// a generation without them wrote) use, so that nothing generated is thrown away by a rule that
// could have stopped it (docs/algorithm.md, "Stop rules").
//
// Fed text as it is generated, a CompletionStop finds the end from the lines seen so far; no line
// is read twice. The rules, in the order they are checked on each line:
// - "line" mode (code before the cursor on its line, or after it): the completion is the rest of
//   the line; it ends at its first line break. When it starts with a line break (the cursor's line
//   is complete), it is the next line instead, unless that line repeats the code below the cursor.
// - "block" mode (a blank line, a line that ends in a block opener at the cursor, or an invoked
//   completion), judged by indentation alone, so it works the same for braces, Python and YAML:
//   1. The base width is where the completion's first line lands: when the text before the cursor
//      is whitespace only and the first line has text, that whitespace plus the first line's own
//      leading whitespace; otherwise the cursor line's indentation.
//   2. A later line that repeats the next non-blank line of the suffix (same text, same width;
//      the first line too, compared without indentation, when the cursor's line is blank) ends the
//      completion before it: the model is writing the code that is already there.
//   3. A later line indented less than the base ends the completion before that line.
//   4. When the cursor's line with the first line ends in a block opener ( { [ ( : ), the
//      completion is that block: the first later line back at the base width ends it. A closing
//      bracket there is kept and the completion ends after it, unless the line opens a block again
//      ("} else {"); a continuation keyword (else, elif, except, finally, catch) goes on. Any other
//      line at the base width is a new statement after the block and ends the completion before it.
//   5. Brackets the completion's first line opened and left open, closed again at a later line's
//      end, end the completion after that line (a call spread over lines).
//   6. maxLines: the completion ends before its (maxLines + 1)-th line.
//   Whitespace-only lines never end the scope by themselves.

export const COMPLETION_LINES = ["line", "block"] as const;
export type CompletionLines = typeof COMPLETION_LINES[number];

/** What the stop rules need to know of the cursor; plain data, so that it crosses to the model process. */
export interface CompletionStopSpec {
  lines: CompletionLines;
  /** The cursor's line up to the cursor. */
  linePrefix: string;
  /** The cursor's line after the cursor. */
  lineSuffix: string;
  /** Leading whitespace of the cursor's whole line. */
  indentation: string;
  /** The first non-blank line below the cursor's line, if any (for rule 2). */
  nextLine?: string;
  /** Most lines the completion keeps. */
  maxLines: number;
  /** Columns a tab advances to (the next multiple of). */
  tabSize: number;
}

/**
 * The mode the stop rules run in at a cursor: one line where the cursor's line has code before
 * or after the cursor, a block on a blank line, after a block opener at the cursor, or when the
 * user asked (invoked).
 */
export function completionLines(linePrefix: string, lineSuffix: string, invoked: boolean): CompletionLines {
  if (invoked) return "block";
  if (!isBlank(lineSuffix) && !/^\s*[)\]}]*\s*[;,]?\s*$/.test(lineSuffix)) return "line";
  if (isBlank(linePrefix)) return "block";
  return OPENER.test(linePrefix.trimEnd()) ? "block" : "line";
}

/**
 * The spec at a cursor given as the text before and after it (the command line, the benchmark;
 * the editor builds it from its own view of the document, extension/completion/postprocess/stopRules.ts).
 */
export function stopSpecAt(prefix: string, suffix: string, options: {invoked?: boolean; maxLines?: number; tabSize?: number} = {}): CompletionStopSpec {
  const linePrefix = prefix.slice(prefix.lastIndexOf("\n") + 1).replace(/\r$/, "");
  const [lineSuffix = "", ...below] = suffix.split(/\r?\n/);
  const indentation = leadingWhitespace(linePrefix + lineSuffix);
  return {lines: completionLines(linePrefix, lineSuffix, options.invoked ?? false), linePrefix, lineSuffix, indentation,
    nextLine: below.find(line => !isBlank(line)), maxLines: options.maxLines ?? 8, tabSize: options.tabSize ?? 4};
}

const OPENER = /[{[(:]$/;
const CLOSER = /^[}\])]/;
const CONTINUATION = /^(else|elif|except|finally|catch)\b/;
/** A word that may still become a continuation keyword: decided once a character that ends it arrives. */
const WORD_SO_FAR = /^[A-Za-z_]+$/;
const OPENERS = "([{", CLOSERS = ")]}";

export class CompletionStop {
  private text = "";
  /** Start of the line being read (not yet decided) and its index. */
  private lineStart = 0;
  private lineIndex = 0;
  private base = 0;
  private opensBlock = false;
  private depth = 0;
  /** Brackets the completion's first line opened stayed open at its end. */
  private spanned = false;
  private ended: number | undefined;

  constructor(private readonly spec: CompletionStopSpec) {
    if (!Number.isInteger(spec.maxLines) || spec.maxLines < 1) throw new RangeError(`maxLines must be an integer >= 1, got ${spec.maxLines}`);
  }

  /** A copy in the same state, to try text that may not be committed (drafts). */
  clone(): CompletionStop {
    return Object.assign(new CompletionStop(this.spec), this);
  }

  /** Feeds the next generated text; returns the completion's length once it is known to end. */
  push(chunk: string): number | undefined {
    if (this.ended !== undefined) return this.ended;
    this.text += chunk;
    for (let breakAt = this.text.indexOf("\n", this.lineStart); breakAt !== -1; breakAt = this.text.indexOf("\n", this.lineStart)) {
      const lineEnd = breakAt > this.lineStart && this.text[breakAt - 1] === "\r" ? breakAt - 1 : breakAt;
      if (this.completeLine(lineEnd)) return this.ended;
      this.lineStart = breakAt + 1;
      this.lineIndex++;
      if (this.lineIndex >= this.spec.maxLines) return (this.ended = lineEnd);
    }
    this.partialLine();
    return this.ended;
  }

  /** The completion's length when the generation stopped for another reason: the last line is all there is. */
  finish(): number {
    if (this.ended === undefined) {
      const text = this.text;
      const lineEnd = text.endsWith("\r") ? text.length - 1 : text.length;
      if (!this.completeLine(lineEnd)) this.ended = text.length;
    }
    return this.ended!;
  }

  /** Judges the line from lineStart to lineEnd, whole; true once the completion ends (ended set). */
  private completeLine(lineEnd: number): boolean {
    const line = this.text.slice(this.lineStart, lineEnd);
    const before = this.lineStart === 0 ? 0 : this.breakBefore();
    if (this.spec.lines === "line") {
      if (this.lineIndex === 0 && isBlank(line) && lineEnd < this.text.length) return false;
      if (this.lineIndex > 0 && this.repeatsNextLine(line, false)) return this.endAt(before, true);
      return this.endAt(lineEnd, lineEnd < this.text.length);
    }
    if (this.lineIndex === 0) {
      if (this.repeatsNextLine(line, true)) return this.endAt(0, true);
      const {linePrefix} = this.spec;
      this.base = isBlank(linePrefix) && !isBlank(line) ? indentWidth(linePrefix + leadingWhitespace(line), this.spec.tabSize) : indentWidth(this.spec.indentation, this.spec.tabSize);
      this.opensBlock = OPENER.test((linePrefix + line).trimEnd());
      this.countBrackets(line);
      this.spanned = this.depth > 0;
      return false;
    }
    if (isBlank(line)) return false;
    if (this.repeatsNextLine(line, false)) return this.endAt(before, true);
    const verdict = this.scope(line, true);
    if (verdict === "before") return this.endAt(before, true);
    if (verdict === "after") return this.endAt(lineEnd, true);
    if (!this.spanned) return false;
    this.countBrackets(line);
    return this.depth <= 0 && this.endAt(lineEnd, true);
  }

  /**
   * Rules that a line's start decides (a dedent, a new statement after the block) end the
   * completion before the rest of the line is generated. Rule 2 would cut before the line too, so
   * deciding early changes no result.
   */
  private partialLine(): void {
    if (this.lineIndex === 0 || this.spec.lines === "line") return;
    const line = this.text.slice(this.lineStart);
    if (isBlank(line)) return;
    const text = line.trim();
    // The first word must be whole before a continuation keyword can be told from an identifier.
    if (WORD_SO_FAR.test(text) || CLOSER.test(text)) {
      if (indentWidth(line, this.spec.tabSize) < this.base) this.endAt(this.breakBefore(), true);
      return;
    }
    if (this.scope(line, false) === "before") this.endAt(this.breakBefore(), true);
  }

  /** Rules 3 and 4 on a non-blank line after the first. */
  private scope(line: string, complete: boolean): "before" | "after" | undefined {
    const width = indentWidth(line, this.spec.tabSize);
    if (width < this.base) return "before";
    if (!this.opensBlock || width > this.base) return undefined;
    const text = line.trim();
    if (CLOSER.test(text)) return complete && !OPENER.test(text) ? "after" : undefined;
    if (CONTINUATION.test(text)) return undefined;
    return "before";
  }

  private repeatsNextLine(line: string, first: boolean): boolean {
    const next = this.spec.nextLine;
    if (next === undefined || isBlank(line) || line.trim() !== next.trim()) return false;
    if (first) return isBlank(this.spec.linePrefix) && isBlank(this.spec.lineSuffix);
    return indentWidth(line, this.spec.tabSize) === indentWidth(next, this.spec.tabSize);
  }

  /** The end of the text before the current line's break ("\n" or "\r\n"). */
  private breakBefore(): number {
    const at = this.lineStart - 1;
    return at > 0 && this.text[at - 1] === "\r" ? at - 1 : at;
  }

  private endAt(end: number, decided: boolean): boolean {
    if (decided) this.ended = end;
    return decided;
  }

  /** Bracket depth over the line's code: strings and // comments skipped, quotes closed at the line's end. */
  private countBrackets(line: string): void {
    let quote: string | undefined;
    for (let i = 0; i < line.length; i++) {
      const char = line[i]!;
      if (quote) {
        if (char === "\\") i++;
        else if (char === quote) quote = undefined;
      } else if (char === "\"" || char === "'" || char === "`") quote = char;
      else if (char === "/" && line[i + 1] === "/") break;
      else if (OPENERS.includes(char)) this.depth++;
      else if (CLOSERS.includes(char)) this.depth--;
    }
  }
}

/** The length of `text` the stop rules keep, judging the whole text at once. */
export function completionEnd(text: string, spec: CompletionStopSpec): number {
  const stop = new CompletionStop(spec);
  return stop.push(text) ?? stop.finish();
}

export function isBlank(text: string): boolean {
  return text.trim() === "";
}

export function leadingWhitespace(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

/** Column at which the line's text starts, with tabs advancing to the next tab stop. */
export function indentWidth(line: string, tabSize: number): number {
  let column = 0;
  for (const char of leadingWhitespace(line)) column = char === "\t" ? (Math.floor(column / tabSize) + 1) * tabSize : column + 1;
  return column;
}
