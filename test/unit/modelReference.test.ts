import assert from "node:assert/strict";
import {homedir} from "node:os";
import {join, resolve} from "node:path";
import {parseModelReference} from "../../src/extension/models/modelReference";
import {MODEL_PRESETS} from "../../src/extension/models/presets";

describe("model references", () => {
  it("tells local files from downloadable URIs", () => {
    assert.deepEqual(parseModelReference("hf:ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF/qwen2.5-coder-1.5b-q8_0.gguf"),
      {kind: "remote", uri: "hf:ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF/qwen2.5-coder-1.5b-q8_0.gguf"});
    assert.deepEqual(parseModelReference(" https://example.org/m.gguf "), {kind: "remote", uri: "https://example.org/m.gguf"});
    assert.deepEqual(parseModelReference("/models/a.gguf"), {kind: "file", path: "/models/a.gguf"});
    assert.deepEqual(parseModelReference("~/m/a.gguf"), {kind: "file", path: join(homedir(), "m/a.gguf")});
    assert.deepEqual(parseModelReference("rel/a.gguf"), {kind: "file", path: resolve("rel/a.gguf")});
    assert.equal(parseModelReference("   "), undefined);
  });

  it("recommends a 0.5B draft with 1.5B, 3B and 7B targets of one family", () => {
    assert.deepEqual(MODEL_PRESETS.map(p => p.id), ["qwen2.5-coder-1.5b", "qwen2.5-coder-3b", "qwen2.5-coder-7b"]);
    for (const preset of MODEL_PRESETS) {
      assert.match(preset.draft.uri, /^hf:ggml-org\/Qwen2\.5-Coder-0\.5B/);
      assert.match(preset.target.uri, /^hf:ggml-org\/Qwen2\.5-Coder-/);
      assert.ok(preset.gpuMemoryGB > preset.target.sizeGB + preset.draft.sizeGB);
    }
  });
});
