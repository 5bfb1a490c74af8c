// Extra context: chunks of other files put before the FIM part of a prompt (docs/architecture.md,
// "Extra context"). They come first so that the KV cache keeps them across keystrokes: the chunks
// change rarely, the text at the cursor changes every time. Each piece is tokenized on its own and
// the pieces are joined as tokens, so a chunk's tokens never depend on what follows it, and a
// prompt that keeps the same chunks keeps the same leading tokens.
import type {LlamaModel, Token} from "../../nlc";

/** How chunks are marked in the prompt: the model's own multi-file tokens where it has them. */
export type MultiFileFormat = "qwen" | "starcoder" | "comments";

export interface ContextChunk {
  /** Workspace-relative path of the file the chunk was cut from. */
  path: string;
  text: string;
  /** Similarity to the cursor's neighbourhood; when the budget is short the lowest go first. */
  score: number;
}

export interface ExtraContextInput {
  /** In prompt order (the caller keeps it stable across keystrokes so the KV cache holds). */
  chunks: readonly ContextChunk[];
  /** Token budget for the chunks and their markers. */
  maxTokens: number;
  /** The file being completed, named after the chunks. */
  currentPath?: string;
  /** Named at the start in the multi-file formats. */
  repoName?: string;
  /** The current file's line comment ("//", "#"), for the "comments" format. Default "//". */
  lineComment?: string;
  /** Default: the format the model's vocabulary calls for (multiFileFormat); the quality benchmark compares them. */
  format?: MultiFileFormat;
}

export interface RenderedExtraContext {
  tokens: Token[];
  format: MultiFileFormat;
  /** Paths of the chunks that fit, in prompt order. */
  paths: string[];
  /** Chunks left out for the budget. */
  droppedChunks: number;
}

/** A chunk cut to fit keeps at least this many tokens of its text, or is left out. */
const MIN_CUT_CHUNK_TOKENS = 16;

const QWEN = {repo: "<|repo_name|>", file: "<|file_sep|>"};
const STARCODER = {repo: "<repo_name>", file: "<file_sep>"};

/** The multi-file format the model's vocabulary has control tokens for, else commented headers. */
export function multiFileFormat(model: LlamaModel): MultiFileFormat {
  if (isSingleToken(model, QWEN.repo) && isSingleToken(model, QWEN.file)) return "qwen";
  if (isSingleToken(model, STARCODER.repo) && isSingleToken(model, STARCODER.file)) return "starcoder";
  return "comments";
}

/**
 * The chunks as tokens in the model's format, within `input.maxTokens`: when they do not fit, the
 * lowest-scoring chunks are left out and the rest keep their order. Empty when no chunk fits.
 */
export function renderExtraContext(model: LlamaModel, input: ExtraContextInput): RenderedExtraContext {
  const format = input.format ?? multiFileFormat(model);
  const text = (s: string) => model.tokenize(s, false);
  const special = (s: string) => model.tokenize(s, true);
  const comment = input.lineComment || "//";
  const repoName = input.repoName ?? "";
  const currentPath = input.currentPath ?? "";

  const header: Token[] = format === "qwen" ? [...special(QWEN.repo), ...text(`${repoName}\n`)]
    : format === "starcoder" ? [...special(STARCODER.repo), ...text(repoName)]
    : [];
  const chunkTokens = (chunk: ContextChunk): Token[] => format === "qwen" ? [...special(QWEN.file), ...text(`${chunk.path}\n${chunk.text}\n`)]
    : format === "starcoder" ? [...special(STARCODER.file), ...text(`${chunk.path}\n${chunk.text}`)]
    : text(`${comment} ${chunk.path}\n${chunk.text}\n\n`);
  const footer: Token[] = format === "qwen" ? [...special(QWEN.file), ...text(`${currentPath}\n`)]
    : format === "starcoder" ? [...special(STARCODER.file), ...text(`${currentPath}\n`)]
    : text(`${comment} ${currentPath}\n`);

  const pieces = input.chunks.map(chunk => ({chunk, tokens: chunkTokens(chunk)}));
  const budget = Math.max(0, Math.floor(input.maxTokens)) - header.length - footer.length;
  let total = pieces.reduce((sum, piece) => sum + piece.tokens.length, 0);
  const kept = new Set(pieces);
  for (const piece of [...pieces].sort((a, b) => a.chunk.score - b.chunk.score)) {
    if (total <= budget) break;
    kept.delete(piece);
    total -= piece.tokens.length;
  }
  const fitting = pieces.filter(piece => kept.has(piece));
  if (fitting.length === 0 && pieces.length > 0) {
    // Not even one whole chunk fits: the start of the best one, rather than none.
    const best = pieces.reduce((a, b) => (b.chunk.score > a.chunk.score ? b : a));
    const room = budget - (chunkTokens({...best.chunk, text: ""}).length);
    if (room >= MIN_CUT_CHUNK_TOKENS) fitting.push({chunk: best.chunk, tokens: best.tokens.slice(0, budget)});
  }
  if (fitting.length === 0) return {tokens: [], format, paths: [], droppedChunks: pieces.length};
  return {
    tokens: [...header, ...fitting.flatMap(piece => piece.tokens), ...footer],
    format,
    paths: fitting.map(piece => piece.chunk.path),
    droppedChunks: pieces.length - fitting.length
  };
}

function isSingleToken(model: LlamaModel, marker: string): boolean {
  const tokens = model.tokenize(marker, true);
  return tokens.length === 1 && model.detokenize(tokens, true) === marker;
}
