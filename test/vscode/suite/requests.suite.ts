// Issue 13 in a real VS Code: every request ends with a reason that is counted and logged, the
// snooze hides ghost text until it ends by itself, the status bar shows a generation while it runs,
// and typing in the middle of a word triggers nothing while asking still completes.
import assert from "node:assert/strict";
import {readdirSync, readFileSync} from "node:fs";
import path from "node:path";
import * as vscode from "vscode";
import type {RequestOutcome, RequestReason} from "../../../src/extension/completion/requestOutcome";
import type {DraftstopApi} from "../../../src/extension";
import type {GenerationSummary} from "../../../src/protocol";
import {answerQuickPick, COMPLETING_CURSOR, COMPLETING_SAMPLE, invoke, openDocument, readyWithTestModels, setSetting, testModels, waitFor} from "./helpers";

const GENERATED: readonly RequestReason[] = ["shown", "emptyAfterPostprocessing", "endedAtOnce"];

function automatic(): vscode.InlineCompletionContext {
  return {triggerKind: vscode.InlineCompletionTriggerKind.Automatic, selectedCompletionInfo: undefined};
}

/** The outcomes recorded while `body` runs. */
async function recording<T>(draftstop: DraftstopApi, body: () => Promise<T>): Promise<{result: T; outcomes: RequestOutcome[]}> {
  const outcomes: RequestOutcome[] = [];
  const subscription = draftstop.provider.outcomes.onDidRecord(outcome => outcomes.push(outcome));
  try {
    return {result: await body(), outcomes};
  } finally {
    subscription.dispose();
  }
}

/** One request to the provider at `position` of `editor`'s document; its only outcome. */
async function request(draftstop: DraftstopApi, editor: vscode.TextEditor, position: vscode.Position, context = invoke(),
  token = new vscode.CancellationTokenSource().token): Promise<{items: vscode.InlineCompletionItem[] | undefined; outcome: RequestOutcome}> {
  const {result, outcomes} = await recording(draftstop, () => draftstop.provider.provideInlineCompletionItems(editor.document, position, context, token));
  assert.equal(outcomes.length, 1, `one outcome per request: ${JSON.stringify(outcomes)}`);
  return {items: result, outcome: outcomes[0]!};
}

/**
 * What the Draftstop log channel wrote to its file: VS Code keeps an extension's log channels in
 * the extension's log folder; the extension host's other folders are searched too, in case a
 * version keeps them elsewhere. Empty while nothing is written yet.
 */
function logText(draftstop: DraftstopApi): string {
  const texts: string[] = [];
  for (const folder of [draftstop.logFolder, path.dirname(draftstop.logFolder)]) {
    let files: string[] = [];
    try {
      files = (readdirSync(folder, {recursive: true}) as string[]).filter(file => /Draftstop\.log$/.test(file));
    } catch {
      continue; // not created yet
    }
    texts.push(...files.map(file => readFileSync(path.join(folder, file), "utf8")));
    if (texts.length > 0) break;
  }
  return texts.join("\n");
}

function listing(folder: string): string {
  try {
    return (readdirSync(folder, {recursive: true}) as string[]).join(", ");
  } catch (error) {
    return (error as Error).message;
  }
}

