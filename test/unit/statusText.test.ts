import assert from "node:assert/strict";
import type {EngineInfo, StatsSummary} from "../../src/engine";
import {summarize} from "../../src/engine/stats/figures";
import {emptyTotals} from "../../src/engine/stats/roundRecord";
import {liveNumbers, statusText} from "../../src/extension/ui/statusText";

const info: EngineInfo = {
  target: {path: "/m/t.gguf", name: "tiny-target", sizeBytes: 9e6, vocabularySize: 4000, trainContextSize: 2048, fim: true, fimLayouts: ["psm", "spm"]},
  draft: {path: "/m/d.gguf", name: "tiny-draft", sizeBytes: 1.2e6, vocabularySize: 4000, trainContextSize: 2048, fim: true, fimLayouts: ["psm", "spm"]},
  device: "cuda", gpuDevices: ["RTX 4090"], threads: 4, contextSize: 2048
};

function stats(): StatsSummary {
  const totals = {...emptyTotals(), generations: 3, tokens: 41, rounds: 10, drafted: 42, accepted: 35, decodeMs: 1000, draftPasses: 50};
  return summarize(totals, 51.2);
}

/** The same completions, 4 of whose 10 rounds drafted by lookup: 20 drafted, 14 of the 35 accepted tokens. */
function statsWithLookup(): StatsSummary {
  const totals = {...emptyTotals(), generations: 3, tokens: 41, rounds: 10, drafted: 42, accepted: 35, lookupRounds: 4, lookupDrafted: 20,
    lookupAccepted: 14, decodeMs: 1000, draftPasses: 30};
  return summarize(totals, 51.2);
}

describe("status bar text", () => {
  it("shows the live numbers: speed-up, tokens/s, acceptance, mean draft length", () => {
    assert.equal(liveNumbers(stats(), "model"), "2.1× · 41 tok/s · 83 % · k̄ 4.2");
    assert.equal(liveNumbers(stats(), "both"), "2.1× · 41 tok/s · 83 % · k̄ 4.2", "no lookup share before lookup drafts are accepted");
    const shown = statusText({state: {kind: "ready"}, info, stats: stats(), policy: {name: "adaedl", state: {lambda: 0.4321}}});
    assert.equal(shown.text, "$(zap) 2.1× · 41 tok/s · 83 % · k̄ 4.2");
    assert.match(shown.tooltip, /Target: tiny\\-target \(9\.0 MB\)/);
    assert.match(shown.tooltip, /Draft: tiny\\-draft \(1\.2 MB\)/);
    assert.match(shown.tooltip, /Device: CUDA \(RTX 4090\)/);
    assert.match(shown.tooltip, /Policy: adaedl, λ = 0\.432/);
    assert.match(shown.tooltip, /what one target token costs on this machine now/);
  });

  it("names every state", () => {
    assert.match(statusText({state: {kind: "loading", what: "loading models"}}).text, /loading~spin.*loading models/);
    assert.equal(statusText({state: {kind: "error", message: "boom"}}).severity, "error");
    assert.match(statusText({state: {kind: "disabled"}}).text, /circle-slash/);
    assert.match(statusText({state: {kind: "noModels"}}).text, /no models/);
    assert.match(statusText({state: {kind: "generating"}, info, stats: stats()}).text, /sync~spin/);
  });

  it("says when the draft model failed: lookup drafts alone (auto), or the target decodes alone (drafter model)", () => {
    const draftProblem = "draft model /d.gguf: the file is empty";
    const lookupAlone = statusText({state: {kind: "ready"}, info: {...info, draft: undefined}, draftProblem});
    assert.equal(lookupAlone.text, "$(zap) Draftstop: ready · lookup");
    assert.equal(lookupAlone.severity, "warning");
    const shown = statusText({state: {kind: "ready"}, info: {...info, draft: undefined}, draftProblem, drafter: "model"});
    assert.equal(shown.text, "$(zap) Draftstop: target only");
    assert.equal(shown.severity, "warning");
    assert.match(shown.tooltip, /Draft model not used: draft model \/d\\\.gguf: the file is empty/);
  });

  it("says which drafter produced the accepted tokens when lookup accepted some", () => {
    const shown = statusText({state: {kind: "ready"}, info, stats: statsWithLookup(), policy: {name: "costAware", state: {}}});
    assert.equal(shown.text, "$(zap) 2.1× · 41 tok/s · 83 % · k̄ 4.2 · lookup 40 %");
    assert.match(shown.tooltip, /Drafts: the draft model or lookup, whichever promises more each round \(auto\)/);
    assert.match(shown.tooltip, /Accepted draft tokens: 21 from the draft model, 14 from lookup \(lookup 40\.0 %\)/);
    assert.match(shown.tooltip, /Lookup drafted in 4 of 10 rounds: 20 tokens, 70\.0 % of them accepted/);
  });

  it("with drafter model, names the draft model and counts its accepted tokens alone", () => {
    const shown = statusText({state: {kind: "ready"}, info, stats: stats(), policy: {name: "costAware", state: {}}, drafter: "model"});
    assert.equal(shown.text, "$(zap) 2.1× · 41 tok/s · 83 % · k̄ 4.2");
    assert.match(shown.tooltip, /Drafts: the draft model {2}\n/);
    assert.match(shown.tooltip, /Accepted draft tokens: 35 from the draft model, 0 from lookup \(lookup 0\.0 %\)/);
    assert.doesNotMatch(shown.tooltip, /Lookup drafted/);
  });

  it("without a draft model, auto drafts by lookup and the numbers show it", () => {
    const noDraft = {...info, draft: undefined};
    const ready = statusText({state: {kind: "ready"}, info: noDraft});
    assert.equal(ready.text, "$(zap) Draftstop: ready · lookup");
    assert.match(ready.tooltip, /Draft model: none/);
    assert.match(ready.tooltip, /Drafts: lookup: copies of what followed the same tokens earlier in the context \(auto, no draft model\)/);
    const totals = {...emptyTotals(), generations: 1, tokens: 30, rounds: 12, drafted: 24, accepted: 18, lookupRounds: 6, lookupDrafted: 24,
      lookupAccepted: 18, decodeMs: 500};
    const working = statusText({state: {kind: "ready"}, info: noDraft, stats: summarize(totals, 25)});
    assert.equal(working.text, "$(zap) 1.5× · 60 tok/s · 75 % · k̄ 2.0 · lookup 100 %");
    assert.match(working.tooltip, /Accepted draft tokens: 0 from the draft model, 18 from lookup \(lookup 100\.0 %\)/);
  });

  it("says the target decodes alone where nothing can draft: drafter model without a draft model, or policy off", () => {
    const alone = statusText({state: {kind: "ready"}, info: {...info, draft: undefined}, stats: stats(), drafter: "model"});
    assert.equal(alone.text, "$(zap) target only · 41 tok/s");
    assert.match(alone.tooltip, /Drafts: none: the drafter is model and no draft model is loaded/);
    const off = statusText({state: {kind: "ready"}, info, policy: {name: "off", state: {}}, drafter: "both"});
    assert.equal(off.text, "$(zap) Draftstop: target only");
    assert.match(off.tooltip, /Drafts: none \(policy off\)/);
  });
});

