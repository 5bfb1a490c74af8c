// Issue 30 in a real VS Code: with the suggest widget open, the completion continues the widget's
// selected item, covers the item's range and starts with its text (what VS Code shows beside the
// widget); each selected item has its own cache entry; moving through the list runs at most one
// generation at a time, and only the latest selection's completion is shown.
import assert from "node:assert/strict";
import * as vscode from "vscode";
import type {RequestOutcome} from "../../../src/extension/completion/requestOutcome";
import type {DraftstopApi} from "../../../src/extension";
import {openDocument, readyWithTestModels} from "./helpers";

const DOCUMENT = "function check(value) {\n  if (value === undefined) \n  return value;\n}\n";
const CURSOR = new vscode.Position(1, "  if (value === undefined) ".length);

function withWidget(text: string, range = new vscode.Range(CURSOR, CURSOR)): vscode.InlineCompletionContext {
  return {triggerKind: vscode.InlineCompletionTriggerKind.Automatic, selectedCompletionInfo: {range, text}};
}

async function ask(draftstop: DraftstopApi, editor: vscode.TextEditor, context: vscode.InlineCompletionContext,
  token = new vscode.CancellationTokenSource().token): Promise<{items: vscode.InlineCompletionItem[] | undefined; outcome: RequestOutcome}> {
  const outcomes: RequestOutcome[] = [];
  const subscription = draftstop.provider.outcomes.onDidRecord(outcome => outcomes.push(outcome));
  try {
    const items = await draftstop.provider.provideInlineCompletionItems(editor.document, CURSOR, context, token);
    return {items, outcome: outcomes[0]!};
  } finally {
    subscription.dispose();
  }
}

describe("completions beside the suggest widget", function () {
  this.timeout(120_000);

  it("continues the selected item: the item covers its range and starts with it; each item is cached apart", async () => {
    const draftstop = await readyWithTestModels();
    const editor = await openDocument("widget-items.ts", DOCUMENT);
    const generations = draftstop.provider.counters.generations;
    const first = await ask(draftstop, editor, withWidget("return"));
    assert.equal(first.outcome.withSuggestWidget, true);
    assert.equal(first.outcome.reason, "shown", JSON.stringify(first.outcome));
    const item = first.items![0]!;
    assert.ok(typeof item.insertText === "string" && item.insertText.startsWith("return") && item.insertText.length > "return".length,
      JSON.stringify(item.insertText));
    assert.ok(item.range!.isEqual(new vscode.Range(CURSOR, CURSOR)), "it covers the selected item's range");
    assert.equal(draftstop.provider.counters.generations, generations + 1);

    const other = await ask(draftstop, editor, withWidget("throw"));
    assert.equal(draftstop.provider.counters.generations, generations + 2, "another item is another prompt");
    if (other.items) assert.ok((other.items[0]!.insertText as string).startsWith("throw"));

    const again = await ask(draftstop, editor, withWidget("return"));
    assert.equal(again.outcome.reason, "cacheHit");
    assert.equal(again.items![0]!.insertText, item.insertText);
    assert.equal(draftstop.provider.counters.generations, generations + 2, "the same item again is served from the cache");
  });

  it("answers at once, without the model, for an item that rewrites the typed text (VS Code could draw none of it)", async () => {
    const draftstop = await readyWithTestModels();
    const editor = await openDocument("widget-symbol.ts", DOCUMENT.replace("undefined) \n", "undefined) items.\n"));
    const dot = new vscode.Range(CURSOR.translate(0, "items".length), CURSOR.translate(0, "items.".length));
    const generations = draftstop.provider.counters.generations;
    const outcomes: RequestOutcome[] = [];
    const subscription = draftstop.provider.outcomes.onDidRecord(outcome => outcomes.push(outcome));
    try {
      const items = await draftstop.provider.provideInlineCompletionItems(editor.document, dot.end, withWidget("[Symbol.iterator]", dot),
        new vscode.CancellationTokenSource().token);
      assert.equal(items, undefined);
      assert.deepEqual(outcomes.map(o => [o.reason, o.withSuggestWidget, o.detail]), [["widgetItemRewrites", true, '"[Symbol.iterator]" over "."']]);
      assert.equal(draftstop.provider.counters.generations, generations, "the model did not run");
    } finally {
      subscription.dispose();
    }
  });

  it("replaces the part of the word typed so far", async () => {
    const draftstop = await readyWithTestModels();
    const editor = await openDocument("widget-typed.ts", DOCUMENT.replace("undefined) \n", "undefined) ret\n"));
    const typed = new vscode.Range(CURSOR, CURSOR.translate(0, 3));
    const outcomes: RequestOutcome[] = [];
    const subscription = draftstop.provider.outcomes.onDidRecord(outcome => outcomes.push(outcome));
    try {
      const items = await draftstop.provider.provideInlineCompletionItems(editor.document, CURSOR.translate(0, 3), withWidget("return", typed),
        new vscode.CancellationTokenSource().token);
      assert.ok(items?.length === 1, JSON.stringify(outcomes));
      assert.ok(items[0]!.range!.isEqual(typed));
      assert.ok((items[0]!.insertText as string).startsWith("return"));
    } finally {
      subscription.dispose();
    }
  });

  it("moving the selection down five items runs one generation at a time and shows only the latest item's completion", async () => {
    const draftstop = await readyWithTestModels();
    const editor = await openDocument("widget-moves.ts", DOCUMENT);
    draftstop.provider.reset();
    const peak = draftstop.provider.gate.counters.peakInFlight;
    assert.ok(peak <= 1);
    const names = ["value", "valueOf", "var", "void", "while", "with"];
    const outcomes: RequestOutcome[] = [];
    const subscription = draftstop.provider.outcomes.onDidRecord(outcome => outcomes.push(outcome));
    try {
      const sources: vscode.CancellationTokenSource[] = [];
      const asked = names.map(name => {
        // As VS Code does, a new selection cancels the request for the one before.
        sources.at(-1)?.cancel();
        const source = new vscode.CancellationTokenSource();
        sources.push(source);
        return draftstop.provider.provideInlineCompletionItems(editor.document, CURSOR, withWidget(name), source.token);
      });
      const results = await Promise.all(asked);
      assert.equal(draftstop.provider.gate.counters.peakInFlight, 1, "never more than one generation in flight");
      for (const [i, items] of results.slice(0, -1).entries()) assert.equal(items, undefined, `${names[i]}: superseded, nothing shown`);
      assert.ok((results.at(-1)![0]!.insertText as string).startsWith("with"), "the latest selection's completion");
      const reasons = outcomes.map(o => o.reason).sort();
      assert.deepEqual(reasons.filter(r => r !== "debounced" && r !== "cancelled"), ["shown"], `one shown, the rest cancelled or debounced: ${reasons}`);
      assert.ok(outcomes.every(o => o.withSuggestWidget));
    } finally {
      subscription.dispose();
    }
  });
});
