// The shared process's command line (engineHost.js --shared …), as a window writes it.
import assert from "node:assert/strict";
import {DEFAULT_IDLE_EXIT_MS, sharedArguments} from "../../src/modelProcess/sharedProcess";

describe("the shared process's arguments", () => {
  it("are absent for a process a window forked for itself, and need a version when shared", () => {
    assert.equal(sharedArguments([]), undefined);
    assert.throws(() => sharedArguments(["--shared"]), /--shared needs --version/);
    assert.deepEqual(sharedArguments(["--shared", "--version", "1.2.3", "--directory", "/run/d"]),
      {directory: "/run/d", version: "1.2.3", idleExitMs: DEFAULT_IDLE_EXIT_MS});
    assert.throws(() => sharedArguments(["--shared", "--version", "1", "--idle-exit-ms", "soon"]), /--idle-exit-ms soon is not a number/);
  });

  it("carry the models to load ahead as JSON, and refuse what is not such a list of files", () => {
    const preload = {targetPath: "/m/t.gguf", draftPath: "/m/d.gguf", gpu: false, threads: 2};
    const parsed = sharedArguments(["--shared", "--version", "1", "--directory", "/d", "--preload", JSON.stringify(preload)]);
    assert.deepEqual(parsed?.preload, preload);
    assert.deepEqual(sharedArguments(["--shared", "--version", "1", "--directory", "/d", "--preload", '{"targetPath":"/m/t.gguf"}'])?.preload,
      {targetPath: "/m/t.gguf", draftPath: undefined, gpu: undefined, threads: undefined});
    assert.throws(() => sharedArguments(["--shared", "--version", "1", "--preload", "{not json"]), /--preload \{not json is not JSON/);
    assert.throws(() => sharedArguments(["--shared", "--version", "1", "--preload", '{"draftPath":"/m/d.gguf"}']), /--preload needs \{"targetPath"/);
  });
});
