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
