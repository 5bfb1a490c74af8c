// A real GGUF model (a Markov chain, loadable by node-llama-cpp) big enough to span several of the
// downloader's 5 MiB chunks, so that an interrupted download has whole chunks to keep. The Markov
// pair's 1-block files (~3 MB) fit in one chunk, where a resume is indistinguishable from a restart.
import {readFileSync} from "node:fs";
import {markovModelSpec, markovVocabulary} from "../../fixtures/gguf/markovModel";
import {u32, writeGguf} from "../../../src/lab/modelmaker/ggufWriter";

/** ipull's chunk size (DownloadEngineFile DEFAULT_OPTIONS.chunkSize); node-llama-cpp does not change it. */
export const DOWNLOAD_CHUNK_BYTES = 5 * 1024 * 1024;

/** Writes a model of `blocks` identical (zero-output) blocks: ~1 MB + 2.1 MB per block. Returns its bytes. */
export function writeServedModel(path: string, blocks = 6): Buffer {
  const n = markovVocabulary().texts.length;
  const uniform = new Map(Array.from({length: n}, (_, to) => [to, 1 / n] as [number, number]));
  const spec = markovModelSpec({transitions: Array.from({length: n}, () => uniform), name: "served"});
  const block0 = spec.tensors.filter(t => t.name.startsWith("blk.0."));
  const extra = Array.from({length: blocks - 1}, (_, i) => block0.map(t => ({...t, name: t.name.replace("blk.0.", `blk.${i + 1}.`)}))).flat();
  writeGguf(path, {metadata: {...spec.metadata, "llama.block_count": u32(blocks)}, tensors: [...spec.tensors, ...extra]});
  return readFileSync(path);
}
