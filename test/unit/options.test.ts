import assert from "node:assert/strict";
import {GENERATE_DEFAULTS, InvalidOptionError, resolveGenerateOptions, resolveLoadOptions} from "../../src/engine";

describe("option resolution", () => {
  it("fills generation defaults and a seed", () => {
    const resolved = resolveGenerateOptions();
    assert.equal(resolved.maxTokens, GENERATE_DEFAULTS.maxTokens);
    assert.equal(resolved.temperature, 0);
    assert.ok(Number.isInteger(resolved.seed));
    assert.deepEqual(resolved.stopStrings, []);
    assert.equal(resolveGenerateOptions({seed: 5, temperature: undefined}).temperature, 0);
  });

  const badGenerate: Array<[object, string]> = [
    [{maxTokens: -1}, "maxTokens"],
    [{maxTokens: Number.NaN}, "maxTokens"],
    [{maxTokens: 1e9}, "maxTokens"],
    [{temperature: -0.5}, "temperature"],
    [{topP: 0}, "topP"],
    [{topK: 1.5}, "topK"],
    [{minP: 2}, "minP"],
    [{seed: -3}, "seed"],
    [{stopStrings: [""]}, "stopStrings"],
    [{timeBudgetMs: Number.POSITIVE_INFINITY}, "timeBudgetMs"]
  ];
  for (const [options, option] of badGenerate)
    it(`rejects ${option} = ${String(Object.values(options)[0])}`, () => {
      assert.throws(() => resolveGenerateOptions(options), (e: unknown) => e instanceof InvalidOptionError && e.option === option);
    });

  it("checks load options", () => {
    assert.equal(resolveLoadOptions({targetPath: "t.gguf"}).gpu, "auto");
    assert.ok(resolveLoadOptions({targetPath: "t.gguf"}).threads >= 1);
    for (const [options, option] of [
      [{targetPath: ""}, "targetPath"],
      [{targetPath: "t", gpu: "tpu"}, "gpu"],
      [{targetPath: "t", threads: 0}, "threads"],
      [{targetPath: "t", contextSize: Number.NaN}, "contextSize"],
      [{targetPath: "t", kvCacheType: "Q4"}, "kvCacheType"]
    ] as const)
      assert.throws(() => resolveLoadOptions(options as never), (e: unknown) => e instanceof InvalidOptionError && e.option === option);
  });
});
