// The extra context's ring buffer: the latest chunks of files the user opened, edited or copied
// from, without near-duplicates, and the choice of which of them go into a prompt.
//
// The choice is made again only when the ring changes, the user moves to another document or the
// prompt window moves (a new `windowKey`): in between, every keystroke gets the same chunks in the
// same order, so the engine finds them in the KV cache. Chunks chosen before keep their places
// and new ones follow them, for the same reason.
import {CHUNK_LINES, jaccard, wordsOf} from "./chunking";

export interface RingChunk {
  uri: string;
  /** Workspace-relative path, as the prompt names it. */
  path: string;
  languageId: string;
  startLine: number;
  text: string;
  words: ReadonlySet<string>;
  /** Order of arrival. */
  seq: number;
}

export interface ChosenChunk {
  chunk: RingChunk;
  score: number;
}

export interface ChunkRingOptions {
  /** Chunks kept; the oldest goes first. Default 16. */
  capacity?: number;
  /** A new chunk this alike an old one (word sets) replaces it. Default 0.9. */
  duplicateSimilarity?: number;
}

export interface SelectRequest {
  /** The document being completed: its own chunks never go in (its text at the cursor is there already). */
  uri: string;
  /** The words around the cursor, for scoring. */
  neighbourhood: ReadonlySet<string>;
  /** Changes when the prompt window moves; the same key keeps the same choice. */
  windowKey: string;
  /** Most characters of chunk text chosen (the engine cuts to its token budget exactly). */
  maxChars: number;
  /** Chunks of these languages are left out. */
  disabledLanguages: readonly string[];
}

export class ChunkRing {
  private chunks: RingChunk[] = [];
  private nextSeq = 0;
  private version = 0;
  private last: {key: string; chosen: ChosenChunk[]} | undefined;
  private readonly capacity: number;
  private readonly duplicateSimilarity: number;

  constructor(options: ChunkRingOptions = {}) {
    this.capacity = options.capacity ?? 16;
    this.duplicateSimilarity = options.duplicateSimilarity ?? 0.9;
  }

  get size(): number {
    return this.chunks.length;
  }

  /** The chunks, oldest first. */
  get all(): readonly RingChunk[] {
    return this.chunks;
  }

  /**
   * Adds a chunk unless the ring has it already; a chunk it overlaps by more than half (same
   * document) or nearly repeats (any document) is replaced. Returns whether the ring changed.
   */
  add(chunk: Omit<RingChunk, "words" | "seq">): boolean {
    if (!chunk.text.trim()) return false;
    if (this.chunks.some(c => c.uri === chunk.uri && c.text === chunk.text)) return false;
    const words = wordsOf(chunk.text);
    const lines = chunk.text.split("\n").length;
    this.chunks = this.chunks.filter(c => !(
      (c.uri === chunk.uri && overlap(c, chunk.startLine, lines) > Math.min(lines, CHUNK_LINES) / 2) ||
      jaccard(c.words, words) >= this.duplicateSimilarity));
    this.chunks.push({...chunk, words, seq: this.nextSeq++});
    if (this.chunks.length > this.capacity) this.chunks.splice(0, this.chunks.length - this.capacity);
    this.version++;
    return true;
  }

  /** Forgets a document's chunks (it was deleted, or is no longer allowed). */
  removeDocument(uri: string): void {
    const before = this.chunks.length;
    this.chunks = this.chunks.filter(c => c.uri !== uri);
    if (this.chunks.length !== before) this.version++;
  }

  clear(): void {
    this.chunks = [];
    this.last = undefined;
    this.version++;
  }

  /** The chunks for a prompt, in prompt order, with their scores. */
  select(request: SelectRequest): ChosenChunk[] {
    const key = `${this.version}\u0000${request.uri}\u0000${request.windowKey}\u0000${request.maxChars}\u0000${request.disabledLanguages.join(",")}`;
    if (this.last?.key === key) return this.last.chosen;
    const candidates = this.chunks
      .filter(c => c.uri !== request.uri && !request.disabledLanguages.includes(c.languageId))
      .map(chunk => ({chunk, score: jaccard(chunk.words, request.neighbourhood)}))
      .sort((a, b) => b.score - a.score || b.chunk.seq - a.chunk.seq);
    const picked: ChosenChunk[] = [];
    let chars = 0;
    for (const candidate of candidates) {
      if (chars + candidate.chunk.text.length > request.maxChars) continue;
      picked.push(candidate);
      chars += candidate.chunk.text.length;
    }
    // Those chosen last time first, in their old order; then the new ones, oldest first.
    const previous = new Map((this.last?.chosen ?? []).map((c, i) => [c.chunk, i]));
    const chosen = picked.sort((a, b) => (previous.get(a.chunk) ?? Infinity) - (previous.get(b.chunk) ?? Infinity) || a.chunk.seq - b.chunk.seq);
    this.last = {key, chosen};
    return chosen;
  }
}

function overlap(chunk: RingChunk, startLine: number, lines: number): number {
  const end = Math.min(chunk.startLine + chunk.text.split("\n").length, startLine + lines);
  return Math.max(0, end - Math.max(chunk.startLine, startLine));
}