describe("request outcomes, snooze, visible state, trigger rules", function () {
  this.timeout(120_000);

  before(() => readyWithTestModels());
  afterEach(async () => {
    const draftstop = await readyWithTestModels();
    draftstop.snooze.resume();
  });

  it("shows, then serves the same place from the cache, each request counted and logged in one line at the default level", async () => {
    const draftstop = await readyWithTestModels();
    const editor = await openDocument("requests-shown.ts", COMPLETING_SAMPLE);
    draftstop.provider.reset();
    const summaries: GenerationSummary[] = [];
    const listener = (summary: GenerationSummary) => summaries.push(summary);
    draftstop.session.on("generation", listener);
    const counts = {shown: draftstop.provider.outcomes.count("shown"), cacheHit: draftstop.provider.outcomes.count("cacheHit")};
    try {
      const first = await request(draftstop, editor, COMPLETING_CURSOR);
      assert.ok(first.items?.length === 1, "the sample completes");
      assert.equal(first.outcome.reason, "shown");
      assert.equal(first.outcome.where, "requests-shown.ts:2:7");
      assert.equal(first.outcome.tokens, summaries[0]!.tokenCount);
      assert.equal(first.outcome.modelText, summaries[0]!.text);
      const again = await request(draftstop, editor, COMPLETING_CURSOR);
      assert.equal(again.outcome.reason, "cacheHit");
      assert.equal(summaries.length, 1, "the cache hit ran no model");
    } finally {
      draftstop.session.off("generation", listener);
    }
    assert.equal(draftstop.provider.outcomes.count("shown"), counts.shown + 1);
    assert.equal(draftstop.provider.outcomes.count("cacheHit"), counts.cacheHit + 1);
    await waitFor("both lines in the log file", () => {
      const log = logText(draftstop);
      return /completion requests-shown\.ts:2:7 \(invoked\) → shown \(\d+ tokens?, \d+ ms\)/.test(log) &&
        /completion requests-shown\.ts:2:7 \(invoked\) → cache hit \(\d+ ms\)/.test(log) ? true : undefined;
    }, 15_000).catch(error => {
      const folder = path.dirname(draftstop.logFolder);
      throw new Error(`${(error as Error).message}; ${folder} holds ${listing(folder)}`);
    });
  });

  it("counts a request debounced away, one cancelled by typing, and one gone stale", async () => {
    const draftstop = await readyWithTestModels();
    const editor = await openDocument("requests-cancel.ts", COMPLETING_SAMPLE);
    draftstop.provider.reset();

    await setSetting("debounce.maxMs", 300); // the wait for a pause in typing, off by default
    try {
      const debouncing = new vscode.CancellationTokenSource();
      const debounced = request(draftstop, editor, COMPLETING_CURSOR, automatic(), debouncing.token);
      debouncing.cancel(); // the next keystroke, within the debounce
      assert.equal((await debounced).outcome.reason, "debounced");
    } finally {
      await setSetting("debounce.maxMs", undefined);
    }

    const cancelling = new vscode.CancellationTokenSource();
    const cancelled = request(draftstop, editor, COMPLETING_CURSOR, invoke(), cancelling.token);
    cancelling.cancel();
    const {items: cancelledItems, outcome: cancelledOutcome} = await cancelled;
    assert.equal(cancelledOutcome.reason, "cancelled");
    assert.equal(cancelledOutcome.detail, "before it started");
    assert.equal(cancelledItems, undefined);

    // Stale: the document changes while the model generates. The edit must land before the
    // generation ends, which a fast generation can beat: a few tries.
    // Lines that repeat, where the tiny target writes long, and room for 512 tokens: a generation
    // long enough for the edit to land.
    const repetitive = [...Array.from({length: 8}, (_, i) => `  console.log("value ${i}", value${i});`), "  console.log(", ""].join("\n");
    const at = new vscode.Position(8, "  console.log(".length);
    const reasons: string[] = [];
    let stale: RequestOutcome | undefined;
    await setSetting("maxTokens", 512);
    try {
      for (let attempt = 0; attempt < 5 && !stale; attempt++) {
        const staleEditor = await openDocument(`requests-stale-${attempt}.ts`, repetitive);
        draftstop.provider.reset();
        const edit = () => void staleEditor.edit(e => e.insert(new vscode.Position(0, 0), "// edited while generating\n"));
        draftstop.session.once("inFlight", edit);
        const {outcome} = await request(draftstop, staleEditor, at);
        draftstop.session.off("inFlight", edit);
        reasons.push(`${outcome.reason} (${outcome.tokens} tokens, ${Math.round(outcome.elapsedMs)} ms)`);
        if (outcome.reason === "stale") stale = outcome;
        else assert.ok(GENERATED.includes(outcome.reason), `a generation that beat the edit ends as a generation: ${outcome.reason}`);
      }
    } finally {
      await setSetting("maxTokens", undefined);
    }
    assert.ok(stale, `one of five generations went stale: ${reasons.join("; ")}`);
    assert.ok(stale.tokens !== undefined, "a stale request says how many tokens were generated for nothing");
  });

  it("counts a request in a disabled language, with completions disabled, snoozed, and with no models", async () => {
    const draftstop = await readyWithTestModels();
    const outcomes = draftstop.provider.outcomes;
    const before = {languageDisabled: outcomes.count("languageDisabled"), disabled: outcomes.count("disabled"), snoozed: outcomes.count("snoozed"),
      noModels: outcomes.count("noModels")};

    await setSetting("disabledLanguages", ["markdown"]);
    try {
      const notes = await openDocument("requests-notes.md", "# Notes\n\nSome text ", "markdown");
      assert.equal((await request(draftstop, notes, new vscode.Position(2, 10))).outcome.reason, "languageDisabled");
    } finally {
      await setSetting("disabledLanguages", undefined);
    }

    const editor = await openDocument("requests-off.ts", COMPLETING_SAMPLE);
    await setSetting("enable", false);
    try {
      assert.equal((await request(draftstop, editor, COMPLETING_CURSOR)).outcome.reason, "disabled");
    } finally {
      await setSetting("enable", undefined);
    }

    await vscode.commands.executeCommand("draftstop.snooze", 15);
    assert.equal((await request(draftstop, editor, COMPLETING_CURSOR)).outcome.reason, "snoozed");
    await vscode.commands.executeCommand("draftstop.resume");
    assert.equal(draftstop.snooze.snoozed, false);

    await setSetting("targetModel", "");
    try {
      await waitFor("no models", () => draftstop.session.snapshot.state.kind === "noModels" ? true : undefined);
      const {outcome} = await request(draftstop, editor, COMPLETING_CURSOR);
      assert.equal(outcome.reason, "noModels");
      assert.equal(outcome.detail, undefined, "no models set: nothing to add");
    } finally {
      await setSetting("targetModel", testModels().target);
    }
    await readyWithTestModels();

    assert.deepEqual({languageDisabled: outcomes.count("languageDisabled"), disabled: outcomes.count("disabled"), snoozed: outcomes.count("snoozed"),
      noModels: outcomes.count("noModels")},
    {languageDisabled: before.languageDisabled + 1, disabled: before.disabled + 1, snoozed: before.snoozed + 1, noModels: before.noModels + 1});
    const table = new Map(outcomes.table().map(row => [row.reason, row.count]));
    assert.equal(table.get("snoozed"), outcomes.count("snoozed"), "the panel's table counts what was recorded");
  });

  it("classifies each generation by what the model wrote: shown, empty after post-processing, or ended at once", async () => {
    const draftstop = await readyWithTestModels();
    // Places where the tiny target writes something, nothing, or what post-processing removes.
    const places: Array<[string, vscode.Position]> = [
      ["function check(value) {\n  if (\n    throw new TypeError('bad value');\n  }\n  return value;\n}\n", COMPLETING_CURSOR],
      ["export const a = 1;\n\nexport const b = 2;\n", new vscode.Position(1, 0)],
      ["class Box {\n  constructor(value) {\n    this.value = value;\n  }\n\n}\n", new vscode.Position(4, 2)],
      ["const items = [1, 2, 3];\nfor (const item of items) {\n  \n}\n", new vscode.Position(2, 2)],
      ["import fs from \"node:fs\";\n", new vscode.Position(1, 0)]
    ];
    const seen = new Set<RequestReason>();
    for (const [index, [content, position]] of places.entries()) {
      const editor = await openDocument(`requests-kind-${index}.ts`, content);
      draftstop.provider.reset();
      const summaries: GenerationSummary[] = [];
      const listener = (summary: GenerationSummary) => summaries.push(summary);
      draftstop.session.on("generation", listener);
      const {items, outcome} = await request(draftstop, editor, position).finally(() => draftstop.session.off("generation", listener));
      assert.equal(summaries.length, 1);
      const written = summaries[0]!.text;
      const expected: RequestReason = items?.length ? "shown" : written === "" ? "endedAtOnce" : "emptyAfterPostprocessing";
      assert.equal(outcome.reason, expected, `model wrote ${JSON.stringify(written)}`);
      assert.equal(outcome.modelText, written);
      seen.add(outcome.reason);
    }
    assert.ok(seen.has("shown"), "the sample place shows");
  });

  it("does not trigger automatically mid-word or before more than 8 characters; asking still completes there", async () => {
    const draftstop = await readyWithTestModels();
    const editor = await openDocument("requests-trigger.ts", "const counter = 1;\nconst total = counter + 1;\nconst list = [1, 2, 3, 4];\n");
    draftstop.provider.reset();
    const generations = draftstop.provider.counters.generations;
    const midWord = new vscode.Position(1, "const total = coun".length);
    assert.equal((await request(draftstop, editor, midWord, automatic())).outcome.reason, "midWord");
    const beforeList = new vscode.Position(2, "const list = ".length);
    assert.equal((await request(draftstop, editor, beforeList, automatic())).outcome.reason, "textRightOfCursor");
    assert.equal(draftstop.provider.counters.generations, generations, "neither ran the model");

    const asked = await request(draftstop, editor, midWord);
    assert.ok(GENERATED.includes(asked.outcome.reason), `asking mid-word runs the model: ${asked.outcome.reason}`);
    assert.equal(draftstop.provider.counters.generations, generations + 1);

    await setSetting("trigger.midWord", true);
    try {
      const allowed = await request(draftstop, editor, midWord, automatic());
      assert.notEqual(allowed.outcome.reason, "midWord", "draftstop.trigger.midWord: true lets it trigger");
    } finally {
      await setSetting("trigger.midWord", undefined);
    }
  });

  it("typing in the middle of a word, VS Code's own automatic request shows nothing and runs no model", async () => {
    const draftstop = await readyWithTestModels();
    const editor = await openDocument("requests-typing.ts", "const counter = 1;\nconst total = couner + 1;\n");
    draftstop.provider.reset();
    const generations = draftstop.provider.counters.generations;
    const shown: string[] = [];
    const showing = draftstop.provider.onDidShow(s => s.uri === editor.document.uri.toString() && shown.push(s.text));
    try {
      const {outcomes} = await recording(draftstop, async () => {
        editor.selection = new vscode.Selection(1, "const total = coun".length, 1, "const total = coun".length);
        await vscode.commands.executeCommand("type", {text: "t"}); // couner → count|er
        await waitFor("VS Code's automatic request", () => draftstop.provider.outcomes.last?.where.startsWith("requests-typing.ts:") ? true : undefined, 15_000);
        // A net for any request that follows it: on a slow machine it may catch fewer, never fail one.
        await new Promise(resolve => setTimeout(resolve, 500));
      });
      const here = outcomes.filter(o => o.where.startsWith("requests-typing.ts:"));
      assert.ok(here.length > 0);
      assert.ok(here.every(o => o.trigger === "automatic" && o.reason === "midWord"), JSON.stringify(here.map(o => [o.where, o.reason])));
    } finally {
      showing.dispose();
    }
    assert.deepEqual(shown, [], "no ghost text");
    assert.equal(draftstop.provider.counters.generations, generations, "no generation");
  });

  it("snooze hides ghost text, the status bar says until when, and the ghost text comes back when the snooze ends", async () => {
    const draftstop = await readyWithTestModels();
    const editor = await openDocument("requests-snooze.ts", COMPLETING_SAMPLE);
    editor.selection = new vscode.Selection(COMPLETING_CURSOR, COMPLETING_CURSOR);
    const uri = editor.document.uri.toString();
    const shown: number[] = [];
    const showing = draftstop.provider.onDidShow(s => s.uri === uri && shown.push(s.at));
    try {
      const state = await vscode.commands.executeCommand<{snoozed: boolean; until?: number}>("draftstop.snooze", 0.05); // 3 s
      assert.ok(state.snoozed && state.until !== undefined);
      await waitFor("the snooze in the status bar", () => /^\$\(bell-slash\) Draftstop: snoozed until \d\d:\d\d$/.test(draftstop.statusBar.text) ? true : undefined, 5000);
      assert.match(draftstop.statusBar.tooltip, /Snoozed until \d\d:\d\d \(in \d s\)/);

      const snoozedBefore = draftstop.provider.outcomes.count("snoozed");
      await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
      await waitFor("a snoozed request", () => draftstop.provider.outcomes.count("snoozed") > snoozedBefore ? true : undefined, 5000);
      assert.deepEqual(shown, [], "no ghost text while snoozed");

      await waitFor("the snooze to end by itself", () => !draftstop.snooze.snoozed ? true : undefined, 10_000);
      // A lower bound: a busy machine only ends the snooze later.
      assert.ok(Date.now() >= state.until - 50, "not before its end");
      await waitFor("the status bar back to live numbers", () => /^\$\(zap\)/.test(draftstop.statusBar.text) ? true : undefined, 5000);
      // VS Code keeps the empty answer it got for this place and text while snoozed; a keystroke
      // (here typed and taken back, so the text is the sample's again) makes it ask anew, as typing on would.
      const after = await recording(draftstop, async () => {
        await editor.edit(e => e.insert(COMPLETING_CURSOR, "x"));
        await editor.edit(e => e.delete(new vscode.Range(COMPLETING_CURSOR, COMPLETING_CURSOR.translate(0, 1))));
        editor.selection = new vscode.Selection(COMPLETING_CURSOR, COMPLETING_CURSOR);
        await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
        await waitFor("ghost text again", () => shown.length > 0 ? true : undefined, 30_000).catch(() => undefined);
      });
      assert.ok(shown.length > 0, `ghost text again; requests after the snooze: ${JSON.stringify(after.outcomes)}`);
    } finally {
      showing.dispose();
    }
  });

  it("shows a generation in the status bar while it runs, and the last completion's outcome in the tooltip", async () => {
    const draftstop = await readyWithTestModels();
    const editor = await openDocument("requests-status.ts", COMPLETING_SAMPLE);
    draftstop.provider.reset();
    const texts: string[] = [];
    // The status bar renders on the same event, registered first (extension.ts): this listener reads what it shows.
    const listener = () => texts.push(draftstop.statusBar.text);
    draftstop.session.on("change", listener);
    try {
      await request(draftstop, editor, COMPLETING_CURSOR);
    } finally {
      draftstop.session.off("change", listener);
    }
    assert.ok(texts.some(text => /^\$\(sync~spin\) (generating|Draftstop: generating)/.test(text)), `the spinner while generating: ${JSON.stringify(texts)}`);
    await waitFor("ready again", () => /^\$\(zap\)/.test(draftstop.statusBar.text) ? true : undefined, 5000);
    assert.match(draftstop.statusBar.tooltip, /Last completion: shown \\\(\d+ tokens?, \d+ ms\\\) at requests\\-status\\\.ts:2:7/);
  });

  it("the status bar's menu opens the statistics with Enter, as a click used to", async () => {
    const draftstop = await readyWithTestModels();
    const tabs = () => vscode.window.tabGroups.all.flatMap(g => g.tabs).filter(t => t.label === "Draftstop Statistics");
    for (const tab of tabs()) await vscode.window.tabGroups.close(tab);
    const menu = vscode.commands.executeCommand("draftstop.showMenu");
    assert.equal(await answerQuickPick(menu, "workbench.action.acceptSelectedQuickOpenItem", "the menu to take Enter"), "draftstop.showStats");
    await waitFor("the panel tab", () => tabs().length > 0 ? true : undefined, 10_000);
    assert.ok(draftstop.session.ready);
  });
});
