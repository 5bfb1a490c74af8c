// A process checks a model file's header once while the file stays the same file, and a file that
// fails is checked afresh every time (src/engine/checkedHeaders.ts).
import assert from "node:assert/strict";
import {copyFileSync, renameSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {ModelFileError} from "../../src/engine";
import {checkedHeader} from "../../src/engine/checkedHeaders";
import {getBackend} from "../../src/engine/modelPair";
import {makeMarkovPair, MarkovPair} from "./helpers/markovPair";

describe("header checks remembered per file", function () {
  this.timeout(60_000);
  let pair: MarkovPair;

  before(async () => {
    pair = makeMarkovPair({seed: 8});
    // Only files left alone two seconds are remembered (a file rewritten within a clock tick can keep its times).
    await new Promise(resolve => setTimeout(resolve, 2100));
  });
  after(() => pair?.cleanup());

  it("answers a second check of the same file from memory, and checks a replaced file again", async () => {
    const llama = await getBackend(false, 1);
    const first = await checkedHeader(pair.targetPath, "target", llama);
    assert.equal(await checkedHeader(pair.targetPath, "target", llama), first, "the same verdict object: the file was not read again");
    const [a, b] = await Promise.all([checkedHeader(pair.draftPath, "draft", llama), checkedHeader(pair.draftPath, "draft", llama)]);
    assert.equal(a, b, "two windows asking at once share one check");
    // The same bytes under the same name, as a download written again: another file.
    const copy = join(pair.dir, "copy.gguf");
    copyFileSync(pair.targetPath, copy);
    renameSync(copy, pair.targetPath);
    const again = await checkedHeader(pair.targetPath, "target", llama);
    assert.notEqual(again, first, "a replaced file is checked afresh");
    assert.deepEqual(again.metadata, first.metadata);
    assert.notEqual(await checkedHeader(pair.targetPath, "target", llama), again, "and, just written, every time until it settles");
  });

  it("checks a failing file afresh every time, so that a fixed file passes", async () => {
    const llama = await getBackend(false, 1);
    const path = join(pair.dir, "fixed-later.gguf");
    writeFileSync(path, Buffer.alloc(4096, 0x41));
    for (let i = 0; i < 2; i++)
      await assert.rejects(checkedHeader(path, "target", llama), (error: unknown) => error instanceof ModelFileError && error.code === "model.notGguf");
    copyFileSync(pair.targetPath, path);
    const info = await checkedHeader(path, "target", llama);
    assert.ok(info.metadata, "the fixed file passes");
  });
});
