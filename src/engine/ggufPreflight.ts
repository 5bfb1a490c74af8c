// Reads a GGUF file's header before llama.cpp sees the file. Some malformed files make llama.cpp
// abort the whole process (GGML_ASSERT) instead of throwing: a missing feed_forward_length or
// head_count, block_count = 0, 1-D (norm) weights that are not F32 (docs/facts.md,
// "Files that abort llama.cpp"), and, found here, a
// vocabulary with the same token text twice, head_count_kv = 0, a negative norm epsilon, more
// experts used than exist; and, found by the fuzzer (test/reliability/fuzzModels.test.ts),
// block_count above 512, a tensor dimension of 0, two token texts equal up to a NUL byte, a bert vocabulary with byte
// tokens, and counts or lengths past the end of the file (ggufBounds.ts), on which node-llama-cpp's
// reader ran for minutes. No list like this is complete: that is why the extension runs the
// models in a process of their own. Those, and files
// that are missing, empty, not GGUF or truncated, are rejected here with a ModelFileError that
// names the file and the problem.
import {stat} from "node:fs/promises";
import {findHeaderFault} from "./ggufBounds";
import {ModelFileError, ModelRole} from "./errors";
import {GgufFileInfo, Llama, loadNodeLlamaCpp} from "./nlc";

/** Architectures without attention heads or a feed-forward length (recurrent models). */
const RECURRENT_ARCHITECTURES = new Set(["mamba", "mamba2", "rwkv6", "rwkv6qwen2", "rwkv7", "arwkv7"]);
const F32 = 0;
/** llama-hparams.h: LLAMA_MAX_LAYERS; llama.cpp asserts block_count is at most this. */
const MAX_LAYERS = 512;
/** gguf token type of a byte token (<0x0A>). */
const BYTE_TOKEN = 6;

export async function preflightModelFile(path: string, role: ModelRole | undefined, llama: Llama): Promise<GgufFileInfo> {
  const size = await fileSize(path, role);
  // Before node-llama-cpp's reader, which trusts every count and length (ggufBounds.ts).
  const fault = await findHeaderFault(path, size).catch(error => {
    throw new ModelFileError(path, "unreadable", `cannot be read (${(error as NodeJS.ErrnoException)?.code ?? error})`, role, {cause: error});
  });
  if (fault) throw new ModelFileError(path, fault.problem, fault.detail, role);
  const nlc = await loadNodeLlamaCpp();
  let info: GgufFileInfo;
  try {
    info = await nlc.readGgufFileInfo(path, {sourceType: "filesystem", logWarnings: false});
  } catch (error) {
    // The class is not exported and does not set `name`; its constructor name identifies it.
    if ((error as Error)?.constructor?.name === "InvalidGgufMagicError")
      throw new ModelFileError(path, "notGguf", "not a GGUF file (wrong magic bytes)", role, {cause: error});
    throw new ModelFileError(path, "truncated",
      `the GGUF header cannot be read (${(error as Error)?.message ?? error}); the file is truncated or corrupt`, role, {cause: error});
  }
  // Size first: a cut-off file can hold a header whose later fields are garbage.
  await checkDataFits(path, role, info, size, llama);
  try {
    checkMetadata(path, role, info);
    checkTensorTypes(path, role, info);
  } catch (error) {
    if (error instanceof ModelFileError) throw error;
    // Metadata of a shape no check expected (a number where a list belongs …) is still a bad file, and says so.
    throw new ModelFileError(path, "malformed", `its metadata cannot be checked (${(error as Error)?.message ?? error})`, role, {cause: error});
  }
  return info;
}

async function fileSize(path: string, role: ModelRole | undefined): Promise<number> {
  try {
    const stats = await stat(path);
    if (stats.isDirectory()) throw new ModelFileError(path, "directory", "is a directory, not a GGUF file", role);
    if (stats.size === 0) throw new ModelFileError(path, "empty", "the file is empty", role);
    return stats.size;
  } catch (error) {
    if (error instanceof ModelFileError) throw error;
    const code = (error as NodeJS.ErrnoException)?.code;
    if (code === "ENOENT") throw new ModelFileError(path, "missing", "no such file", role, {cause: error});
    throw new ModelFileError(path, "unreadable", `cannot be read (${code ?? error})`, role, {cause: error});
  }
}

