// draftstop.drafter in a real VS Code: a bad value is refused like any setting's and the last good
// one keeps completing; a good one switches at the next completion, with the same models loaded.
// On a document whose lines repeat, "model" drafts nothing by lookup and "lookup" does.
import assert from "node:assert/strict";
import * as vscode from "vscode";
import type {DraftstopApi} from "../../../src/extension";
import type {GenerationSummary} from "../../../src/protocol";
import {generationAt, openDocument, readyWithTestModels, setSetting, waitFor} from "./helpers";

/**
 * Lines that repeat, so that lookup finds earlier occurrences of what comes next to copy. (The tiny
 * target ends most middles at once; here it writes a few lines, and repeats itself too.)
 */
const REPETITIVE = [...Array.from({length: 8}, (_, i) => `  console.log("value ${i}", value${i});`), "  console.log(", ""].join("\n");
const CURSOR = new vscode.Position(8, "  console.log(".length);

/** One real generation (the cache emptied first) at CURSOR in a new document, and its summary. */
async function generate(draftstop: DraftstopApi, name: string): Promise<GenerationSummary> {
  return generationAt(draftstop, await openDocument(name, REPETITIVE), CURSOR);
}

const roundsBy = (summary: GenerationSummary, drafter: "model" | "lookup") => summary.rounds.filter(r => r.drafter === drafter).length;

async function useDrafter(draftstop: DraftstopApi, value: string | undefined): Promise<void> {
  await setSetting("drafter", value);
  await waitFor(`drafter ${value ?? "auto"}`, () => draftstop.settings.values.drafter === (value ?? "auto") ? true : undefined);
}

describe("drafter setting", function () {
  this.timeout(120_000);
  let policyBefore: unknown;

  // Earlier suites leave other policies behind; lookup drafts under the default one.
  before(async () => {
    policyBefore = vscode.workspace.getConfiguration("draftstop").inspect("policy")?.globalValue;
    await readyWithTestModels();
    await setSetting("policy", undefined);
  });
  after(async () => {
    await setSetting("drafter", undefined);
    await setSetting("policy", policyBefore);
  });

  it("switches live: with model no lookup drafts on a repetitive document, with lookup there are, the same models loaded", async () => {
    const draftstop = await readyWithTestModels();
    const before = {pid: draftstop.session.processId, info: draftstop.session.snapshot.info};

    await useDrafter(draftstop, "model");
    const byModel = await generate(draftstop, "drafter-model.ts");
    assert.equal(byModel.totals.lookupRounds, 0, "no lookup rounds with drafter model");
    assert.equal(roundsBy(byModel, "lookup"), 0);
    await waitFor("the status bar to name the drafter", () => /Drafts: the draft model {2}/.test(draftstop.statusBar.tooltip) ? true : undefined, 5000);
    const sessionLookupRounds = draftstop.session.snapshot.stats!.lookupRounds;

    await useDrafter(draftstop, "lookup");
    const byLookup = await generate(draftstop, "drafter-lookup.ts");
    assert.ok(byLookup.totals.lookupRounds > 0, `lookup drafted (${byLookup.rounds.length} rounds: ${JSON.stringify(byLookup.rounds.map(r => r.drafter ?? "-"))})`);
    assert.equal(roundsBy(byLookup, "lookup"), byLookup.totals.lookupRounds);
    assert.equal(roundsBy(byLookup, "model"), 0, "the draft model drafts nothing with drafter lookup");
    assert.equal(byLookup.totals.lookupDrafted, byLookup.totals.drafted);

    const stats = draftstop.session.snapshot.stats!;
    assert.equal(stats.lookupRounds, sessionLookupRounds + byLookup.totals.lookupRounds, "the session's statistics count them");
    await waitFor("the status bar to show lookup", () => /Drafts: lookup/.test(draftstop.statusBar.tooltip) ? true : undefined, 5000);
    assert.match(draftstop.statusBar.tooltip, new RegExp(`Accepted draft tokens: ${stats.accepted - stats.lookupAccepted} from the draft model, ` +
      `${stats.lookupAccepted} from lookup`));
    if (stats.lookupAccepted > 0) assert.match(draftstop.statusBar.text, / · lookup \d+ %$/);

    assert.equal(draftstop.session.processId, before.pid, "the same model process");
    assert.equal(draftstop.session.snapshot.info, before.info, "no reload");
  });

  it("refuses a bad value naming the setting, and completions keep the last good drafter", async () => {
    const draftstop = await readyWithTestModels();
    await useDrafter(draftstop, "model");
    const problemsBefore = draftstop.log.problems.length;
    await setSetting("drafter", "sideways");
    const told = await waitFor("the warning", () => {
      const text = draftstop.log.problems.slice(problemsBefore).map(p => p.message).join("\n");
      return /drafter/.test(text) ? text : undefined;
    }, 10_000);
    assert.match(told, /draftstop\.drafter: "sideways" is not valid; expected one of auto, model, lookup, both\. Keeping "model"\./);
    assert.equal(draftstop.settings.values.drafter, "model", "the last good value stays");

    const summary = await generate(draftstop, "drafter-bad.ts");
    assert.notEqual(summary.stopReason, "abort");
    assert.ok(summary.tokenCount > 0 || summary.stopReason === "eog", `a completion (${summary.tokenCount} tokens, ${summary.stopReason})`);
    assert.equal(summary.totals.lookupRounds, 0, "still drafting with the model alone");

    await useDrafter(draftstop, "lookup");
    assert.ok((await generate(draftstop, "drafter-good-again.ts")).totals.lookupRounds > 0, "a good value applies again");
  });
});
