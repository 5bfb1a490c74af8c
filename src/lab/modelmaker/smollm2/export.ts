// Step 4 of the SmolLM2 draft: write the trained weights (work/weights/draft/{manifest.json,
// weights.f32}, from train.py) as a GGUF with the repository's writer, carrying SmolLM2's
// tokenizer exactly: every tokenizer.* key of the target GGUF is copied with its GGUF type.
//
//   node out/src/lab/modelmaker/smollm2/export.js [--weights-dir DIR] [--out FILE]
//   node out/src/lab/modelmaker/smollm2/export.js --random D,LAYERS,HEADS,FFN --out FILE   (cost probes)
//
// Matrices F16, norms F32. Torch Linear weights (out, in) go in unchanged (ggml ne = [in, out]);
// the torch model (../tinypair/model.py) rotates adjacent pairs like llama.cpp's arch "llama",
// so Q/K need no permutation. Embeddings are tied (no output.weight): llama.cpp then uses
// token_embd for the output layer.
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {arr, bool, MetadataValue, ScalarKind, str, TensorSpec, writeGguf} from "../ggufWriter";
import {LlamaShape, llamaMetadata} from "../tinypair/tinyGguf";
import {draftPath, smollm2TargetPath, workDir} from "./common";

/** GGUF types of SmolLM2's tokenizer keys (as stored in the Q4_1 file; checked by test/modelmaker/smollm2Draft.test.ts). */
const TOKENIZER_KEYS: Record<string, ScalarKind | ["array", ScalarKind]> = {
  "tokenizer.ggml.model": "string",
  "tokenizer.ggml.pre": "string",
  "tokenizer.ggml.tokens": ["array", "string"],
  "tokenizer.ggml.token_type": ["array", "i32"],
  "tokenizer.ggml.merges": ["array", "string"],
  "tokenizer.ggml.bos_token_id": "u32",
  "tokenizer.ggml.eos_token_id": "u32",
  "tokenizer.ggml.unknown_token_id": "u32",
  "tokenizer.ggml.padding_token_id": "u32",
  "tokenizer.ggml.add_bos_token": "bool",
  "tokenizer.ggml.add_space_prefix": "bool",
  "tokenizer.chat_template": "string"
};

/** Every tokenizer.* key of the target, with its type; throws on a key this table does not know. */
export async function tokenizerMetadataOf(targetPath: string): Promise<Record<string, MetadataValue>> {
  const {readGgufFileInfo} = await import("node-llama-cpp");
  const info = await readGgufFileInfo(targetPath);
  const flat: Record<string, unknown> = {};
  const walk = (prefix: string, value: unknown) => {
    if (value !== null && typeof value === "object" && !Array.isArray(value))
      for (const [k, v] of Object.entries(value)) walk(prefix ? `${prefix}.${k}` : k, v);
    else flat[prefix] = value;
  };
  walk("tokenizer", (info.metadata as unknown as {tokenizer: unknown}).tokenizer);
  const out: Record<string, MetadataValue> = {};
  for (const [key, value] of Object.entries(flat)) {
    const kind = TOKENIZER_KEYS[key];
    if (kind === undefined) throw new Error(`${targetPath}: tokenizer key ${key} has no known GGUF type here; add it to TOKENIZER_KEYS`);
    if (Array.isArray(kind)) out[key] = arr(kind[1], value as Array<string | number>);
    else if (kind === "string") out[key] = str(value as string);
    else if (kind === "bool") out[key] = bool(value as boolean);
    else out[key] = {kind, value: value as number};
  }
  return out;
}

interface Manifest {
  name: string;
  config: LlamaShape & {tied: boolean};
  tensors: Array<{name: string; shape: number[]; offset: number}>;
}

function loadTensors(weightsDir: string): {config: LlamaShape; tensors: TensorSpec[]} {
  const manifest = JSON.parse(readFileSync(join(weightsDir, "manifest.json"), "utf8")) as Manifest;
  if (!manifest.config.tied) throw new Error("the draft is exported with tied embeddings only");
  const raw = readFileSync(join(weightsDir, "weights.f32"));
  const tensors = manifest.tensors.map((t): TensorSpec => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(raw.buffer.slice(raw.byteOffset + t.offset, raw.byteOffset + t.offset + 4 * n));
    return {name: t.name, shape: t.shape, type: t.shape.length === 2 ? "F16" : "F32", data};
  });
  return {config: manifest.config, tensors};
}

/** Random weights of a given shape: only for measuring what a draft of that shape costs per token. */
function randomTensors(config: LlamaShape): TensorSpec[] {
  let s = 12345;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296 - 0.5) * 0.04;
  const m = (name: string, rows: number, cols: number): TensorSpec =>
    ({name, shape: [rows, cols], type: "F16", data: Float32Array.from({length: rows * cols}, rand)});
  const ones = (name: string): TensorSpec => ({name, shape: [config.d], type: "F32", data: new Float32Array(config.d).fill(1)});
  const out = [m("token_embd.weight", config.vocab, config.d)];
  for (let i = 0; i < config.layers; i++) {
    const p = `blk.${i}.`;
    out.push(ones(p + "attn_norm.weight"), m(p + "attn_q.weight", config.d, config.d), m(p + "attn_k.weight", config.d, config.d),
      m(p + "attn_v.weight", config.d, config.d), m(p + "attn_output.weight", config.d, config.d), ones(p + "ffn_norm.weight"),
      m(p + "ffn_gate.weight", config.ffn, config.d), m(p + "ffn_up.weight", config.ffn, config.d), m(p + "ffn_down.weight", config.d, config.ffn));
  }
  out.push(ones("output_norm.weight"));
  return out;
}

export async function exportDraft(options: {weightsDir?: string; random?: LlamaShape; out: string}): Promise<number> {
  const target = await smollm2TargetPath();
  const {config, tensors} = options.random
    ? {config: options.random, tensors: randomTensors(options.random)}
    : loadTensors(options.weightsDir ?? join(workDir(), "weights", "draft"));
  const metadata: Record<string, MetadataValue> = {...llamaMetadata("draftstop-smollm2-draft", config), ...await tokenizerMetadataOf(target)};
  // SmolLM2 has no FIM tokens, and neither has its draft: no FIM layouts to declare.
  delete metadata["draftstop.fim_layouts"];
  return writeGguf(options.out, {metadata, tensors});
}

async function main(): Promise<void> {
  const arg = (flag: string) => {
    const i = process.argv.indexOf(flag);
    return i === -1 ? undefined : process.argv[i + 1];
  };
  const random = arg("--random");
  let shape: LlamaShape | undefined;
  if (random) {
    const [d, layers, heads, ffn] = random.split(",").map(Number) as [number, number, number, number];
    shape = {vocab: 49152, d, layers, heads, ffn, eps: 1e-5, rope_base: 10000, context: 8192};
  }
  const out = arg("--out") ?? draftPath();
  const bytes = await exportDraft({weightsDir: arg("--weights-dir"), random: shape, out});
  console.log(`${out}: ${bytes} bytes`);
}

if (require.main === module) main().catch(e => {
  console.error(e);
  process.exit(1);
});
