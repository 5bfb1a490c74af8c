// Step 5: convert the trained weights (work/weights/<name>/{manifest.json, weights.f32}, written by
// train.py) into media/models/tinypair/<name>.gguf with the repository's GGUF writer.
//
//   node out/src/lab/modelmaker/tinypair/export.js [target draft] [--weights-dir DIR] [--out-dir DIR]
//
// 2-D matrices are stored as F16, 1-D norm weights as F32 (llama.cpp aborts on F16 norms).
// Torch Linear weights (out, in) go in unchanged (ggml ne = [in, out]); RoPE in model.py already
// rotates adjacent pairs like llama.cpp's arch "llama", so Q/K need no permutation.
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {TensorSpec, writeGguf} from "../ggufWriter";
import {fixtureDir, ggufDir} from "./common";
import {LlamaShape, llamaMetadata, readVocab, tokenizerMetadata} from "./tinyGguf";

interface Manifest {
  name: string;
  config: LlamaShape & {tied: boolean};
  tensors: Array<{name: string; shape: number[]; offset: number}>;
  params: {total: number; embedding_and_output: number; non_embedding: number};
}

export function exportModel(weightsDir: string, vocabPath: string, outPath: string, ggufName: string): number {
  const manifest = JSON.parse(readFileSync(join(weightsDir, "manifest.json"), "utf8")) as Manifest;
  const raw = readFileSync(join(weightsDir, "weights.f32"));
  const vocab = readVocab(vocabPath);
  if (vocab.tokens.length !== manifest.config.vocab) throw new Error(`vocab ${vocab.tokens.length} != model ${manifest.config.vocab}`);
  const tensors: TensorSpec[] = manifest.tensors.map(t => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = raw.readFloatLE(t.offset + 4 * i);
    return {name: t.name, shape: t.shape, type: t.shape.length === 2 ? "F16" : "F32", data};
  });
  return writeGguf(outPath, {metadata: {...llamaMetadata(ggufName, manifest.config), ...tokenizerMetadata(vocab)}, tensors});
}

function main(): void {
  const dir = fixtureDir();
  const arg = (flag: string, fallback: string) => {
    const i = process.argv.indexOf(flag);
    return i === -1 ? fallback : process.argv[i + 1]!;
  };
  const weightsRoot = arg("--weights-dir", join(dir, "work", "weights"));
  const outDir = arg("--out-dir", ggufDir());
  const names = process.argv.slice(2).filter((a, i, all) => !a.startsWith("--") && !all[i - 1]?.startsWith("--"));
  for (const name of names.length > 0 ? names : ["target", "draft"]) {
    const bytes = exportModel(join(weightsRoot, name), join(dir, "work", "tokenizer", "vocab.json"), join(outDir, `${name}.gguf`),
      `draftstop-tiny-${name}`);
    console.log(`${name}.gguf: ${bytes} bytes`);
  }
}

if (require.main === module) main();
