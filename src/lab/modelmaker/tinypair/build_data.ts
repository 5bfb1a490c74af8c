// Step 3: tokenize the corpus with llama.cpp's own tokenizer (through node-llama-cpp, so training
// and inference see identical tokens) and build the training rows and the held-out sets.
//
//   node out/src/lab/modelmaker/tinypair/build_data.js [--rows512 N] [--rows1024 N] [--fim-eval N]
//
// Reads work/corpus/{train,heldout}.jsonl and work/tokenizer/vocab.json; writes work/data/:
//   train_<L>.u16     rows of L+1 token ids (uint16, little-endian), row-major
//   train_<L>.kind.u8 per row: 0 left-to-right, 1 PSM, 2 SPM
//   heldout_docs.json held-out files, whole, tokenized (for bits per byte)
//   heldout_fim.json  held-out FIM prompts (both layouts for each cut) with their true middles
//   stats.json        counts, bytes per token, round-trip results
//
// Row layouts (exact token orders, `+` = concatenation):
//   LTR  <s> + file tokens from a random start (+ </s> <s> + next file ...) to fill the row
//   PSM  <s> <|fim_prefix|> PREFIX <|fim_suffix|> SUFFIX <|fim_middle|> MIDDLE </s>  then LTR fill
//   SPM  <s> <|fim_suffix|> SUFFIX <|fim_prefix|> PREFIX <|fim_middle|> MIDDLE </s>  then LTR fill
// PREFIX, MIDDLE and SUFFIX are cut at character positions and tokenized separately, as the
// product does at a cursor. Every position is trained on (loss on all next tokens).
import {mkdirSync, readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import type {LlamaModel, Token} from "node-llama-cpp" with {"resolution-mode": "import"};
import {BOS, EOS, FIM_MIDDLE, FIM_PREFIX, FIM_SUFFIX, readVocab, writeVocabCarrier} from "./tinyGguf";
import {fixtureDir, Rng} from "./common";

const SEED = 20261126;
const MAX_MIDDLE_TOKENS = {512: 96, 1024: 128} as Record<number, number>;

interface Doc {pkg: string; path: string; text: string}

export type MiddleKind = "empty" | "rest_of_line" | "few_lines" | "block" | "span";
const MIDDLE_KINDS: Array<[MiddleKind, number]> = [
  ["empty", 0.05], ["rest_of_line", 0.40], ["few_lines", 0.25], ["block", 0.15], ["span", 0.15]
];

function readDocs(path: string): Doc[] {
  return readFileSync(path, "utf8").split("\n").filter(l => l.length > 0).map(l => JSON.parse(l) as Doc);
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10 && i + 1 < text.length) starts.push(i + 1);
  return starts;
}

/** End of the line holding `pos` (index of its "\r\n" / "\n", or text length). */
function lineEnd(text: string, pos: number): number {
  let e = text.indexOf("\n", pos);
  if (e === -1) return text.length;
  if (e > pos && text[e - 1] === "\r") e--;
  return e;
}

/** Character range [c0, c1) of a completion middle, like a cursor in an editor would produce. */
export function chooseMiddle(text: string, starts: number[], rng: Rng, kind: MiddleKind): [number, number] {
  const line = rng.int(starts.length);
  const ls = starts[line]!;
  const le = lineEnd(text, ls);
  const indent = ls + (/^[ \t]*/.exec(text.slice(ls, le))![0].length);
  const cursorInLine = () => indent + rng.int(Math.max(1, le - indent + 1));
  switch (kind) {
    case "empty": {
      const c = cursorInLine();
      return [c, c];
    }
    case "rest_of_line":
      return [cursorInLine(), le];
    case "few_lines": {
      const k = 1 + rng.int(4);
      const last = starts[Math.min(starts.length - 1, line + k)]!;
      return [cursorInLine(), lineEnd(text, last)];
    }
    case "block": {
      const k = 2 + rng.int(10);
      const last = starts[Math.min(starts.length - 1, line + k)]!;
      return [rng.next() < 0.5 ? ls : indent, lineEnd(text, last)];
    }
    case "span": {
      const c = cursorInLine();
      return [c, Math.min(text.length, c + 1 + rng.int(60))];
    }
  }
}

class Builder {
  readonly trainDocs: Doc[];
  readonly trainTokens: Uint16Array[];
  readonly cumulative: Float64Array;
  readonly starts = new Map<number, number[]>();

  constructor(readonly model: LlamaModel, docs: Doc[]) {
    this.trainDocs = docs;
    this.trainTokens = docs.map(d => Uint16Array.from(this.tok(d.text)));
    this.cumulative = new Float64Array(docs.length);
    let acc = 0;
    this.trainTokens.forEach((t, i) => this.cumulative[i] = acc += t.length);
  }

