// Cost of one token, draft vs target, as the engine pays it: a single-token controlledEvaluate
// asking for a top-40 probability map, one thread each, after a 300-token prompt (the token is
// erased again after each timing, so every pass sees the same context length).
//
//   node out/src/lab/modelmaker/smollm2/measure_cost.js [DRAFT.gguf ...] [--rounds N] [--json FILE]
import {writeFileSync} from "node:fs";
import {draftPath, smollm2TargetPath} from "./common";

const PROMPT = `import {readFileSync} from "node:fs";\n\nexport function parse(path) {\n  const text = readFileSync(path, "utf8");\n  const lines = text.split("\\n");\n`;

export async function tokenCostMs(modelPath: string, rounds: number): Promise<{median_ms: number; p25_ms: number; p75_ms: number; context: number}> {
  const {getLlama} = await import("node-llama-cpp");
  const llama = await getLlama({gpu: false, maxThreads: 1, logLevel: "error" as never});
  const model = await llama.loadModel({modelPath});
  const context = await model.createContext({contextSize: 1024, threads: 1, batchSize: 512});
  const sequence = context.getSequence();
  let prompt = model.tokenize(PROMPT, false);
  while (prompt.length < 300) prompt = [...prompt, ...model.tokenize(PROMPT, false)];
  prompt = prompt.slice(0, 300);
  await sequence.controlledEvaluate(prompt.slice(0, -1));
  const last = prompt.at(-1)!;
  const times: number[] = [];
  for (let i = 0; i < rounds + 3; i++) {
    const start = performance.now();
    const out = await sequence.controlledEvaluate([[last, {generateNext: {probabilities: true, options: {temperature: 1, topK: 40, topP: 1, minP: 0}}}]]);
    const ms = performance.now() - start;
    if (!out.at(-1)?.next.probabilities) throw new Error("no probabilities");
    if (i >= 3) times.push(ms);
    await sequence.eraseContextTokenRanges([{start: prompt.length - 1, end: prompt.length}]);
  }
  times.sort((a, b) => a - b);
  const q = (f: number) => times[Math.floor(f * (times.length - 1))]!;
  await context.dispose();
  await model.dispose();
  await llama.dispose();
  return {median_ms: q(0.5), p25_ms: q(0.25), p75_ms: q(0.75), context: prompt.length};
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (f: string) => { const i = args.indexOf(f); return i === -1 ? undefined : args.splice(i, 2)[1]; };
  const rounds = Number(flag("--rounds") ?? 40);
  const json = flag("--json");
  const drafts = args.length > 0 ? args : [draftPath()];
  const target = await smollm2TargetPath();
  const result: Record<string, unknown> = {rounds, threads: 1, topK: 40};
  // Interleaved twice (target, drafts, target, drafts) so load changes on a shared machine hit both.
  const runs: Record<string, number[]> = {};
  for (let r = 0; r < 2; r++)
    for (const path of [target, ...drafts]) {
      const c = await tokenCostMs(path, rounds);
      (runs[path] ??= []).push(c.median_ms);
      console.log(`${path}: median ${c.median_ms.toFixed(2)} ms (p25 ${c.p25_ms.toFixed(2)}, p75 ${c.p75_ms.toFixed(2)}) at context ${c.context}`);
    }
  const med = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  const targetMs = med(runs[target]!);
  result.target = {path: target, median_ms_per_run: runs[target]};
  result.drafts = drafts.map(d => ({path: d, median_ms_per_run: runs[d], ratio_to_target: med(runs[d]!) / targetMs}));
  for (const d of result.drafts as Array<{path: string; ratio_to_target: number}>) console.log(`${d.path}: ${(d.ratio_to_target).toFixed(3)} of a target token`);
  if (json) writeFileSync(json, JSON.stringify(result, null, 1));
}

if (require.main === module) main().catch(e => {
  console.error(e);
  process.exit(1);
});
