// A completion shown before it is done, while the model writes the rest: a block's first lines as
// soon as they are written, and a line that is slow to write by its whole words so far once the
// request has taken partialAfterMs. The ghost text then grows to the whole completion
// (provider.ts, grow). The model process reports the text so far after each round
// (GenerateOptions.onText); the first report that leaves something to show is the one shown.
import {postprocessCompletion} from "./postprocess";
import type {PostprocessContext} from "./postprocess/types";

/** What is shown before the completion is done: the model's text, and the ghost text it makes. */
export interface EarlyShown {
  raw: string;
  shown: string;
  /** Part of the completion's first line (its whole words so far), not whole lines. */
  partial: boolean;
}

export interface EarlyTextOptions {
  /** The settings' maxLines, as post-processing cuts the completion. */
  maxLines: number;
  /** Show a block's first lines once written (the firstLineEarly setting). */
  firstLines: boolean;
  /** Show the first line's whole words once this long has passed since the request began; undefined: never. */
  partialAfterMs?: number;
  /** The clock; Date.now unless a test sets one. */
  now?: () => number;
}

export class EarlyText {
  private resolve!: (early: EarlyShown) => void;
  /** Resolves with the first report worth showing (blank text, or text post-processing changes, is not), once. */
  readonly shown = new Promise<EarlyShown>(resolve => this.resolve = resolve);
  private done = false;
  private readonly now: () => number;
  private readonly startedAt: number;

  private constructor(private readonly context: PostprocessContext, private readonly options: EarlyTextOptions) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
  }

  /**
   * Early text for a request at `context`, its clock started now; undefined when the settings show
   * nothing early there (a block shows whole unless firstLines is on, even when a line is slow).
   */
  static for(context: PostprocessContext, options: EarlyTextOptions): EarlyText | undefined {
    const block = context.lines === "block";
    if (block ? !options.firstLines : options.partialAfterMs === undefined) return undefined;
    return new EarlyText(context, options);
  }

  /** Feed it each report: the text so far. */
  readonly onText = (raw: string): void => {
    if (this.done) return;
    const early = this.linesOf(raw) ?? this.wordsOf(raw);
    if (!early) return;
    this.done = true;
    this.resolve(early);
  };

  /** In a block, the text up to its last line break, when post-processing leaves something of it. */
  private linesOf(raw: string): EarlyShown | undefined {
    if (this.context.lines !== "block") return undefined;
    const lineEnd = raw.lastIndexOf("\n");
    if (lineEnd <= 0) return undefined;
    const lines = raw.slice(0, lineEnd).replace(/\r$/, "");
    const shown = this.postprocess(lines);
    return shown ? {raw: lines, shown, partial: false} : undefined;
  }

  /** Once the time is up, the first line's whole words, when post-processing keeps them as they are. */
  private wordsOf(raw: string): EarlyShown | undefined {
    const after = this.options.partialAfterMs;
    if (after === undefined || this.now() - this.startedAt < after || raw.trimStart().includes("\n")) return undefined;
    const words = wholeWords(raw);
    // Kept as written, so that what follows them is the model's text after `words` (grow's prefetch).
    if (!words.trim() || this.postprocess(words) !== words) return undefined;
    return {raw: words, shown: words, partial: true};
  }

  private postprocess(raw: string): string | undefined {
    return postprocessCompletion(raw, this.context, {maxLines: this.options.maxLines});
  }
}

/**
 * `text` up to its last whole word: cut after the last character that cannot be inside a word
 * (the word after it may go on in the next token), blanks before the cut left out.
 */
export function wholeWords(text: string): string {
  const lastWord = /[^\p{L}\p{N}_$][\p{L}\p{N}_$]*$/u.exec(text);
  return lastWord ? text.slice(0, lastWord.index + 1).trimEnd() : "";
}
