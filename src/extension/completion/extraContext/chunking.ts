// Chunks of files for the extra context, and how alike two pieces of code are: the share of
// identifiers they have in common (Jaccard similarity of their word sets), which ranks chunks by
// how much they talk about what the cursor's neighbourhood talks about.

/** Lines in one chunk: about 300 tokens of ordinary code. */
export const CHUNK_LINES = 32;

export interface ChunkText {
  /** First line of the chunk in its document (0-based). */
  startLine: number;
  text: string;
}

/** The `lines` lines centred on `centerLine`, moved inward at the document's ends. */
export function chunkAround(lineAt: (line: number) => string, lineCount: number, centerLine: number, lines = CHUNK_LINES): ChunkText {
  const size = Math.max(1, Math.min(lines, lineCount));
  const start = Math.max(0, Math.min(lineCount - size, Math.floor(centerLine) - Math.floor(size / 2)));
  const text: string[] = [];
  for (let l = start; l < start + size; l++) text.push(lineAt(l));
  return {startLine: start, text: text.join("\n")};
}

/** Characters around the cursor whose words score the chunks: before it, after it. */
const NEIGHBOURHOOD_CHARS = {before: 1500, after: 500};
/**
 * Characters per token for picking chunks; generous (code models' tokens are 3–4 characters), the
 * engine then leaves out the lowest-scoring ones to meet its exact token budget.
 */
const CHARS_PER_TOKEN = 6;

/** The words of the text around the cursor, that chunks are scored against. */
export function neighbourhoodWords(prefix: string, suffix: string): Set<string> {
  return wordsOf(prefix.slice(-NEIGHBOURHOOD_CHARS.before) + suffix.slice(0, NEIGHBOURHOOD_CHARS.after));
}

/** Characters of chunk text to pick for a token budget (ChunkRing.select's maxChars). */
export function chunkCharsFor(maxTokens: number): number {
  return maxTokens * CHARS_PER_TOKEN;
}

/** The identifiers and keywords of a piece of code (two characters or more). */
export function wordsOf(text: string): Set<string> {
  return new Set(text.match(/[A-Za-z_$][A-Za-z0-9_$]+/g) ?? []);
}

/** |a ∩ b| / |a ∪ b|; 0 when both are empty. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const word of small) if (large.has(word)) shared++;
  return shared / (a.size + b.size - shared);
}
