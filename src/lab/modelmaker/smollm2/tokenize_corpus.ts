// Step 2 of the SmolLM2 draft: tokenize the corpus with SmolLM2's own tokenizer, through
// node-llama-cpp (so training sees exactly the tokens inference sees).
//
//   node out/src/lab/modelmaker/smollm2/tokenize_corpus.js
//
// Reads work/corpus/{train,heldout}.jsonl (prepare_corpus.py); writes work/data/:
//   train.u16        every training file's tokens followed by <|endoftext|>, in corpus order (uint16 LE)
//   heldout.json     held-out files: {pkg, path, bytes, tokens}
//   special.json     the id of <|endoftext|> and corpus statistics
import {mkdirSync, readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {smollm2TargetPath, workDir} from "./common";

interface Doc {pkg: string; path: string; text: string}

const readDocs = (path: string): Doc[] =>
  readFileSync(path, "utf8").split("\n").filter(l => l.length > 0).map(l => JSON.parse(l) as Doc);

async function main(): Promise<void> {
  const target = await smollm2TargetPath();
  const {getLlama} = await import("node-llama-cpp");
  const llama = await getLlama({gpu: false, maxThreads: 1, logLevel: "error" as never});
  const model = await llama.loadModel({modelPath: target, vocabOnly: true});
  const {readGgufFileInfo} = await import("node-llama-cpp");
  const vocab = ((await readGgufFileInfo(target)).metadata as unknown as {tokenizer: {ggml: {tokens: string[]}}}).tokenizer.ggml.tokens;
  const id = (text: string): number => {
    const i = vocab.indexOf(text);
    if (i < 0) throw new Error(`${text} is not in SmolLM2's vocabulary`);
    return i;
  };
  // SmolLM2 has no FIM tokens (no <fim_prefix>/<fim_suffix>/<fim_middle> in its vocabulary), so the
  // draft is trained left to right only.
  const special = {endoftext: id("<|endoftext|>"), fim_tokens: vocab.filter(t => /fim/i.test(t))};
  const out = join(workDir(), "data");
  mkdirSync(out, {recursive: true});
  const train = readDocs(join(workDir(), "corpus", "train.jsonl"));
  const chunks: Uint16Array[] = [];
  let total = 0, bytes = 0;
  const t0 = Date.now();
  for (const d of train) {
    const tokens = model.tokenize(d.text, false) as number[];
    const row = new Uint16Array(tokens.length + 1);
    row.set(tokens);
    row[tokens.length] = special.endoftext;
    chunks.push(row);
    total += row.length;
    bytes += Buffer.byteLength(d.text, "utf8");
  }
  const all = new Uint16Array(total);
  let o = 0;
  for (const c of chunks) { all.set(c, o); o += c.length; }
  writeFileSync(join(out, "train.u16"), Buffer.from(all.buffer));
  const heldout = readDocs(join(workDir(), "corpus", "heldout.jsonl")).map(d => ({
    pkg: d.pkg, path: d.path, bytes: Buffer.byteLength(d.text, "utf8"), tokens: model.tokenize(d.text, false) as number[]
  }));
  writeFileSync(join(out, "heldout.json"), JSON.stringify(heldout));
  const heldoutTokens = heldout.reduce((a, d) => a + d.tokens.length, 0);
  const stats = {special, train: {files: train.length, bytes, tokens: total, bytes_per_token: bytes / (total - train.length)},
    heldout: {files: heldout.length, bytes: heldout.reduce((a, d) => a + d.bytes, 0), tokens: heldoutTokens},
    seconds: (Date.now() - t0) / 1000};
  writeFileSync(join(out, "special.json"), JSON.stringify(stats, null, 1));
  console.log(JSON.stringify(stats));
  await model.dispose();
  await llama.dispose();
}

main().catch(e => { console.error(e); process.exit(1); });
