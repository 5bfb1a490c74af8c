// Step 6b: compare node-llama-cpp's next-token probabilities on the exported GGUF files with the
// torch reference (reference.py: F16-rounded matrices, F16-rounded matmul inputs as in ggml), with
// an F32 KV cache and flash attention off.
//
//   node out/src/lab/modelmaker/tinypair/verify.js [target draft] [--gguf-dir DIR]
//
// Writes work/compare/<name>.result.json: max |Δp| over the whole vocabulary, per prompt.
import {readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import type {ControlledEvaluateInputItem, LlamaModel, Token} from "node-llama-cpp" with {"resolution-mode": "import"};
import {fixtureDir, ggufDir as defaultGgufDir} from "./common";

interface Reference {what: string; tokens: number[]; positions: number[]; probs: number[][]}

/**
 * Full next-token distribution (T = 1) at each of `positions` of `tokens`, evaluated in one batch,
 * with an F32 KV cache and flash attention OFF: node-llama-cpp's default "auto" turns flash
 * attention on, and ggml's CPU flash-attention kernel works in F16 (|Δp| up to ~2e-4 on these
 * models even with an F32 cache, against ~6e-5 without it).
 */
export async function nextTokenProbabilities(model: LlamaModel, tokens: readonly number[], positions: readonly number[],
                                             contextSize = 2048): Promise<Float64Array[]> {
  const context = await model.createContext({contextSize, threads: 1, batchSize: contextSize, flashAttention: false,
    experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32"});
  try {
    const seq = context.getSequence();
    const want = new Set(positions);
    const items: ControlledEvaluateInputItem[] = tokens.map((t, i) =>
      want.has(i) ? [t as Token, {generateNext: {probabilities: true}}] : t as Token);
    const out = await seq.controlledEvaluate(items);
    return positions.map(i => {
      const map = out[i]?.next?.probabilities;
      if (map === undefined) throw new Error(`no probabilities at ${i}`);
      const full = new Float64Array(map.size); // temperature 0: the whole vocabulary
      for (const [tok, prob] of map) full[tok] = prob;
      return full;
    });
  } finally {
    await context.dispose();
  }
}

async function main(): Promise<void> {
  const dir = fixtureDir();
  const flag = process.argv.indexOf("--gguf-dir");
  const ggufDir = flag === -1 ? defaultGgufDir() : process.argv[flag + 1]!;
  const names = process.argv.slice(2).filter((a, i, all) => !a.startsWith("--") && all[i + 1] !== a && all[i - 1] !== "--gguf-dir");
  const {getLlama} = await import("node-llama-cpp");
  const llama = await getLlama({gpu: false, maxThreads: 1});
  for (const name of names.length > 0 ? names : ["target", "draft"]) {
    const refs = JSON.parse(readFileSync(join(dir, "work", "compare", `${name}.reference.json`), "utf8")) as Reference[];
    const model = await llama.loadModel({modelPath: join(ggufDir, `${name}.gguf`)});
    const results = [];
    let worst = 0;
    for (const r of refs) {
      const got = await nextTokenProbabilities(model, r.tokens, r.positions);
      let maxDiff = 0, argmaxAgree = 0;
      got.forEach((g, k) => {
        const want = r.probs[k]!;
        let a = 0, b = 0;
        for (let v = 0; v < want.length; v++) {
          maxDiff = Math.max(maxDiff, Math.abs((g[v] ?? 0) - want[v]!));
          if ((g[v] ?? 0) > (g[a] ?? 0)) a = v;
          if (want[v]! > want[b]!) b = v;
        }
        if (a === b) argmaxAgree++;
      });
      worst = Math.max(worst, maxDiff);
      results.push({what: r.what, tokens: r.tokens.length, positions: r.positions.length, max_abs_diff: maxDiff, argmax_agree: argmaxAgree});
      console.log(`${name} ${r.what}: max |Δp| ${maxDiff.toExponential(2)}, argmax agree ${argmaxAgree}/${r.positions.length}`);
    }
    writeFileSync(join(dir, "work", "compare", `${name}.result.json`), JSON.stringify({name, kv_cache: "F32", flash_attention: false, max_abs_diff: worst, prompts: results}, null, 1));
    await model.dispose();
  }
  await llama.dispose();
}

if (require.main === module) main().catch(e => {
  console.error(e);
  process.exit(1);
});
