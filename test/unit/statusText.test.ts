import assert from "node:assert/strict";
import type {EngineInfo, StatsSummary} from "../../src/engine";
import {emptyTotals, summarize} from "../../src/engine/stats";
import {liveNumbers, statusText} from "../../src/ui/statusText";

const info: EngineInfo = {
  target: {path: "/m/t.gguf", name: "tiny-target", sizeBytes: 9e6, vocabularySize: 4000, trainContextSize: 2048, fim: true, fimLayouts: ["psm", "spm"]},
  draft: {path: "/m/d.gguf", name: "tiny-draft", sizeBytes: 1.2e6, vocabularySize: 4000, trainContextSize: 2048, fim: true, fimLayouts: ["psm", "spm"]},
  device: "cuda", gpuDevices: ["RTX 4090"], threads: 4, contextSize: 2048
};

function stats(): StatsSummary {
  const totals = {...emptyTotals(), generations: 3, tokens: 41, rounds: 10, drafted: 42, accepted: 35, decodeMs: 1000, draftPasses: 50};
  return summarize(totals, 51.2);
}

describe("status bar text", () => {
  it("shows the live numbers: speed-up, tokens/s, acceptance, mean draft length", () => {
    assert.equal(liveNumbers(stats(), info), "2.1× · 41 tok/s · 83 % · k̄ 4.2");
    const shown = statusText({state: {kind: "ready"}, info, stats: stats(), policy: {name: "adaedl", state: {lambda: 0.4321}}});
    assert.equal(shown.text, "$(zap) 2.1× · 41 tok/s · 83 % · k̄ 4.2");
    assert.match(shown.tooltip, /Target: tiny\\-target \(9\.0 MB\)/);
    assert.match(shown.tooltip, /Draft: tiny\\-draft \(1\.2 MB\)/);
    assert.match(shown.tooltip, /Device: CUDA \(RTX 4090\)/);
    assert.match(shown.tooltip, /Policy: adaedl, λ = 0\.432/);
    assert.match(shown.tooltip, /single-token target latency/);
  });

  it("names every state", () => {
    assert.match(statusText({state: {kind: "loading", what: "loading models"}}).text, /loading~spin.*loading models/);
    assert.equal(statusText({state: {kind: "error", message: "boom"}}).severity, "error");
    assert.match(statusText({state: {kind: "disabled"}}).text, /circle-slash/);
    assert.match(statusText({state: {kind: "noModels"}}).text, /no models/);
    assert.match(statusText({state: {kind: "generating"}, info, stats: stats()}).text, /sync~spin/);
  });

  it("says when the target decodes alone because the draft failed", () => {
    const shown = statusText({state: {kind: "ready"}, info: {...info, draft: undefined}, draftProblem: "draft model /d.gguf: the file is empty"});
    assert.equal(shown.text, "$(zap) Draftstop: target only");
    assert.equal(shown.severity, "warning");
    assert.match(shown.tooltip, /Draft model not used: draft model \/d\\\.gguf: the file is empty/);
  });
});
