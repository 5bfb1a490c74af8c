// The generated text, decoded token by token as tokens are committed, so that stop checks read
// only what is new each round instead of detokenizing the whole output again. A token that ends
// inside a multi-byte character decodes to U+FFFD on its own; it is held back and decoded with
// the tokens that complete the character. Each piece is decoded with the tokens before it as
// context (node-llama-cpp's lastTokens), which some tokenizers need to place a leading space.
import type {LlamaModel, Token} from "../nlc";

/** Tokens before a piece passed as context, and the most tokens one character may span. */
const CONTEXT_TOKENS = 8, MOST_TOKENS_PER_CHARACTER = 4;

export class OutputText {
  private decoded = "";
  private readonly tokens: Token[] = [];
  /** Tokens[decodedTokens..] are held back: they end inside a character. */
  private decodedTokens = 0;
  /** Text length after each token was decoded (held-back tokens get the length their character completes at). */
  private readonly lengths: number[] = [];

  constructor(private readonly model: Pick<LlamaModel, "detokenize">) {}

  get text(): string {
    return this.decoded;
  }

  get tokenCount(): number {
    return this.tokens.length;
  }

  /** Tokens held back because they end inside a character. */
  get pendingTokens(): number {
    return this.tokens.length - this.decodedTokens;
  }

  /** Adds a committed token; returns the text it completed ("" while a character is still open). */
  push(token: Token): string {
    this.tokens.push(token);
    const pending = this.tokens.slice(this.decodedTokens);
    const piece = this.model.detokenize(pending, false, this.tokens.slice(Math.max(0, this.decodedTokens - CONTEXT_TOKENS), this.decodedTokens));
    if (piece.endsWith("\uFFFD") && pending.length < MOST_TOKENS_PER_CHARACTER) return "";
    this.decoded += piece;
    this.decodedTokens = this.tokens.length;
    while (this.lengths.length < this.tokens.length) this.lengths.push(this.decoded.length);
    return piece;
  }

  /**
   * The text each of `tokens` would add after the committed ones, decoded with the same context
   * push() uses; undefined when a character is still open there (it cannot be told yet).
   */
  piecesAfter(tokens: readonly Token[]): string[] | undefined {
    if (this.pendingTokens > 0) return undefined;
    const pieces: string[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const before = [...this.tokens.slice(-CONTEXT_TOKENS), ...tokens.slice(0, i)].slice(-CONTEXT_TOKENS);
      const piece = this.model.detokenize([tokens[i]!], false, before);
      if (piece.includes("\uFFFD")) return undefined;
      pieces.push(piece);
    }
    return pieces;
  }

  /** How many tokens it takes to reach `length` characters of the text. */
  tokensFor(length: number): number {
    if (length <= 0) return 0;
    const index = this.lengths.findIndex(end => end >= length);
    return index === -1 ? this.tokens.length : index + 1;
  }
}
