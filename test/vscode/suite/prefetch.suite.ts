// Issue 29 in a real VS Code: the generation stops where the completion ends (nothing generated at
// a one-line position is thrown away), and the completion that follows a shown one is generated
// ahead, so that accepting it (Tab, VS Code's own command) shows the next one from that prefetch;
// typing something else instead drops the prefetch.
import assert from "node:assert/strict";
import * as vscode from "vscode";
import type {RequestOutcome} from "../../../src/extension/completion/requestOutcome";
import type {DraftstopApi} from "../../../src/extension";
import type {GenerationSummary} from "../../../src/protocol";
import {openDocument, readyWithTestModels, setSetting, waitFor} from "./helpers";

/**
 * Where the tiny test target completes in one line (`* () {`), and then, once that is accepted, a
 * block after the `{` it wrote: a prefetch long enough to be caught in flight.
 */
const DOCUMENT = "function check(value) {\n  if (value === undefined) \n  return value;\n}\n";
const CURSOR = new vscode.Position(1, "  if (value === undefined) ".length);

/** After the `{` the tiny target writes at CURSOR: it goes on with a block of several lines. */
const BLOCK_DOCUMENT = "function check(value) {\n  if (value === undefined) * () {\n  return value;\n}\n";
const BLOCK_CURSOR = new vscode.Position(1, "  if (value === undefined) * () {".length);

function automatic(): vscode.InlineCompletionContext {
  return {triggerKind: vscode.InlineCompletionTriggerKind.Automatic, selectedCompletionInfo: undefined};
}

/** Outcomes and generations recorded from now on. */
function record(draftstop: DraftstopApi): {outcomes: RequestOutcome[]; generations: GenerationSummary[]; dispose(): void} {
  const outcomes: RequestOutcome[] = [];
  const generations: GenerationSummary[] = [];
  const subscription = draftstop.provider.outcomes.onDidRecord(outcome => outcomes.push(outcome));
  const listener = (summary: GenerationSummary) => generations.push(summary);
  draftstop.session.on("generation", listener);
  return {outcomes, generations, dispose: () => {
    subscription.dispose();
    draftstop.session.off("generation", listener);
  }};
}

/** Asks at CURSOR the way Trigger Inline Suggestion does (a block there: its first lines shown early are turned off, for one ghost text). */
async function showAt(draftstop: DraftstopApi, name: string): Promise<{editor: vscode.TextEditor; shown: string}> {
  await setSetting("firstLineEarly", false);
  const editor = await openDocument(name, DOCUMENT);
  draftstop.provider.reset();
  editor.selection = new vscode.Selection(CURSOR, CURSOR);
  await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
  const shown = await waitFor("a completion to be shown", () => draftstop.provider.lastShown?.uri === editor.document.uri.toString()
    ? draftstop.provider.lastShown.text : undefined);
  return {editor, shown};
}

