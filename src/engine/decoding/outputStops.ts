// The checks that end a generation early, run on the text each round adds: stop strings, and the
// stop rules of a completion (completionStop.ts). The text is decoded incrementally (outputText.ts)
// and each check reads only what is new, so a round costs the same at token 60 as at token 1.
//
// A healed prompt's output starts with text already in the document (tokenHealing.ts); the checks
// begin after it. Where a check ends the text, the result keeps the tokens up to the one that
// holds the first character cut; tokens a round accepted beyond it are counted apart (tokensPastStop).
import {CompletionStop} from "../completionStop";
import type {LlamaModel, Token} from "../nlc";
import type {ResolvedGenerateOptions} from "../options";
import {OutputText} from "./outputText";

/** Why a check ended the generation: a stop string, or the stop rules found the completion complete. */
export type StopCheckReason = "stopString" | "completionEnd";

export class OutputStops {
  private readonly decoded: OutputText;
  private readonly rules: CompletionStop | undefined;
  private readonly longestStop: number;
  /** Characters of the text the checks have read (after the healed text), and the text's end once decided. */
  private read = 0;
  private end: number | undefined;
  /** How long the text was when textSoFar last answered (relative to start). */
  private reported = 0;

  private constructor(private readonly model: Pick<LlamaModel, "detokenize">, private readonly options: Pick<ResolvedGenerateOptions, "stopStrings" | "completionStop">,
    private readonly healed: string) {
    this.decoded = new OutputText(model);
    this.rules = options.completionStop ? new CompletionStop(options.completionStop) : undefined;
    this.longestStop = Math.max(0, ...options.stopStrings.map(s => s.length));
  }

  /** The checks a generation needs, or undefined when it has none. */
  static for(model: Pick<LlamaModel, "detokenize">, options: Pick<ResolvedGenerateOptions, "stopStrings" | "completionStop">, healed = ""): OutputStops | undefined {
    return options.stopStrings.length > 0 || options.completionStop ? new OutputStops(model, options, healed) : undefined;
  }

  /** Reads the tokens output[from..]; returns why the generation ends, if a check ended it. */
  afterRound(output: readonly Token[], from: number): StopCheckReason | undefined {
    for (let i = from; i < output.length; i++) {
      this.decoded.push(output[i]!);
      const reason = this.check();
      if (reason) return reason;
    }
    return undefined;
  }

  /**
   * How many of `drafts`, appended to `output`, end the text if all are accepted: drafting past a
   * stop only makes tokens to throw away. undefined when they do not end it, or when that cannot
   * be told yet (a character still open, the healed text not yet whole).
   */
  draftsToStop(output: readonly Token[], drafts: readonly Token[]): number | undefined {
    const start = this.start();
    if (start === undefined || this.decoded.tokenCount !== output.length) return undefined;
    const pieces = this.decoded.piecesAfter(drafts);
    if (!pieces) return undefined;
    const rules = this.rules?.clone();
    let text = this.decoded.text;
    for (const [i, piece] of pieces.entries()) {
      const from = text.length;
      text += piece;
      if (rules?.push(piece) !== undefined || firstStopString(text, this.options.stopStrings, Math.max(start, from - this.longestStop + 1)) !== undefined) return i + 1;
    }
    return undefined;
  }

  /** The text and how many tokens it spans, once the generation has ended (for whatever reason). */
  finish(output: readonly Token[]): {text: string; tokens: number} {
    if (this.end === undefined) {
      for (let i = this.decoded.tokenCount; i < output.length; i++) this.decoded.push(output[i]!);
      const text = this.decoded.text;
      const start = this.start();
      this.end = start === undefined ? text.length : start + (this.rules ? (this.scan(text, start), this.rules.finish()) : text.length - start);
    }
    // The token holding the first character cut (the line break a stop was seen at) is kept: it
    // was needed to see the stop. Only tokens wholly after it are past the stop.
    return {text: this.decoded.text.slice(0, this.end), tokens: this.decoded.tokensFor(Math.min(this.end + 1, this.decoded.text.length))};
  }

  /**
   * The text so far, when it grew since the last call; undefined before any text (or while the
   * healed text is not yet whole) and once the text has ended.
   */
  textSoFar(): string | undefined {
    const start = this.start();
    if (start === undefined || this.end !== undefined) return undefined;
    const text = this.decoded.text;
    if (text.length - start <= this.reported) return undefined;
    this.reported = text.length - start;
    return text.slice(start);
  }

  /** Where the checked text starts: after the healed text, once that much is decoded. */
  private start(): number | undefined {
    const text = this.decoded.text;
    if (text.length < this.healed.length) return undefined;
    return text.startsWith(this.healed) ? this.healed.length : 0;
  }

  private check(): StopCheckReason | undefined {
    const start = this.start();
    if (start === undefined) return undefined;
    const text = this.decoded.text;
    const found = this.firstStopString(text, start);
    const ruled = this.scan(text, start);
    if (found === undefined && ruled === undefined) return undefined;
    const stopString = found !== undefined && (ruled === undefined || found <= ruled);
    this.end = start + (stopString ? found! : ruled!);
    return stopString ? "stopString" : "completionEnd";
  }

  /** Feeds the stop rules what they have not read; their end, relative to start, once decided. */
  private scan(text: string, start: number): number | undefined {
    const from = start + this.read;
    this.read = text.length - start;
    return this.rules?.push(text.slice(from));
  }

  /** The first stop string in the text after start, looking only where a new one can be; relative to start. */
  private firstStopString(text: string, start: number): number | undefined {
    const at = firstStopString(text, this.options.stopStrings, Math.max(start, start + this.read - this.longestStop + 1));
    return at === undefined ? undefined : at - start;
  }
}

/** Where the first of `stops` occurs in `text` from `from` on, or undefined. */
function firstStopString(text: string, stops: readonly string[], from: number): number | undefined {
  let first: number | undefined;
  for (const stop of stops) {
    const at = text.indexOf(stop, from);
    if (at >= 0 && (first === undefined || at < first)) first = at;
  }
  return first;
}