function checkMetadata(path: string, role: ModelRole | undefined, info: GgufFileInfo): void {
  const metadata = info.metadata as unknown as Record<string, Record<string, unknown> | undefined>;
  const architecture = (metadata.general as {architecture?: unknown} | undefined)?.architecture;
  const malformed = (detail: string) => new ModelFileError(path, "malformed", detail, role);
  if (typeof architecture !== "string" || architecture.length === 0) throw malformed("general.architecture is missing");
  const arch = (metadata[architecture] ?? {}) as Record<string, unknown>;
  const blockCount = Number(arch.block_count);
  if (!(blockCount >= 1)) throw malformed(`${architecture}.block_count must be at least 1 (found ${String(arch.block_count)})`);
  if (blockCount > MAX_LAYERS) throw malformed(`${architecture}.block_count is ${blockCount}; llama.cpp aborts above ${MAX_LAYERS}`);
  if (!(Number(arch.embedding_length) >= 1)) throw malformed(`${architecture}.embedding_length is missing`);
  if (!RECURRENT_ARCHITECTURES.has(architecture)) {
    const attention = (arch.attention ?? {}) as Record<string, unknown>;
    if (!isPositive(attention.head_count)) throw malformed(`${architecture}.attention.head_count is missing`);
    if (!isPositive(arch.feed_forward_length)) throw malformed(`${architecture}.feed_forward_length is missing`);
    if (attention.head_count_kv !== undefined && !isPositive(attention.head_count_kv))
      throw malformed(`${architecture}.attention.head_count_kv must be at least 1 (llama.cpp aborts on 0)`);
    const eps = attention.layer_norm_rms_epsilon ?? attention.layer_norm_epsilon;
    if (eps !== undefined && !(Number(eps) >= 0)) throw malformed(`${architecture}.attention's norm epsilon must not be negative (llama.cpp aborts)`);
  }
  if (arch.expert_used_count !== undefined && !(Number(arch.expert_used_count) <= Number(arch.expert_count ?? 0)))
    throw malformed(`${architecture}.expert_used_count (${String(arch.expert_used_count)}) exceeds expert_count (${String(arch.expert_count ?? 0)}); llama.cpp aborts`);
  const tokenizer = (metadata.tokenizer as {ggml?: {model?: unknown; tokens?: unknown[]; token_type?: unknown}} | undefined)?.ggml;
  if (typeof tokenizer?.model !== "string") throw malformed("tokenizer.ggml.model is missing");
  if (!Array.isArray(tokenizer.tokens) || tokenizer.tokens.length === 0) throw malformed("tokenizer.ggml.tokens is missing");
  if (new Set(tokenizer.tokens.map(textAsLlamaCppSeesIt)).size !== tokenizer.tokens.length)
    throw malformed("tokenizer.ggml.tokens holds the same token text twice (llama.cpp aborts on such files)");
  // A WordPiece (bert) vocabulary cannot turn a byte token into its byte: llama.cpp aborts while it loads one.
  if (tokenizer.model === "bert" && Array.isArray(tokenizer.token_type) && tokenizer.token_type.includes(BYTE_TOKEN))
    throw malformed("tokenizer.ggml.model is bert (WordPiece) but the vocabulary has byte tokens (llama.cpp aborts on such files)");
}

/**
 * llama.cpp reads a token's text as a C string, so it ends at the first NUL byte, and it names an
 * empty one [EMPTY_<id>] (llama-vocab.cpp). Two texts that differ only after a NUL are the same token there.
 */
function textAsLlamaCppSeesIt(token: unknown, id: number): string {
  const text = String(token);
  const nul = text.indexOf("\0");
  const cut = nul < 0 ? text : text.slice(0, nul);
  return cut === "" ? `[EMPTY_${id}]` : cut;
}

function isPositive(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0 && value.some(v => Number(v) > 0); // per-layer arrays
  return Number(value) >= 1;
}

function tensorsOf(info: GgufFileInfo) {
  return info.fullTensorInfo ?? info.tensorInfo ?? [];
}

async function checkDataFits(path: string, role: ModelRole | undefined, info: GgufFileInfo, size: number, llama: Llama): Promise<void> {
  const tensors = tensorsOf(info);
  if (tensors.length === 0) throw new ModelFileError(path, "malformed", "holds no tensors", role);
  if (info.splicedParts > 1) return; // split files: each part is checked by llama.cpp itself
  const nlc = await loadNodeLlamaCpp();
  let expected: number;
  try {
    const insights = await nlc.GgufInsights.from(info, llama);
    expected = Number(tensors[0]!.fileOffset) - Number(tensors[0]!.offset) + insights.modelSize;
  } catch (error) {
    throw new ModelFileError(path, "malformed", `its tensor table cannot be read (${(error as Error)?.message ?? error})`, role, {cause: error});
  }
  if (!(size >= expected))
    throw new ModelFileError(path, "truncated",
      `the file is truncated: ${size} bytes, its tensors need ${expected}; download it again`, role);
}

function checkTensorTypes(path: string, role: ModelRole | undefined, info: GgufFileInfo): void {
  for (const tensor of tensorsOf(info)) {
    if (tensor.dimensions.length === 1 && tensor.ggmlType !== F32)
      throw new ModelFileError(path, "malformed",
        `1-D tensor ${tensor.name} is not F32 (llama.cpp aborts on such files)`, role);
    if (tensor.dimensions.some(d => !(Number(d) >= 1)))
      throw new ModelFileError(path, "malformed", `tensor ${tensor.name} has a dimension of 0 (llama.cpp aborts on such files)`, role);
  }
}
