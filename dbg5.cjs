const {writePaddedTarget} = require("./out/test/fixtures/tinypair/paddedTarget.js");
const fs = require("fs");
(async () => {
  const nlc = await import("node-llama-cpp");
  const llama = await nlc.getLlama({gpu: false, maxThreads: 1});
  const variants = [["F16", 47], ["F32", 20]];
  for (const [type, n] of variants) {
    const path = `/tmp/padded-${type}-${n}.gguf`;
    if (!fs.existsSync(path)) await writePaddedTarget("test/fixtures/tinypair/target.gguf", path, n, 1, "x", type);
  }
  const models = [["draft", "test/fixtures/tinypair/draft.gguf"], ["unpadded", "test/fixtures/tinypair/target.gguf"], ...variants.map(([t, n]) => [`${t}x${n}`, `/tmp/padded-${t}-${n}.gguf`])];
  for (const [name, path] of models) {
    const model = await llama.loadModel({modelPath: path});
    const ctx = await model.createContext({contextSize: 1024, threads: 1, flashAttention: false});
    const seq = ctx.getSequence();
    const prompt = Array.from({length: 300}, (_, i) => 300 + (i * 37) % 3000);
    await seq.controlledEvaluate(prompt);
    const row = [];
    for (const k of [1, 2, 3, 5, 9]) {
      const times = [];
      for (let r = 0; r < 15; r++) {
        const toks = Array.from({length: k}, (_, i) => 500 + i);
        const t0 = performance.now();
        await seq.controlledEvaluate(toks.map(t => [t, {generateNext: {token: true}}]));
        times.push(performance.now() - t0);
        await seq.eraseContextTokenRanges([{start: 300, end: seq.nextTokenIndex}]);
      }
      times.sort((a, b) => a - b);
      row.push(`k=${k}: ${times[7].toFixed(2)}`);
    }
    console.log(name.padEnd(10), row.join("  "));
    await ctx.dispose(); await model.dispose();
  }
  process.exit(0);
})();
