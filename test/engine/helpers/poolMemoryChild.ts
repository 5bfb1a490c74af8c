// Child-process entry for the memory figures of shared models (docs/architecture.md, "Shared
// models"): loads N engines one of three ways, fills each one's KV cache with a long prompt as a
// window's completions would, and prints the process's RSS and llama.cpp's buffer sizes as JSON.
//
//   node --expose-gc out/test/engine/helpers/poolMemoryChild.js <variant> <engines> <contextSize> <batchSize|default> <target.gguf> [draft.gguf]
//
// variant: "separate" (each engine loads its own models, as N processes' engines would),
// "pooled" (N engines on one ModelPool: shared weights, a context each), or "sequences" (one
// pooled pair with ONE context per model of N sequences, node-llama-cpp's own way to serve
// several prompts; measured raw, the engine does not run on it).
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {DraftstopEngine, ModelPool} from "../../../src/engine";
import {getBackend, loadPairWeights} from "../../../src/engine/modelPair";
import {loadNodeLlamaCpp} from "../../../src/engine/nlc";

const MB = 1 << 20;

/**
 * RSS after a full garbage collection (run with --expose-gc): without it the figure swings by tens
 * of MB with whatever JS garbage loading left behind, and later samples read lower than earlier ones.
 */
function rss(): number {
  (globalThis as {gc?: () => void}).gc?.();
  return process.memoryUsage().rss;
}

async function main(): Promise<void> {
  const [variant, enginesArg, contextArg, batchArg, targetPath, draftPath] = process.argv.slice(2);
  const engines = Number(enginesArg), contextSize = Number(contextArg);
  const batchSize = batchArg === "default" ? undefined : Number(batchArg);
  if (!["separate", "pooled", "sequences"].includes(variant!) || !(engines >= 1) || !(contextSize >= 64) || !targetPath)
    throw new Error("usage: poolMemoryChild <separate|pooled|sequences> <engines> <contextSize> <batchSize|default> <target.gguf> [draft.gguf]");
  const buffers = await captureBufferSizes();
  const baseline = rss();
  const options = {targetPath, draftPath, threads: 1, gpu: false as const, contextSize, batchSize};
  // A window's prompt fills its context up to its size less the completion: the worst case of what it keeps resident.
  const source = readFileSync(join(__dirname, "..", "..", "..", "..", "src", "engine", "engine.ts"), "utf8").repeat(4);
  const afterLoad: number[] = [];
  const afterPrompt: number[] = [];
  if (variant === "sequences") {
    const weights = await loadPairWeights(options);
    const contexts = await Promise.all([weights.target, weights.draft].filter(w => w !== undefined)
      .map(w => w.model.createContext({contextSize, batchSize, sequences: engines, threads: 1, flashAttention: false})));
    const sequences = contexts.map(c => Array.from({length: engines}, () => c.getSequence()));
    afterLoad.push(rss());
    const prompt = weights.target.model.tokenize(source).slice(0, contextSize - 64);
    for (let i = 0; i < engines; i++) {
      for (const perContext of sequences) await perContext[i]!.evaluateWithoutGeneratingNewTokens(prompt);
      afterPrompt.push(rss());
    }
  } else {
    const pool = variant === "pooled" ? new ModelPool() : undefined;
    const loaded: DraftstopEngine[] = [];
    for (let i = 0; i < engines; i++) {
      loaded.push(await DraftstopEngine.load(options, pool && {pool, holder: `window-${i + 1}`}));
      afterLoad.push(rss());
    }
    for (const engine of loaded) {
      const prompt = engine.tokenize(source, {bos: true}).slice(0, contextSize - 64);
      await engine.generate(prompt, {maxTokens: 8});
      afterPrompt.push(rss());
    }
  }
  const round = (bytes: number) => Math.round(bytes / MB * 10) / 10;
  process.stdout.write(JSON.stringify({
    variant, engines, contextSize, batchSize: batchSize ?? "default", baselineMB: round(baseline), afterLoadMB: afterLoad.map(round), afterPromptMB: afterPrompt.map(round),
    llamaBuffersMiB: buffers()
  }) + "\n");
}

/** llama.cpp's own account of its buffers (weights, KV cache, compute, output), summed by kind, in MiB. */
async function captureBufferSizes(): Promise<() => Record<string, number>> {
  const nlc = await loadNodeLlamaCpp();
  const llama = await getBackend(false, 1);
  const sums: Record<string, number> = {};
  llama.logLevel = nlc.LlamaLogLevel.info;
  llama.logger = (_level, message) => {
    const match = /(\S+) buffer size\s*=\s*([\d.]+) MiB/.exec(message);
    if (match) sums[match[1]!] = Math.round(((sums[match[1]!] ?? 0) + Number(match[2])) * 10) / 10;
  };
  return () => sums;
}

main().catch(error => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 3;
});
