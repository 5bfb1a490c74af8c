// Shared models on real GGUF files: engines on one ModelPool share one load of the weights and keep
// their own contexts, so each one's output and prompt reuse are what a standalone engine's are.
import assert from "node:assert/strict";
import {copyFileSync, statSync, utimesSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {DraftstopEngine, liveModels, ModelBudgetError, ModelFileError, ModelPool} from "../../src/engine";
import {tinyPairPaths} from "../../src/lab/cli/tinyPair";
import {makeMarkovPair, MarkovPair} from "./helpers/markovPair";

/** Source-like prompts for the tiny pair (trained on code). */
const PROMPTS = [
  "export function clamp(value: number, low: number, high: number): number {\n  return",
  "const items = list.filter(item => item.enabled).map(item =>"
];

describe("shared models: engines on one ModelPool", function () {
  this.timeout(600_000);

  describe("on the tiny pair", () => {
    const {target, draft} = tinyPairPaths();
    const options = {targetPath: target, draftPath: draft, threads: 1, contextSize: 512, policy: {name: "adaedl" as const}};
    const generation = {maxTokens: 24, stopOnEog: false};
    let reference: string[];
    let pool: ModelPool;
    let a: DraftstopEngine | undefined, b: DraftstopEngine | undefined;

    before(async () => {
      assert.equal(liveModels().length, 0, "no model left loaded by an earlier test");
      const alone = await DraftstopEngine.load(options);
      try {
        reference = [];
        for (const prompt of PROMPTS) reference.push((await alone.generate(prompt, generation)).text);
      } finally {
        await alone.dispose();
      }
      assert.ok(reference.every(text => text.length > 0), "the references say something to compare");
      pool = new ModelPool();
      a = await DraftstopEngine.load(options, {pool, holder: "window-1"});
      b = await DraftstopEngine.load(options, {pool, holder: "window-2"});
    });

    after(async () => {
      await a?.dispose();
      await b?.dispose();
    });

    it("loads the weights once for two engines", () => {
      assert.equal(liveModels().length, 2, "one target and one draft for both engines");
      const report = pool.report();
      assert.equal(report.pairs.length, 1);
      assert.deepEqual(report.pairs[0]!.holders, ["window-1", "window-2"]);
      assert.equal(report.pairs[0]!.bytes, statSync(target).size + statSync(draft).size);
      assert.equal(report.heldBytes, report.pairs[0]!.bytes);
      assert.equal(a!.loadedPair.target.model, b!.loadedPair.target.model, "the same LlamaModel");
      assert.notEqual(a!.loadedPair.target.context, b!.loadedPair.target.context, "contexts of their own");
    });

    it("gives each engine the standalone engine's greedy text, and keeps each one's prompt reuse through interleaved generations", async () => {
      const first = await a!.generate(PROMPTS[0]!, generation);
      const other = await b!.generate(PROMPTS[1]!, generation);
      const again = await a!.generate(PROMPTS[0]!, generation);
      assert.equal(first.text, reference[0]);
      assert.equal(other.text, reference[1]);
      assert.equal(again.text, reference[0]);
      // The target evaluates a repeated prompt's last token again for its logits; everything before it stays in A's KV cache.
      assert.equal(again.prefill.targetReused, again.prefill.promptTokens - 1, "B's generation left A's KV cache alone");
      assert.equal(again.prefill.targetEvaluated, 0);
      const bAgain = await b!.generate(PROMPTS[1]!, generation);
      assert.equal(bAgain.prefill.targetReused, bAgain.prefill.promptTokens - 1);
    });

    it("runs two engines' generations at the same time, each giving the standalone text", async () => {
      const [x, y] = await Promise.all([a!.generate(PROMPTS[1]!, generation), b!.generate(PROMPTS[0]!, generation)]);
      assert.equal(x.text, reference[1]);
      assert.equal(y.text, reference[0]);
    });

    it("holds an 8-bit KV cache when asked (the keys; the values too with flash attention), and decodes exactly in it", async () => {
      // ggml's type numbers, as node-llama-cpp reports a context's cache types.
      const F16 = 1, Q8_0 = 8;
      for (const flashAttention of [false, true]) {
        const quantized = await DraftstopEngine.load({...options, kvCacheType: "Q8_0", flashAttention}, {pool, holder: "window-q8"});
        try {
          const {context} = quantized.loadedPair.target;
          assert.equal(context.kvCacheKeyType, Q8_0);
          assert.equal(context.kvCacheValueType, flashAttention ? Q8_0 : F16, "values quantized only with flash attention (llama.cpp needs it)");
          assert.equal(quantized.loadedPair.target.model, a!.loadedPair.target.model, "on the pooled weights: the cache is the context's");
          if (!flashAttention) continue;
          // With flash attention a CPU pass is batch-invariant: speculation gives the target's own greedy text.
          quantized.setPolicy({name: "off"});
          const alone = await quantized.generate(PROMPTS[0]!, generation);
          quantized.setPolicy({name: "static", k: 3});
          const speculative = await quantized.generate(PROMPTS[0]!, generation);
          assert.ok(alone.text.length > 0);
          assert.equal(speculative.text, alone.text);
        } finally {
          await quantized.dispose();
        }
      }
    });

    it("keeps the other engine working when one is disposed, and frees the weights with the last", async () => {
      await a!.dispose();
      a = undefined;
      assert.equal(liveModels().length, 2, "B still holds the weights");
      assert.deepEqual(pool.report().pairs[0]!.holders, ["window-2"]);
      assert.equal((await b!.generate(PROMPTS[0]!, generation)).text, reference[0]);
      await b!.dispose();
      b = undefined;
      assert.equal(liveModels().length, 0, "the last engine's dispose freed the weights");
      assert.deepEqual(pool.report(), {budgetBytes: pool.budgetBytes, heldBytes: 0, pairs: []});
    });
  });

  describe("on Markov-chain models", () => {
    let pair: MarkovPair;
    let other: MarkovPair;
    const optionsOf = (p: MarkovPair) => ({targetPath: p.targetPath, draftPath: p.draftPath, threads: 1, contextSize: 256});
    const pairBytes = (p: MarkovPair) => statSync(p.targetPath).size + statSync(p.draftPath).size;

    before(() => {
      pair = makeMarkovPair({seed: 5});
      other = makeMarkovPair({seed: 6});
    });
    after(() => {
      pair?.cleanup();
      other?.cleanup();
    });
    afterEach(() => assert.equal(liveModels().length, 0, "every test gives back what it loaded"));

    it("loads once for concurrent acquires of one pair", async () => {
      const pool = new ModelPool();
      const handles = await Promise.all(["w1", "w2", "w3"].map(holder => pool.acquire(optionsOf(pair), holder)));
      assert.equal(liveModels().length, 2);
      assert.ok(handles.every(h => h.weights === handles[0]!.weights), "one load behind every handle");
      assert.deepEqual(pool.report().pairs[0]!.holders.sort(), ["w1", "w2", "w3"]);
      await handles[0]!.release();
      await handles[0]!.release(); // a second release of one handle gives back nothing more
      assert.deepEqual(pool.report().pairs[0]!.holders.sort(), ["w2", "w3"]);
      assert.equal(liveModels().length, 2);
      await Promise.all(handles.slice(1).map(h => h.release()));
      assert.equal(liveModels().length, 0);
    });

    it("shares the weights between engines of different context sizes", async () => {
      const pool = new ModelPool();
      const small = await DraftstopEngine.load({...optionsOf(pair), contextSize: 256}, {pool, holder: "small"});
      const large = await DraftstopEngine.load({...optionsOf(pair), contextSize: 1024}, {pool, holder: "large"});
      try {
        assert.equal(liveModels().length, 2);
        assert.deepEqual([small.info.contextSize, large.info.contextSize], [256, 1024]);
      } finally {
        await small.dispose();
        await large.dispose();
      }
    });

    it("measures the passes' costs once for engines with the same context settings, and again for other settings", async () => {
      const pool = new ModelPool();
      const engines = await Promise.all(["w1", "w2", "w3"].map(holder => DraftstopEngine.load(optionsOf(pair), {pool, holder})));
      const wider = await DraftstopEngine.load({...optionsOf(pair), contextSize: 512}, {pool, holder: "w4"});
      try {
        const snapshots = engines.map(e => e.calibrationSnapshot("greedy"));
        assert.ok(snapshots[0]!.calibrationMeasuredAt, "a measurement time");
        for (const s of snapshots.slice(1)) {
          assert.equal(s.calibrationMeasuredAt, snapshots[0]!.calibrationMeasuredAt, "one measurement for the three");
          assert.deepEqual(s.greedyCosts, snapshots[0]!.greedyCosts);
        }
        const own = wider.calibrationSnapshot("greedy");
        assert.ok(own.calibrationMeasuredAt >= snapshots[0]!.calibrationMeasuredAt && own.calibrationMs > 0);
        assert.notDeepEqual(own.greedyCosts, snapshots[0]!.greedyCosts, "another context size measures its own");
      } finally {
        await Promise.all([...engines, wider].map(e => e.dispose()));
      }
    });

    it("produces a handle's once() value once for every holder, and keeps no failure", async () => {
      const pool = new ModelPool();
      const [a, b] = await Promise.all(["w1", "w2"].map(holder => pool.acquire(optionsOf(pair), holder)));
      let made = 0;
      const produce = async () => ++made;
      assert.deepEqual(await Promise.all([a!.once("k", produce), b!.once("k", produce), b!.once("other", produce)]), [1, 1, 2]);
      await assert.rejects(a!.once("failing", async () => {
        throw new Error("measurement failed");
      }), /measurement failed/);
      assert.equal(await b!.once("failing", produce), 3, "a failure is not kept: the next asker produces again");
      await Promise.all([a!.release(), b!.release()]);
    });

    it("loads a pair ahead of its holders: the first to come finds it loaded and ends the claim; unclaimed, it goes after its time", async () => {
      const pool = new ModelPool();
      await pool.preload(optionsOf(pair), 60_000);
      assert.equal(liveModels().length, 2, "loaded before anyone asked");
      const handle = await pool.acquire(optionsOf(pair), "w1");
      assert.ok(liveModels().some(m => m.model === handle.weights.target.model), "the preloaded weights, not a second load");
      assert.equal(liveModels().length, 2);
      assert.deepEqual(pool.report().pairs.map(p => p.holders), [["w1"]], "the preload's claim ended with the first holder");
      await handle.release();
      assert.equal(liveModels().length, 0, "the pair goes with its last holder");

      // A holder that comes while the pair loads: the claim ends as the load does.
      const [, during] = await Promise.all([pool.preload(optionsOf(pair), 60_000), pool.acquire(optionsOf(pair), "w2")]);
      assert.deepEqual(pool.report().pairs.map(p => p.holders), [["w2"]]);
      await during.release();
      assert.equal(liveModels().length, 0);

      await pool.preload(optionsOf(pair), 50);
      assert.equal(liveModels().length, 2);
      for (const deadline = Date.now() + 10_000; liveModels().length > 0 && Date.now() < deadline;) await new Promise(resolve => setTimeout(resolve, 20));
      assert.equal(liveModels().length, 0, "nobody came: the weights are freed after the preload's time");
      assert.deepEqual(pool.report().pairs, []);
    });

    it("keeps no failed load: the same file, fixed, loads on the next acquire", async () => {
      const pool = new ModelPool();
      const broken = join(pair.dir, "broken.gguf");
      const size = statSync(pair.targetPath).size;
      // The same size and date before and after the fix: the pool's key stays the same.
      const date = new Date(2024, 0, 1);
      writeFileSync(broken, Buffer.alloc(size, 0x41));
      utimesSync(broken, date, date);
      const options = {...optionsOf(pair), targetPath: broken};
      await assert.rejects(pool.acquire(options, "w1"), (error: unknown) => error instanceof ModelFileError && error.code === "model.notGguf");
      assert.deepEqual(pool.report().pairs, [], "nothing held after a failed load");
      copyFileSync(pair.targetPath, broken);
      utimesSync(broken, date, date);
      const handle = await pool.acquire(options, "w1");
      assert.equal(liveModels().length, 2);
      await handle.release();
    });

    it("refuses a pair beyond the budget, naming who holds what, and shares a held pair whatever the budget", async () => {
      const pool = new ModelPool({budgetBytes: Math.floor(pairBytes(pair) * 1.5)});
      const first = await pool.acquire(optionsOf(pair), "window-1");
      const joined = await pool.acquire(optionsOf(pair), "window-3");
      try {
        await assert.rejects(pool.acquire(optionsOf(other), "window-2"), (error: unknown) => {
          assert.ok(error instanceof ModelBudgetError);
          assert.equal(error.code, "models.overBudget");
          assert.equal(error.requestedBytes, pairBytes(other));
          assert.ok(error.message.includes(pair.targetPath) && error.message.includes("window-1, window-3"), error.message);
          assert.ok(error.message.includes(other.targetPath), error.message);
          return true;
        });
        assert.equal(pool.report().pairs.length, 1, "the refused pair is not held");
      } finally {
        await first.release();
        await joined.release();
      }
      const later = await pool.acquire(optionsOf(other), "window-2");
      assert.equal(pool.report().pairs.length, 1, "once the first pair is given back, the second fits");
      await later.release();
    });
  });
});