describe("stop rules and prefetch in the editor", function () {
  this.timeout(120_000);

  before(() => readyWithTestModels());

  it("at a one-line position, stops at the line break: nothing the model generated is thrown away", async () => {
    const draftstop = await readyWithTestModels();
    const editor = await openDocument("one-line.ts", DOCUMENT);
    draftstop.provider.reset();
    const recorded = record(draftstop);
    try {
      const items = await draftstop.provider.provideInlineCompletionItems(editor.document, CURSOR, automatic(), new vscode.CancellationTokenSource().token);
      const generation = recorded.generations[0]!;
      assert.ok(generation, "a generation ran");
      assert.ok(items?.length === 1, `ghost text: the model wrote ${JSON.stringify(generation.text)}`);
      assert.equal(generation.stopReason, "completionEnd", `stopped by the rules, not at ${generation.stopReason}`);
      assert.equal(generation.tokensPastStop, 0);
      assert.ok(!generation.text.includes("\n"), JSON.stringify(generation.text));
      assert.equal(items![0]!.insertText, generation.text, "shown as the model wrote it: post-processing cut nothing");
    } finally {
      recorded.dispose();
    }
  });

  it("accepting a suggestion with Tab shows the prefetched next one, without a new generation", async () => {
    const draftstop = await readyWithTestModels();
    const {editor, shown} = await showAt(draftstop, "prefetch-accept.ts");
    await waitFor("the prefetch to finish", () => !draftstop.provider.prefetching);
    assert.ok(draftstop.provider.counters.prefetches >= 1, "a prefetch ran");
    const recorded = record(draftstop);
    try {
      const generations = draftstop.provider.counters.generations;
      await vscode.commands.executeCommand("editor.action.inlineSuggest.commit");
      const at = editor.document.offsetAt(CURSOR);
      assert.equal(editor.document.getText(), DOCUMENT.slice(0, at) + shown + DOCUMENT.slice(at), "accepted at the cursor");
      const end = editor.document.positionAt(at + shown.length);
      // VS Code asks again after the accept; ask too, in case this version waits for a keystroke.
      await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
      const served = await waitFor("a request served by the prefetch", () => recorded.outcomes.find(o => o.reason === "prefetched"));
      assert.equal(served.where, `prefetch-accept.ts:${end.line + 1}:${end.character + 1}`, "at the end of the accepted text");
      assert.equal(draftstop.provider.counters.generations, generations, "no generation after Tab");
      assert.equal(recorded.generations.length, 0);
      assert.equal(draftstop.provider.lastShown?.uri, editor.document.uri.toString());
      assert.ok(draftstop.provider.lastShown!.text.length > 0);
    } finally {
      recorded.dispose();
      await setSetting("firstLineEarly", undefined);
    }
  });

  it("drops the prefetch when the user types something else, and never serves it there", async () => {
    const draftstop = await readyWithTestModels();
    const dropped = draftstop.provider.counters.prefetchesDropped;
    const editor = await openDocument("prefetch-drop.ts", DOCUMENT);
    draftstop.provider.reset();
    editor.selection = new vscode.Selection(CURSOR, CURSOR);
    const recorded = record(draftstop);
    let busy: Promise<unknown> | undefined;
    const holding = new AbortController();
    try {
      // As the completion is shown: a long generation takes the engine first, so the prefetch
      // that starts now is still waiting for it when the keystroke lands. It holds the engine
      // until the edit is in (however long the editor takes to apply it on a loaded machine), then
      // is cancelled.
      const typed = new Promise<void>(resolve => {
        const once = draftstop.provider.onDidShow(() => {
          once.dispose();
          busy = draftstop.session.complete({prefix: "function longer() {\n  const parts = [", suffix: ""}, {maxTokens: 1500, stopOnEog: false}, holding.signal);
          void editor.edit(edit => edit.insert(CURSOR, "x"), {undoStopBefore: false, undoStopAfter: false}).then(() => resolve());
        });
      });
      await draftstop.provider.provideInlineCompletionItems(editor.document, CURSOR, automatic(), new vscode.CancellationTokenSource().token);
      await typed;
      holding.abort();
      await busy;
      await waitFor("the prefetch to end", () => !draftstop.provider.prefetching);
      assert.equal(draftstop.provider.counters.prefetchesDropped, dropped + 1, "the keystroke dropped the prefetch in flight");
      await draftstop.provider.provideInlineCompletionItems(editor.document, CURSOR.translate(0, 1), automatic(), new vscode.CancellationTokenSource().token);
      assert.ok(!recorded.outcomes.some(o => o.reason === "prefetched"), `not served where the user typed something else: ${JSON.stringify(recorded.outcomes)}`);
    } finally {
      await busy?.catch(() => undefined);
      recorded.dispose();
    }
  });

  it("typing a block's opener, shows the block's first lines as soon as they are written, then the whole block from the same generation; Tab accepts the whole block", async () => {
    const draftstop = await readyWithTestModels();
    const editor = await openDocument("first-line-typing.ts", BLOCK_DOCUMENT.replace("* () {", "* () "));
    draftstop.provider.reset();
    const recorded = record(draftstop);
    try {
      const at = BLOCK_CURSOR.translate(0, -1);
      editor.selection = new vscode.Selection(at, at);
      await vscode.commands.executeCommand("workbench.action.focusActiveEditorGroup"); // `type` types where the focus is
      await vscode.commands.executeCommand("type", {text: "{"});
      const grown = await waitFor("the block grown", () => recorded.outcomes.find(o => o.reason === "grown"), 20_000)
        .catch(error => assert.fail(`${(error as Error).message}: ${JSON.stringify(recorded.outcomes)} in ${JSON.stringify(editor.document.getText())}`));
      const first = recorded.outcomes.find(o => o.reason === "shown");
      assert.ok(first && /first lines/.test(first.detail ?? "") && first.where === grown.where && first.trigger === "automatic",
        `first lines, then the block at the same place: ${JSON.stringify(recorded.outcomes)}`);
      assert.equal(recorded.generations.length, 1, "one generation served both");
      const block = draftstop.provider.lastShown!.text;
      assert.ok(block.split("\n").length >= 2, `the block has lines after the first: ${JSON.stringify(block)}`);
      assert.ok(block.startsWith(first.modelText!), "the block goes on from its first lines");
      assert.equal(grown.modelText, recorded.generations[0]!.text, "the whole block is what the model wrote");
      const shownIn = editor.document.getText(); // typing `{` may have closed it too
      await vscode.commands.executeCommand("editor.action.inlineSuggest.commit");
      const offset = editor.document.offsetAt(BLOCK_CURSOR);
      assert.equal(editor.document.getText(), shownIn.slice(0, offset) + block + shownIn.slice(offset), "Tab inserted the whole block");
    } finally {
      recorded.dispose();
    }
  });

  it("accepting a block's first lines is served the rest of the block from the same generation", async () => {
    const draftstop = await readyWithTestModels();
    const editor = await openDocument("first-line-tab.ts", BLOCK_DOCUMENT);
    draftstop.provider.reset();
    const recorded = record(draftstop);
    try {
      // VS Code drops the request as soon as it is answered (as it does at Tab), so the block is never shown whole.
      const request = new vscode.CancellationTokenSource();
      const items = await draftstop.provider.provideInlineCompletionItems(editor.document, BLOCK_CURSOR, automatic(), request.token);
      request.cancel();
      const firstLines = String(items?.[0]?.insertText);
      assert.ok(/first lines/.test(recorded.outcomes[0]?.detail ?? ""), JSON.stringify(recorded.outcomes));
      assert.ok(!firstLines.trimStart().includes("\n"), `one line: ${JSON.stringify(firstLines)}`);
      await editor.edit(edit => edit.insert(BLOCK_CURSOR, firstLines), {undoStopBefore: false, undoStopAfter: false});
      const end = editor.document.positionAt(editor.document.offsetAt(BLOCK_CURSOR) + firstLines.length);
      const rest = await draftstop.provider.provideInlineCompletionItems(editor.document, end, automatic(), new vscode.CancellationTokenSource().token);
      const served = recorded.outcomes.at(-1)!;
      assert.equal(served.reason, "prefetched", JSON.stringify(recorded.outcomes));
      await waitFor("the generation to end", () => recorded.generations.length > 0 || undefined);
      assert.equal(recorded.generations.length, 1, "no generation but the block's");
      const whole = recorded.generations[0]!.text;
      assert.ok(rest?.length === 1 && whole.includes(String(rest[0]!.insertText).trimEnd()),
        `the rest ${JSON.stringify(rest?.[0]?.insertText)} is the block's: ${JSON.stringify(whole)}`);
      assert.ok(!recorded.outcomes.some(o => o.reason === "grown"), "not shown whole after VS Code dropped the request");
    } finally {
      recorded.dispose();
    }
  });

  it("with firstLineEarly off, or when asked (Trigger Inline Suggestion), shows the block whole, in one request", async () => {
    const draftstop = await readyWithTestModels();
    const invoke = {triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined};
    for (const [early, context] of [[false, automatic()], [true, invoke]] as const) {
      await setSetting("firstLineEarly", early ? undefined : false);
      const recorded = record(draftstop);
      try {
        const editor = await openDocument(`first-line-whole-${early}.ts`, BLOCK_DOCUMENT);
        draftstop.provider.reset();
        const items = await draftstop.provider.provideInlineCompletionItems(editor.document, BLOCK_CURSOR, context, new vscode.CancellationTokenSource().token);
        const what = `firstLineEarly ${early}, ${context.triggerKind === invoke.triggerKind ? "asked" : "typed"}: ${JSON.stringify(recorded.outcomes)}`;
        assert.equal(recorded.outcomes.length, 1, what);
        assert.equal(recorded.outcomes[0]!.reason, "shown", what);
        assert.ok(!recorded.outcomes[0]!.detail, what);
        assert.ok(String(items?.[0]?.insertText).split("\n").length >= 2, `the whole block at once: ${JSON.stringify(items?.[0]?.insertText)} (${what})`);
      } finally {
        recorded.dispose();
        await setSetting("firstLineEarly", undefined);
      }
    }
  });

  it("a line still being written after partialLineAfterMs shows its whole words so far, then grows to the line from the same generation; Tab on the words is served the rest", async () => {
    const draftstop = await readyWithTestModels();
    // Target-only: a round is one token, so the line is reported a token at a time.
    await setSetting("policy", "off");
    await setSetting("partialLineAfterMs", 1);
    const recorded = record(draftstop);
    try {
      const editor = await openDocument("partial-line.ts", DOCUMENT);
      draftstop.provider.reset();
      editor.selection = new vscode.Selection(CURSOR, CURSOR);
      await vscode.commands.executeCommand("workbench.action.focusActiveEditorGroup");
      const items = await draftstop.provider.provideInlineCompletionItems(editor.document, CURSOR, automatic(), new vscode.CancellationTokenSource().token);
      const early = recorded.outcomes[0];
      assert.ok(early?.reason === "shown" && /the line so far/.test(early.detail ?? ""), JSON.stringify(recorded.outcomes));
      const words = String(items?.[0]?.insertText);
      await waitFor("the generation to end", () => recorded.generations.length > 0 || undefined);
      const line = recorded.generations[0]!.text;
      assert.ok(words.trim() && line.startsWith(words) && words.length < line.length && !line.includes("\n"),
        `whole words ${JSON.stringify(words)} of the line ${JSON.stringify(line)}`);
      // The request was not dropped, so VS Code is asked again and shown the line whole.
      const grown = await waitFor("the line grown", () => recorded.outcomes.find(o => o.reason === "grown"), 20_000)
        .catch(error => assert.fail(`${(error as Error).message}: ${JSON.stringify(recorded.outcomes)}`));
      assert.equal(grown.where, early.where);
      assert.equal(draftstop.provider.lastShown?.text, line, "the whole line is shown");
      assert.equal(recorded.generations.length, 1, "one generation served both");

      // Tab on the words alone: the rest of the line comes from that generation, not a new one.
      const again = await openDocument("partial-line-tab.ts", DOCUMENT);
      draftstop.provider.reset();
      const request = new vscode.CancellationTokenSource();
      const tabbed = await draftstop.provider.provideInlineCompletionItems(again.document, CURSOR, automatic(), request.token);
      request.cancel();
      const shown = String(tabbed?.[0]?.insertText);
      assert.ok(/the line so far/.test(recorded.outcomes.at(-1)?.detail ?? ""), JSON.stringify(recorded.outcomes));
      await again.edit(edit => edit.insert(CURSOR, shown), {undoStopBefore: false, undoStopAfter: false});
      const end = CURSOR.translate(0, shown.length);
      const rest = await draftstop.provider.provideInlineCompletionItems(again.document, end, automatic(), new vscode.CancellationTokenSource().token);
      assert.equal(recorded.outcomes.at(-1)?.reason, "prefetched", JSON.stringify(recorded.outcomes));
      assert.equal(shown + String(rest?.[0]?.insertText), line, "the words and the rest make the line");
      await waitFor("the generation to end", () => recorded.generations.length > 1 || undefined);
      assert.equal(recorded.generations.length, 2, "one generation for the second document");
    } finally {
      recorded.dispose();
      await setSetting("partialLineAfterMs", 0);
      await setSetting("policy", undefined);
    }
  });

  it("evaluates the prompt where the cursor jumped to, so the first keystroke there evaluates only its own tokens", async () => {
    const draftstop = await readyWithTestModels();
    const body = Array.from({length: 40}, (_, i) => `  const value${i} = compute(${i}, "item ${i}");`);
    const text = ["function build() {", ...body, "  return [", "  ];", "}", ""].join("\n");
    const editor = await openDocument("prefill-jump.ts", text);
    const far = new vscode.Position(41, "  return [".length);
    const prefills = draftstop.provider.counters.prefills;
    editor.selection = new vscode.Selection(far, far);
    await waitFor("the prompt at the cursor to be evaluated ahead", () => draftstop.provider.counters.prefills > prefills);
    await waitFor("the prefill to end", () => draftstop.session.generationsInFlight === 0);
    await editor.edit(edit => edit.insert(far, "v"));
    const recorded = record(draftstop);
    try {
      draftstop.provider.reset();
      await draftstop.provider.provideInlineCompletionItems(editor.document, far.translate(0, 1), automatic(), new vscode.CancellationTokenSource().token);
      const first = recorded.generations[0];
      assert.ok(first, "the keystroke's request generated");
      assert.ok(first.prefill.targetReused > 0.8 * first.promptTokens,
        `the prompt was in the cache: ${first.prefill.targetReused} of ${first.promptTokens} tokens reused, ${first.prefill.targetEvaluated} evaluated`);
    } finally {
      recorded.dispose();
    }
  });
});
