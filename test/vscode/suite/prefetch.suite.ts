// Issue 29 in a real VS Code: the generation stops where the completion ends (nothing generated at
// a one-line position is thrown away), and the completion that follows a shown one is generated
// ahead, so that accepting it (Tab, VS Code's own command) shows the next one from that prefetch;
// typing something else instead drops the prefetch.
import assert from "node:assert/strict";
import * as vscode from "vscode";
import type {RequestOutcome} from "../../../src/extension/completion/requestOutcome";
import type {DraftstopApi} from "../../../src/extension";
import type {GenerationSummary} from "../../../src/protocol";
import {openDocument, readyWithTestModels, waitFor} from "./helpers";

/**
 * Where the tiny test target completes in one line (`* () {`), and then, once that is accepted, a
 * block after the `{` it wrote: a prefetch long enough to be caught in flight.
 */
const DOCUMENT = "function check(value) {\n  if (value === undefined) \n  return value;\n}\n";
const CURSOR = new vscode.Position(1, "  if (value === undefined) ".length);

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

async function showAt(draftstop: DraftstopApi, name: string): Promise<{editor: vscode.TextEditor; shown: string}> {
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
    try {
      // As the completion is shown: a long generation takes the engine first, so the prefetch
      // that starts now is still waiting for it when the keystroke lands.
      const typed = new Promise<void>(resolve => {
        const once = draftstop.provider.onDidShow(() => {
          once.dispose();
          busy = draftstop.session.complete({prefix: "function longer() {\n  const parts = [", suffix: ""}, {maxTokens: 400, stopOnEog: false});
          void editor.edit(edit => edit.insert(CURSOR, "x"), {undoStopBefore: false, undoStopAfter: false}).then(() => resolve());
        });
      });
      await draftstop.provider.provideInlineCompletionItems(editor.document, CURSOR, automatic(), new vscode.CancellationTokenSource().token);
      await typed;
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
