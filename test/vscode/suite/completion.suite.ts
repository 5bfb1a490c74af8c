// The inline completion provider with real models in a real editor.
import assert from "node:assert/strict";
import * as vscode from "vscode";
import {invoke, openDocument, readyWithTestModels, setSetting, waitFor} from "./helpers";

const SAMPLE = [
  "export function sum(values: number[]): number {",
  "  let total = 0;",
  "  for (const value of values) {",
  "    total += ",
  "  }",
  "  return total;",
  "}",
  ""
].join("\n");

describe("inline completion", function () {
  this.timeout(120_000);

  before(() => readyWithTestModels());

  it("returns a real completion from the models at the cursor", async () => {
    const draftstop = await readyWithTestModels();
    const editor = await openDocument("completion.ts", SAMPLE);
    const position = new vscode.Position(3, 13);
    const items = await draftstop.provider.provideInlineCompletionItems(editor.document, position, invoke(), new vscode.CancellationTokenSource().token);
    assert.ok(items && items.length === 1, "one completion");
    const item = items[0]!;
    assert.ok(typeof item.insertText === "string" && item.insertText.trim().length > 0, `non-empty: ${JSON.stringify(item.insertText)}`);
    assert.deepEqual([item.range!.start.line, item.range!.start.character], [3, 13], "inserted at the cursor");
    assert.ok(draftstop.session.snapshot.stats!.tokens > 0, "the session counted the tokens");
  });

  it("serves the same position again from the cache and types through a shown completion", async () => {
    const draftstop = await readyWithTestModels();
    const editor = await openDocument("cache.ts", SAMPLE);
    const token = new vscode.CancellationTokenSource().token;
    const position = new vscode.Position(3, 13);
    const first = await draftstop.provider.provideInlineCompletionItems(editor.document, position, invoke(), token);
    const text = first![0]!.insertText as string;
    const generations = draftstop.provider.counters.generations;
    await draftstop.provider.provideInlineCompletionItems(editor.document, position, invoke(), token);
    assert.equal(draftstop.provider.counters.generations, generations, "no new generation for the same place");
    if (text.length > 1 && !text.startsWith("\n")) {
      const typed = text[0]!;
      await editor.edit(edit => edit.insert(position, typed));
      const next = await draftstop.provider.provideInlineCompletionItems(editor.document, position.translate(0, 1), invoke(), token);
      assert.equal(draftstop.provider.counters.generations, generations, "typing through costs no generation");
      assert.ok(next && (next[0]!.insertText as string).length > 0);
    }
  });

  it("stops at once when the request is cancelled, and completes again afterwards", async () => {
    const draftstop = await readyWithTestModels();
    const editor = await openDocument("cancel.ts", SAMPLE.replace("total += ", "total += value * 2 + "));
    const source = new vscode.CancellationTokenSource();
    const pending = draftstop.provider.provideInlineCompletionItems(editor.document, new vscode.Position(3, 26), invoke(), source.token);
    source.cancel();
    assert.equal(await pending, undefined, "a cancelled request shows nothing");
    const items = await draftstop.provider.provideInlineCompletionItems(editor.document, new vscode.Position(3, 25), invoke(),
      new vscode.CancellationTokenSource().token);
    assert.ok(items && items.length === 1, "the next request completes");
  });

  it("skips disabled languages", async () => {
    const draftstop = await readyWithTestModels();
    await setSetting("disabledLanguages", ["markdown"]);
    try {
      const editor = await openDocument("notes.md", "# Notes\n\nSome text ", "markdown");
      const items = await draftstop.provider.provideInlineCompletionItems(editor.document, new vscode.Position(2, 10), invoke(),
        new vscode.CancellationTokenSource().token);
      assert.equal(items, undefined);
    } finally {
      await setSetting("disabledLanguages", []);
    }
  });

  it("shows ghost text through VS Code's own trigger, and Tab (commit) inserts it", async () => {
    const draftstop = await readyWithTestModels();
    const editor = await openDocument("ghost.ts", SAMPLE);
    editor.selection = new vscode.Selection(3, 13, 3, 13);
    await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
    const shown = await waitFor("a completion to be shown", () => draftstop.provider.lastShown?.uri === editor.document.uri.toString()
      ? draftstop.provider.lastShown : undefined);
    const before = editor.document.getText();
    await waitFor("the suggestion to be committed", async () => {
      await vscode.commands.executeCommand("editor.action.inlineSuggest.commit");
      return editor.document.getText() !== before ? true : undefined;
    }, 10_000);
    assert.ok(editor.document.lineAt(3).text.startsWith(`    total += ${shown.text.split(/\r?\n/)[0]}`), editor.document.lineAt(3).text);
  });

  it("updates the status bar with live numbers after completions", async () => {
    const draftstop = await readyWithTestModels();
    await waitFor("live numbers", () => /×|tok\/s/.test(draftstop.statusBar.text) ? true : undefined);
    assert.match(draftstop.statusBar.text, /^\$\(zap\) (\d+\.\d|–)× · \d+ tok\/s · \d+ % · k̄ \d+\.\d$/);
  });
});
