// Step 6 of the SmolLM2 draft: greedy acceptance of the draft along the target's own greedy
// continuation, on held-out code (packages that never reached the training set).
//
//   node out/src/lab/modelmaker/smollm2/evaluate_acceptance.js [--positions 100] [--context 200] [--continue 16] [--draft FILE]
//
// For each position (seeded): the prompt is up to CONTEXT tokens of a held-out file ending at a
// random token (prefix only, as the product completes without FIM tokens); the target writes its
// greedy continuation c[0..n); the draft then sees the prompt + c[<j] and drafts argmax; at every j
// that is exactly what greedy speculative decoding would draft once c[<j] is committed, so
// "argmax = c[j]" is the per-token acceptance. The draft's entropy is computed as the engine does
// in greedy mode (T = 1, top 40 tokens, renormalised: src/engine/decoding/entropy.ts).
// Writes work/eval/acceptance.json.
import {mkdirSync, readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import type {LlamaModel, Token} from "node-llama-cpp" with {"resolution-mode": "import"};
import {entropy} from "../../../engine/decoding/entropy";
import {Rng} from "../tinypair/common";
import {draftPath, smollm2TargetPath, workDir} from "./common";

const SEED = 20261202;
const BINS: Array<[number, number]> = [[0, 0.25], [0.25, 0.5], [0.5, 1], [1, 1.5], [1.5, 2], [2, 3], [3, Infinity]];

interface HeldoutDoc {pkg: string; path: string; bytes: number; tokens: number[]}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (f: string, d: string) => { const i = args.indexOf(f); return i === -1 ? d : args[i + 1]!; };
  const positions = Number(flag("--positions", "100"));
  const contextLength = Number(flag("--context", "200"));
  const continuation = Number(flag("--continue", "16"));
  const draftFile = flag("--draft", draftPath());
  const docs = (JSON.parse(readFileSync(join(workDir(), "data", "heldout.json"), "utf8")) as HeldoutDoc[])
    .filter(d => d.tokens.length >= 64 + continuation);
  const rng = new Rng(SEED);
  const cuts = Array.from({length: positions}, () => {
    const doc = docs[rng.int(docs.length)]!;
    const end = 32 + rng.int(doc.tokens.length - continuation - 32);
    return {pkg: doc.pkg, path: doc.path, prompt: doc.tokens.slice(Math.max(0, end - contextLength), end) as Token[]};
  });

  const {getLlama} = await import("node-llama-cpp");
  const llama = await getLlama({gpu: false, maxThreads: 1, logLevel: "error" as never});
  const open = async (path: string) => {
    const model: LlamaModel = await llama.loadModel({modelPath: path});
    const context = await model.createContext({contextSize: 1024, threads: 1, batchSize: 512, sequences: 1});
    return {model, context, sequence: context.getSequence()};
  };
  const target = await open(await smollm2TargetPath());
  const draft = await open(draftFile);
  const records: Array<{cut: number; j: number; accepted: boolean; entropy: number; topProbability: number}> = [];
  const t0 = Date.now();
  let targetMs = 0, draftMs = 0;
  for (const [index, cut] of cuts.entries()) {
    // Target: greedy continuation.
    let s = performance.now();
    await target.sequence.clearHistory();
    let out = await target.sequence.controlledEvaluate([...cut.prompt.slice(0, -1), [cut.prompt.at(-1)!, {generateNext: {token: true}}]]);
    const cont: Token[] = [];
    for (let j = 0; j < continuation; j++) {
      const next = out.at(-1)!.next.token!;
      cont.push(next);
      if (j + 1 < continuation) out = await target.sequence.controlledEvaluate([[next, {generateNext: {token: true}}]]);
    }
    targetMs += performance.now() - s;
    // Draft: its distribution at every position of the continuation, teacher-forced on the target's tokens.
    s = performance.now();
    await draft.sequence.clearHistory();
    const forced = [...cut.prompt, ...cont.slice(0, -1)];
    const firstQuery = cut.prompt.length - 1;
    const dout = await draft.sequence.controlledEvaluate(forced.map((t, i) => i < firstQuery ? t :
      [t, {generateNext: {probabilities: true, options: {temperature: 1, topK: 40, topP: 1, minP: 0}}}]));
    draftMs += performance.now() - s;
    for (let j = 0; j < continuation; j++) {
      const q = dout[firstQuery + j]!.next.probabilities!;
      let best = -1, bestP = -1, mass = 0;
      for (const [token, p] of q) { mass += p; if (p > bestP) { bestP = p; best = token as number; } }
      records.push({cut: index, j, accepted: best === cont[j], entropy: entropy(q), topProbability: bestP / mass});
    }
    if (index % 10 === 9) console.log(`${index + 1}/${cuts.length}: acceptance so far ${(records.filter(r => r.accepted).length / records.length).toFixed(3)}, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }

  const acceptance = records.filter(r => r.accepted).length / records.length;
  const byEntropy = BINS.map(([lo, hi]) => {
    const inBin = records.filter(r => r.entropy >= lo && r.entropy < hi);
    return {entropy_from: lo, entropy_to: hi === Infinity ? null : hi, positions: inBin.length,
      acceptance: inBin.length ? inBin.filter(r => r.accepted).length / inBin.length : null};
  });
  // Tokens per target pass with a fixed draft length k, greedy: along each continuation the round
  // starting at position i accepts the run of matches from i (at most k) and adds the target's token.
  const perPass = [1, 2, 3, 4, 5, 8].map(k => {
    let emitted = 0, passes = 0;
    for (let c = 0; c < cuts.length; c++) {
      const ok = records.filter(r => r.cut === c).map(r => r.accepted);
      for (let i = 0; i < ok.length;) {
        let a = 0;
        while (a < k && i + a < ok.length && ok[i + a]) a++;
        const step = Math.min(a + 1, ok.length - i);
        emitted += step;
        passes++;
        i += step;
      }
    }
    return {k, tokens_per_target_pass: emitted / passes};
  });
  const byIndex = Array.from({length: continuation}, (_, j) => {
    const at = records.filter(r => r.j === j);
    return at.filter(r => r.accepted).length / at.length;
  });
  const result = {
    seed: SEED, positions: cuts.length, context_tokens: contextLength, continuation_tokens: continuation, draft: draftFile,
    packages: [...new Set(cuts.map(c => c.pkg))].sort(), greedy_acceptance: acceptance, compared_positions: records.length,
    acceptance_by_draft_entropy: byEntropy, tokens_per_target_pass_fixed_k: perPass, acceptance_by_continuation_index: byIndex,
    seconds: {target: targetMs / 1000, draft: draftMs / 1000, wall: (Date.now() - t0) / 1000}
  };
  mkdirSync(join(workDir(), "eval"), {recursive: true});
  writeFileSync(join(workDir(), "eval", "acceptance.json"), JSON.stringify(result, null, 1));
  console.log(JSON.stringify({greedy_acceptance: acceptance, byEntropy, perPass}, null, 1));
  for (const m of [draft, target]) { await m.context.dispose(); await m.model.dispose(); }
  await llama.dispose();
}

main().catch(e => { console.error(e); process.exit(1); });