  tok(text: string): Token[] {
    return text.length === 0 ? [] : this.model.tokenize(text, false);
  }

  pickDoc(rng: Rng): number {
    const x = rng.next() * this.cumulative[this.cumulative.length - 1]!;
    let lo = 0, hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! > x) hi = mid; else lo = mid + 1;
    }
    return lo;
  }

  /** Appends <s> + file tokens (files joined by </s> <s>) until `row` holds `size` tokens. */
  fillLtr(row: number[], size: number, rng: Rng): void {
    let first = true;
    while (row.length < size) {
      const toks = this.trainTokens[this.pickDoc(rng)]!;
      let start = 0;
      if (first && rng.next() < 0.8) start = rng.int(toks.length);
      first = false;
      row.push(BOS);
      for (let i = start; i < toks.length && row.length < size; i++) row.push(toks[i]!);
      if (row.length < size) row.push(EOS);
    }
    row.length = size;
  }

  /** Prefix/middle/suffix tokens of one cut of `text`, fitted into `budget` tokens; null if the middle is too long. */
  fimParts(text: string, starts: number[], rng: Rng, budget: number, maxMiddle: number, kind: MiddleKind):
      {prefix: Token[]; suffix: Token[]; middle: Token[]; c0: number; c1: number} | null {
    const [c0, c1] = chooseMiddle(text, starts, rng, kind);
    const middle = this.tok(text.slice(c0, c1));
    if (middle.length > maxMiddle) return null;
    const room = budget - 5 - middle.length;
    const windowChars = room * 8;
    const preStart = Math.max(0, c0 - windowChars);
    let prefix = this.tok(text.slice(preStart, c0));
    if (preStart > 0) prefix = prefix.slice(1); // the first token may be a fragment of a longer one
    const sufEnd = Math.min(text.length, c1 + windowChars);
    let suffix = this.tok(text.slice(c1, sufEnd));
    if (sufEnd < text.length) suffix = suffix.slice(0, -1);
    const share = 0.1 + 0.35 * rng.next();
    let s = Math.min(suffix.length, Math.floor(room * share));
    const p = Math.min(prefix.length, room - s);
    s = Math.min(suffix.length, room - p);
    return {prefix: prefix.slice(prefix.length - p), suffix: suffix.slice(0, s), middle, c0, c1};
  }

  pickKind(rng: Rng): MiddleKind {
    let x = rng.next();
    for (const [k, w] of MIDDLE_KINDS) if ((x -= w) < 0) return k;
    return "rest_of_line";
  }

  fimRow(layout: "psm" | "spm", size: number, rng: Rng): number[] {
    for (;;) {
      const d = this.pickDoc(rng);
      const text = this.trainDocs[d]!.text;
      if (!this.starts.has(d)) this.starts.set(d, lineStarts(text));
      const parts = this.fimParts(text, this.starts.get(d)!, rng, size, MAX_MIDDLE_TOKENS[size - 1]!, this.pickKind(rng));
      if (parts === null) continue;
      const row = fimPrompt(layout, parts.prefix, parts.suffix);
      row.push(...parts.middle, EOS);
      if (row.length < size) this.fillLtr(row, size, rng);
      return row;
    }
  }
}

export function fimPrompt(layout: "psm" | "spm", prefix: readonly number[], suffix: readonly number[]): number[] {
  return layout === "psm"
    ? [BOS, FIM_PREFIX, ...prefix, FIM_SUFFIX, ...suffix, FIM_MIDDLE]
    : [BOS, FIM_SUFFIX, ...suffix, FIM_PREFIX, ...prefix, FIM_MIDDLE];
}

