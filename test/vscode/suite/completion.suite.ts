// The inline completion provider with real models in a real editor.
import assert from "node:assert/strict";
import * as vscode from "vscode";
import {COMPLETING_CURSOR, COMPLETING_SAMPLE, invoke, openDocument, readyWithTestModels, setSetting, waitFor} from "./helpers";

const SAMPLE = COMPLETING_SAMPLE;
const CURSOR = COMPLETING_CURSOR;
const LINE_BEFORE_CURSOR = SAMPLE.split("\n")[CURSOR.line]!.slice(0, CURSOR.character);

describe("inline completion", function () {
  this.timeout(120_000);

  before(() => readyWithTestModels());

  it("returns a real completion from the models at the cursor", async () => {
    const draftstop = await readyWithTestModels();
    const editor = await openDocument("completion.ts", SAMPLE);
    const position = CURSOR;
    const items = await draftstop.provider.provideInlineCompletionItems(editor.document, position, invoke(), new vscode.CancellationTokenSource().token);
    assert.ok(items && items.length === 1, "one completion");
    const item = items[0]!;
    assert.ok(typeof item.insertText === "string" && item.insertText.trim().length > 0, `non-empty: ${JSON.stringify(item.insertText)}`);
    assert.deepEqual([item.range!.start.line, item.range!.start.character], [CURSOR.line, CURSOR.character], "inserted at the cursor");
    assert.ok(draftstop.session.snapshot.stats!.tokens > 0, "the session counted the tokens");
  });

  it("serves the same position again from the cache and types through a shown completion", async () => {
    const draftstop = await readyWithTestModels();
    const editor = await openDocument("cache.ts", SAMPLE);
    const token = new vscode.CancellationTokenSource().token;
    const position = CURSOR;
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
    const editor = await openDocument("cancel.ts", SAMPLE);
    const source = new vscode.CancellationTokenSource();
    const pending = draftstop.provider.provideInlineCompletionItems(editor.document, CURSOR, invoke(), source.token);
    source.cancel();
    assert.equal(await pending, undefined, "a cancelled request shows nothing");
    const items = await draftstop.provider.provideInlineCompletionItems(editor.document, CURSOR, invoke(),
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
    editor.selection = new vscode.Selection(CURSOR, CURSOR);
    await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
    const shown = await waitFor("a completion to be shown", () => draftstop.provider.lastShown?.uri === editor.document.uri.toString()
      ? draftstop.provider.lastShown : undefined);
    const before = editor.document.getText();
    await waitFor("the suggestion to be committed", async () => {
      await vscode.commands.executeCommand("editor.action.inlineSuggest.commit");
      return editor.document.getText() !== before ? true : undefined;
    }, 10_000);
    assert.ok(editor.document.lineAt(CURSOR.line).text.startsWith(LINE_BEFORE_CURSOR + shown.text.split(/\r?\n/)[0]), editor.document.lineAt(CURSOR.line).text);
  });

  it("accepts the next word and the next line with VS Code's own commands", async () => {
    const draftstop = await readyWithTestModels();
    await setSetting("maxLines", 3);
    try {
      for (const [command, check] of [
        ["editor.action.inlineSuggest.acceptNextWord", (inserted: string, ghost: string) => inserted.length > 0 && inserted.length <= ghost.length && ghost.startsWith(inserted)],
        ["editor.action.inlineSuggest.acceptNextLine", (inserted: string, ghost: string) => inserted === ghost.split("\n")[0] || (ghost.startsWith(inserted) && !inserted.includes("\n"))]
      ] as const) {
        const editor = await openDocument(`partial-${command.split(".").pop()}.ts`, SAMPLE);
        editor.selection = new vscode.Selection(CURSOR, CURSOR);
        await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
        const shown = await waitFor("a completion to be shown", () => draftstop.provider.lastShown?.uri === editor.document.uri.toString()
          ? draftstop.provider.lastShown : undefined);
        const before = editor.document.lineAt(CURSOR.line).text;
        await waitFor(`${command} to insert text`, async () => {
          await vscode.commands.executeCommand(command);
          return editor.document.lineAt(CURSOR.line).text !== before ? true : undefined;
        }, 10_000);
        const inserted = editor.document.getText(new vscode.Range(CURSOR, editor.selection.active));
        assert.ok(check(inserted, shown.text), `${command} inserted ${JSON.stringify(inserted)} of ${JSON.stringify(shown.text)}`);
      }
    } finally {
      await setSetting("maxLines", undefined);
    }
  });

  it("after a keystroke evaluates only the new tokens (prefix reuse, the cheaper FIM layout)", async () => {
    const draftstop = await readyWithTestModels();
    const editor = await openDocument("keystroke.ts", SAMPLE);
    const summaries: Array<{prefill: {targetEvaluated: number; targetReused: number}; promptTokens: number; promptLayout: string}> = [];
    const listener = (summary: typeof summaries[number]) => summaries.push(summary);
    draftstop.session.on("generation", listener);
    try {
      const token = new vscode.CancellationTokenSource().token;
      await draftstop.provider.provideInlineCompletionItems(editor.document, CURSOR, invoke(), token);
      await editor.edit(edit => edit.insert(CURSOR, "x"));
      draftstop.provider.reset(); // no cache hit: measure a real generation after the keystroke
      await draftstop.provider.provideInlineCompletionItems(editor.document, CURSOR.translate(0, 1), invoke(), token);
    } finally {
      draftstop.session.off("generation", listener);
    }
    // Between the two, the prefetch of what follows the first completion may have run (or been
    // dropped by the keystroke): the keystroke's prompt is still mostly in the cache.
    assert.ok(summaries.length === 2 || summaries.length === 3, `${summaries.length} generations`);
    const [first, second] = [summaries[0]!, summaries.at(-1)!];
    assert.ok(second.prefill.targetReused > 0, "the prompt's start is reused");
    if (second.promptLayout === "spm")
      assert.ok(second.prefill.targetEvaluated <= 6, `SPM: only the edited end of the prefix is evaluated (${second.prefill.targetEvaluated} of ${second.promptTokens})`);
    else assert.ok(second.prefill.targetEvaluated < first.promptTokens, `${second.promptLayout}: ${second.prefill.targetEvaluated} of ${second.promptTokens}`);
  });

  it("updates the status bar with live numbers after completions", async () => {
    const draftstop = await readyWithTestModels();
    await waitFor("live numbers", () => /×|tok\/s/.test(draftstop.statusBar.text) ? true : undefined);
    assert.match(draftstop.statusBar.text, /^\$\(zap\) (\d+\.\d|–)× · \d+ tok\/s · \d+ % · k̄ \d+\.\d( · lookup \d+ %)?$/);
  });
});