describe("status bar text: snooze, generating, the last outcome", () => {
  const at = (hours: number, minutes: number) => new Date(2026, 11, 2, hours, minutes, 0).getTime();

  it("shows a snooze and when it ends, in place of the live numbers, with the time left in the tooltip", () => {
    const shown = statusText({state: {kind: "ready"}, info, stats: stats(), snooze: {snoozed: true, until: at(14, 35)}, now: at(14, 20)});
    assert.equal(shown.text, "$(bell-slash) Draftstop: snoozed until 14:35");
    assert.match(shown.tooltip, /Snoozed until 14:35 \(in 15 min\): no completions until then/);
    const shortly = statusText({state: {kind: "ready"}, info, snooze: {snoozed: true, until: at(14, 35)}, now: at(14, 35) - 40_000});
    assert.match(shortly.tooltip, /\(in 40 s\)/);
    const indefinitely = statusText({state: {kind: "generating"}, info, snooze: {snoozed: true, until: undefined}});
    assert.equal(indefinitely.text, "$(bell-slash) Draftstop: snoozed until resumed");
    assert.match(indefinitely.tooltip, /Resume Completions/);
  });

  it("lets states that need attention show through a snooze", () => {
    const snooze = {snoozed: true as const, until: undefined};
    assert.match(statusText({state: {kind: "error", message: "boom"}, snooze}).text, /\$\(error\)/);
    assert.match(statusText({state: {kind: "noModels"}, snooze}).text, /no models/);
    assert.match(statusText({state: {kind: "disabled"}, snooze}).text, /circle-slash/);
  });

  it("shows generating with a spinner, and the seconds it has run from the first whole second on", () => {
    assert.equal(statusText({state: {kind: "generating"}, info, stats: stats(), generatingMs: 400}).text, "$(sync~spin) generating · 2.1× · 41 tok/s · 83 % · k̄ 4.2");
    assert.equal(statusText({state: {kind: "generating"}, info, stats: stats(), generatingMs: 3200}).text, "$(sync~spin) generating 3 s · 2.1× · 41 tok/s · 83 % · k̄ 4.2");
    assert.equal(statusText({state: {kind: "generating"}, info, generatingMs: 1000}).text, "$(sync~spin) Draftstop: generating 1 s", "before any live numbers");
    assert.equal(statusText({state: {kind: "ready"}, info, stats: stats(), generatingMs: 3200}).text, "$(zap) 2.1× · 41 tok/s · 83 % · k̄ 4.2", "ready shows no timer");
  });

  it("gives the last completion's outcome (reason, tokens, ms) and a later request's, in the tooltip", () => {
    const lastGenerated = {reason: "emptyAfterPostprocessing" as const, where: "a.ts:3:7", trigger: "automatic" as const, elapsedMs: 85, tokens: 2,
      modelText: "\n", at: 0};
    const lastOutcome = {reason: "debounced" as const, where: "a.ts:3:8", trigger: "automatic" as const, elapsedMs: 120, at: 1};
    const shown = statusText({state: {kind: "ready"}, info, stats: stats(), lastGenerated, lastOutcome});
    assert.match(shown.tooltip, /Last completion: empty after post\\-processing \\\(model wrote "\\\\n", 2 tokens, 85 ms\\\) at a\\\.ts:3:7/);
    assert.match(shown.tooltip, /Last request: debounced away \\\(120 ms\\\) at a\\\.ts:3:8/);
    const same = statusText({state: {kind: "ready"}, info, lastGenerated, lastOutcome: lastGenerated});
    assert.ok(!/Last request/.test(same.tooltip), "one line when the latest request is the latest completion");
  });
});