function argNumber(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const dir = fixtureDir();
  const work = join(dir, "work");
  const out = join(work, "data");
  mkdirSync(out, {recursive: true});
  const vocab = readVocab(join(work, "tokenizer", "vocab.json"));
  const carrier = join(work, "tokenizer", "vocab-carrier.gguf");
  writeVocabCarrier(carrier, vocab);
  const {getLlama} = await import("node-llama-cpp");
  const llama = await getLlama({gpu: false, maxThreads: 1, logLevel: "error" as never});
  const model = await llama.loadModel({modelPath: carrier, vocabOnly: true});

  const trainDocs = readDocs(join(work, "corpus", "train.jsonl"));
  const heldDocs = readDocs(join(work, "corpus", "heldout.jsonl"));
  const builder = new Builder(model, trainDocs);
  const trainTokenCount = builder.cumulative[builder.cumulative.length - 1]!;
  const trainBytes = trainDocs.reduce((a, d) => a + Buffer.byteLength(d.text, "utf8"), 0);
  console.log(`tokenized ${trainDocs.length} training files: ${trainTokenCount} tokens, ${(trainBytes / trainTokenCount).toFixed(3)} bytes/token (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

  const stats: Record<string, unknown> = {seed: SEED, train: {files: trainDocs.length, bytes: trainBytes, tokens: trainTokenCount}};
  for (const [size, rows] of [[512, argNumber("--rows512", 32000)], [1024, argNumber("--rows1024", 4000)]] as const) {
    const rng = new Rng(SEED + size);
    const data = new Uint16Array(rows * (size + 1));
    const kinds = new Uint8Array(rows);
    for (let r = 0; r < rows; r++) {
      const x = rng.next();
      const kind = x < 0.5 ? 0 : x < 0.75 ? 1 : 2;
      let row: number[];
      if (kind === 0) {
        row = [];
        builder.fillLtr(row, size + 1, rng);
      } else row = builder.fimRow(kind === 1 ? "psm" : "spm", size + 1, rng);
      if (row.length !== size + 1) throw new Error("row length");
      data.set(row, r * (size + 1));
      kinds[r] = kind;
    }
    writeFileSync(join(out, `train_${size}.u16`), Buffer.from(data.buffer));
    writeFileSync(join(out, `train_${size}.kind.u8`), kinds);
    stats[`train_${size}`] = {rows, tokens: rows * (size + 1), ltr: kinds.filter(k => k === 0).length,
      psm: kinds.filter(k => k === 1).length, spm: kinds.filter(k => k === 2).length};
    console.log(`train_${size}: ${rows} rows (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }

  // Held-out: whole files for bits per byte, and FIM cuts (1024-token prompts, as in the product).
  let roundTripFailures = 0;
  const heldOut = heldDocs.map(d => {
    const tokens = builder.tok(d.text);
    if (model.detokenize(tokens) !== d.text) roundTripFailures++;
    return {pkg: d.pkg, path: d.path, bytes: Buffer.byteLength(d.text, "utf8"), tokens};
  });
  writeFileSync(join(out, "heldout_docs.json"), JSON.stringify(heldOut));
  const heldTokens = heldOut.reduce((a, d) => a + d.tokens.length, 0);
  const heldBytes = heldOut.reduce((a, d) => a + d.bytes, 0);
  const rng = new Rng(SEED + 7);
  const nFim = argNumber("--fim-eval", 300);
  const heldCum: number[] = [];
  heldOut.reduce((a, d, i) => (heldCum[i] = a + d.tokens.length), 0);
  const fim: unknown[] = [];
  const kindCounts: Record<string, number> = {};
  while (fim.length < 2 * nFim) {
    const x = rng.next() * heldTokens;
    const d = heldCum.findIndex(c => c > x);
    const text = heldDocs[d]!.text;
    const kind = builder.pickKind(rng);
    const parts = builder.fimParts(text, lineStarts(text), rng, 1024, MAX_MIDDLE_TOKENS[1024]!, kind);
    if (parts === null) continue;
    kindCounts[kind] = (kindCounts[kind] ?? 0) + 1;
    for (const layout of ["psm", "spm"] as const)
      fim.push({pkg: heldDocs[d]!.pkg, path: heldDocs[d]!.path, kind, layout, c0: parts.c0, c1: parts.c1,
        prompt: fimPrompt(layout, parts.prefix, parts.suffix), middle: [...parts.middle, EOS]});
  }
  writeFileSync(join(out, "heldout_fim.json"), JSON.stringify(fim));
  stats.heldout = {files: heldDocs.length, bytes: heldBytes, tokens: heldTokens, bytes_per_token: heldBytes / heldTokens,
    round_trip_failures: roundTripFailures, fim_cuts: nFim, fim_examples: fim.length, fim_middle_kinds: kindCounts,
    fim_prompt_budget_tokens: 1024};
  stats.train_bytes_per_token = trainBytes / trainTokenCount;
  stats.middle_kind_weights = Object.fromEntries(MIDDLE_KINDS);
  stats.max_middle_tokens = MAX_MIDDLE_TOKENS;
  stats.seconds = (Date.now() - t0) / 1000;
  writeFileSync(join(out, "stats.json"), JSON.stringify(stats, null, 1));
  console.log(JSON.stringify(stats));
  if (roundTripFailures > 0) throw new Error(`${roundTripFailures} held-out files do not round-trip`);
  await model.dispose();
  await llama.dispose();
}

if (require.main === module) main().catch(e => {
  console.error(e);
  process.exit(1);
});
