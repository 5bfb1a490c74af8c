// Is a target pass batch-invariant? The next-token probabilities of each token of a snippet,
// evaluated one token per pass and then in passes of 2 and 8 tokens, with flash attention off
// and on; and what flash attention costs per pass at three context lengths. Speculative greedy
// output equals target-only output only where the passes agree (docs/algorithm.md, "Exactness
// and floating point"). One thread, SmolLM2 by default.
//
//   node out/src/lab/modelmaker/smollm2/batch_invariance.js [MODEL.gguf]
import type {LlamaModel, Token} from "../../../engine/nlc";
import {smollm2TargetPath} from "./common";

const SNIPPET = "import {readFileSync} from \"node:fs\";\n\nexport function readJson(path) {\n  const text = readFileSync(path, 'utf8');\n  return JSON.parse(text);\n}\n";
const FILLER = "export function add(a, b) {\n  return a + b;\n}\n";
const NEXT = {generateNext: {probabilities: true, options: {temperature: 1, topK: 0, topP: 1, minP: 0}}} as const;

async function probabilitiesInPasses(model: LlamaModel, tokens: Token[], passSize: number, flashAttention: boolean): Promise<Map<Token, number>[]> {
  const context = await model.createContext({contextSize: 512, threads: 1, flashAttention});
  const sequence = context.getSequence();
  const out: Map<Token, number>[] = [];
  for (let i = 0; i < tokens.length; i += passSize) {
    const results = await sequence.controlledEvaluate(tokens.slice(i, i + passSize).map(t => [t, NEXT]));
    for (const r of results) out.push(r!.next.probabilities!);
  }
  await context.dispose();
  return out;
}

function maxAbsDifference(a: Map<Token, number>[], b: Map<Token, number>[]): {max: number; differing: number} {
  let max = 0, differing = 0;
  a.forEach((p, i) => {
    let worst = 0;
    for (const [token, value] of p) worst = Math.max(worst, Math.abs(value - (b[i]!.get(token) ?? 0)));
    if (worst > 1e-6) differing++;
    max = Math.max(max, worst);
  });
  return {max, differing};
}

async function passMs(model: LlamaModel, flashAttention: boolean, contextLength: number, n: number, trials = 9): Promise<number> {
  const context = await model.createContext({contextSize: 2048, threads: 1, flashAttention});
  const sequence = context.getSequence();
  const text = model.tokenize(FILLER.repeat(Math.ceil((contextLength + n) / 10)), false).slice(0, contextLength + n);
  await sequence.controlledEvaluate(text.slice(0, contextLength));
  const times: number[] = [];
  for (let t = 0; t < trials; t++) {
    const start = performance.now();
    await sequence.controlledEvaluate(text.slice(contextLength).map((token, i) => (i === n - 1 ? [token, {generateNext: {token: true}}] : token)));
    times.push(performance.now() - start);
    await sequence.eraseContextTokenRanges([{start: contextLength, end: sequence.nextTokenIndex}]);
  }
  await context.dispose();
  return times.sort((x, y) => x - y)[trials >> 1]!;
}

async function main(): Promise<void> {
  const modelPath = process.argv[2] ?? await smollm2TargetPath();
  const {getLlama} = await import("node-llama-cpp");
  const llama = await getLlama({gpu: false, maxThreads: 1, logLevel: "error" as never, build: "never"});
  const model = await llama.loadModel({modelPath});
  const tokens = model.tokenize(SNIPPET, false);
  console.log(`${modelPath}: ${tokens.length} tokens; max |Δp| of a pass of n tokens against one token per pass`);
  for (const flashAttention of [false, true]) {
    const single = await probabilitiesInPasses(model, tokens, 1, flashAttention);
    const cells = [];
    for (const n of [2, 8]) {
      const {max, differing} = maxAbsDifference(single, await probabilitiesInPasses(model, tokens, n, flashAttention));
      cells.push(`n=${n}: ${max.toFixed(5)} (${differing}/${tokens.length} positions differ)`);
    }
    console.log(`  flash attention ${flashAttention ? "on " : "off"}  ${cells.join("  ")}`);
  }
  console.log("median ms per pass, flash attention off → on (9 trials)");
  for (const contextLength of [64, 512, 1536]) {
    const cells = [];
    for (const n of [1, 5]) {
      const off = await passMs(model, false, contextLength, n), on = await passMs(model, true, contextLength, n);
      cells.push(`n=${n}: ${off.toFixed(1)} → ${on.toFixed(1)} (${(on / off).toFixed(2)}×)`);
    }
    console.log(`  context ${String(contextLength).padStart(4)}  ${cells.join("  ")}`);
  }
  await model.dispose();
  await llama.dispose();
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
