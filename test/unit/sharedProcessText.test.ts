import assert from "node:assert/strict";
import {sharedProcessText} from "../../src/extension/ui/sharedProcessText";
import type {ProcessResources} from "../../src/protocol";

describe("the panel's line on the model process", () => {
  const own: ProcessResources = {loadedModels: 2, engine: true, rssBytes: 412e6, pid: 4242};

  it("names a window's own process, or nothing while it is unknown", () => {
    assert.equal(sharedProcessText(own), "This window's own model process (pid 4242), 412.0 MB resident.");
    assert.equal(sharedProcessText(undefined), "");
  });

  it("says how many windows the shared process serves, every window's figures added up, and who holds which models", () => {
    const text = sharedProcessText({...own, shared: {windows: 3, queuedGenerations: 2, heldBytes: 2e8, budgetBytes: 1e10, completions: 41, tokens: 902,
      pairs: [{targetPath: "/m/SmolLM2-135M.gguf", draftPath: "/m/draft.gguf", bytes: 2e8, holders: ["a", "b", "c"]},
        {targetPath: "/m/other.gguf", bytes: 5e7, holders: ["d"]}]}});
    assert.equal(text, "The shared model process (pid 4242, 412.0 MB resident) serves 3 windows of this machine: 41 completions and 902 tokens in all; " +
      "models loaded: SmolLM2-135M.gguf with draft.gguf (200.0 MB, 3 windows); other.gguf (50.0 MB, 1 window); 2 generations waiting or running.");
  });
});
