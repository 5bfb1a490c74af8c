// An index of every token the target has seen (prompt, extra context, generated tokens) that finds
// the longest earlier occurrence of the last committed tokens and proposes what followed it
// (docs/algorithm.md, "Lookup drafting").
//
// Every position is filed under the bigram that ends there (one Map of exact numeric keys, no
// hashing, no collisions); a query takes the bigram the context ends with, walks its earlier
// occurrences from the newest, and extends each match backwards up to `maxMatch` tokens. The index
// changes only at its end: committing tokens appends, and a new prompt keeps the prefix it shares
// with the indexed tokens and re-files only the rest, so a keystroke near the cursor costs the
// tokens after it, never the whole prompt.
import type {LookupChoice} from "../options";
import type {Token} from "../nlc";

export interface NgramIndexOptions {
  /** Longest match looked for, in tokens. Default 12. */
  maxMatch?: number;
  /** Earlier occurrences examined per query, newest first. Default 64. */
  maxCandidates?: number;
}

export const NGRAM_INDEX_DEFAULTS: Required<NgramIndexOptions> = {maxMatch: 12, maxCandidates: 64};

export interface LookupProposal {
  /** The tokens that followed the chosen occurrence (repeating themselves where it runs into the present). */
  tokens: Token[];
  /** Tokens the chosen occurrence matched, the bigram included (2..maxMatch). */
  matchLength: number;
  /** Examined occurrences of that length whose next token is the proposal's first. */
  support: number;
  /** Examined occurrences of that length. */
  occurrences: number;
}

/** Token ids are below 2^24 in every vocabulary (150k at most), so a bigram is an exact integer key. */
const KEY_SCALE = 2 ** 24;
const bigram = (a: Token, b: Token) => a * KEY_SCALE + b;

export class NgramIndex {
  readonly options: Required<NgramIndexOptions>;
  private readonly tokens: Token[] = [];
  /** Bigram → the positions right after its occurrences, ascending. */
  private readonly following = new Map<number, number[]>();

  constructor(options: NgramIndexOptions = {}) {
    this.options = {...NGRAM_INDEX_DEFAULTS, ...options};
  }

  get length(): number {
    return this.tokens.length;
  }

  /** The indexed tokens (a copy). */
  contents(): Token[] {
    return [...this.tokens];
  }

  /** Makes the index hold exactly `tokens`, keeping the prefix it shares with them. Returns the tokens kept. */
  sync(tokens: readonly Token[]): number {
    let shared = 0;
    const limit = Math.min(tokens.length, this.tokens.length);
    while (shared < limit && tokens[shared] === this.tokens[shared]) shared++;
    this.truncate(shared);
    this.append(tokens.slice(shared));
    return shared;
  }

  append(tokens: readonly Token[]): void {
    for (const token of tokens) {
      this.tokens.push(token);
      const end = this.tokens.length;
      if (end < 2) continue;
      const key = bigram(this.tokens[end - 2]!, token);
      const list = this.following.get(key);
      if (list) list.push(end);
      else this.following.set(key, [end]);
    }
  }

  /** Drops every token from `length` on. */
  truncate(length: number): void {
    while (this.tokens.length > Math.max(0, length)) {
      const end = this.tokens.length;
      if (end >= 2) {
        const key = bigram(this.tokens[end - 2]!, this.tokens[end - 1]!);
        const list = this.following.get(key)!;
        list.pop();
        if (list.length === 0) this.following.delete(key);
      }
      this.tokens.pop();
    }
  }

  /**
   * Up to `maxTokens` tokens that followed the longest occurrence of the context's end, or
   * undefined when not even its last two tokens occurred. Among occurrences of the longest length,
   * "recent" copies the newest; "vote" copies the newest of those whose next token most of them
   * share.
   *
   * The context is by default the indexed tokens themselves. A FIM prompt is not: the middle
   * continues the prefix, while the index also holds the suffix and the FIM markers after it.
   * `query` then gives the context's end (the prefix's last tokens and what was generated), and
   * `present` the position right after the query's own occurrence in the index, which is skipped
   * (it has nothing after it but the rest of the prompt). Default: the index's end.
   */
  propose(maxTokens: number, choice: LookupChoice = "recent", query?: readonly Token[], present = this.tokens.length): LookupProposal | undefined {
    const context = query ?? this.tokens;
    const end = context.length;
    if (maxTokens <= 0 || end < 2) return undefined;
    const list = this.following.get(bigram(context[end - 2]!, context[end - 1]!));
    if (!list) return undefined;
    const {maxMatch, maxCandidates} = this.options;
    let bestLength = 0;
    let best: number[] = [];
    for (let i = list.length - 1, seen = 0; i >= 0 && seen < maxCandidates; i--) {
      const at = list[i]!;
      if (at === present || at >= this.tokens.length) continue;
      seen++;
      let length = 2;
      while (length < maxMatch && at - length - 1 >= 0 && end - length - 1 >= 0 && this.tokens[at - length - 1] === context[end - length - 1]) length++;
      if (length > bestLength) {
        bestLength = length;
        best = [at];
      } else if (length === bestLength) best.push(at);
    }
    if (best.length === 0) return undefined;
    const votes = new Map<Token, number>();
    for (const at of best) votes.set(this.tokens[at]!, (votes.get(this.tokens[at]!) ?? 0) + 1);
    let chosen = best[0]!;
    if (choice === "vote") {
      let most = 0;
      for (const at of best) { // newest first, so a tie goes to the newest
        const count = votes.get(this.tokens[at]!)!;
        if (count > most) {
          most = count;
          chosen = at;
        }
      }
    }
    return {tokens: this.continuation(chosen, maxTokens), matchLength: bestLength, support: votes.get(this.tokens[chosen]!)!, occurrences: best.length};
  }

  /**
   * What followed position `at`, up to `maxTokens`. Where it reaches the end of the index it
   * continues with its own start: a pattern that repeats with period end − at repeats on.
   * (`at` is below the index's length: an occurrence at the very end has nothing after it yet.)
   */
  private continuation(at: number, maxTokens: number): Token[] {
    const period = this.tokens.length - at;
    const result: Token[] = [];
    for (let j = 0; j < maxTokens; j++) result.push(j < period ? this.tokens[at + j]! : result[j - period]!);
    return result;
  }
}
