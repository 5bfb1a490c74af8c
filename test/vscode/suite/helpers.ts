// Shared by the extension-host suites: the extension's API, settings changes, waiting.
import assert from "node:assert/strict";
import * as vscode from "vscode";
import type {DraftstopApi} from "../../../src/extension";
import type {GenerationSummary} from "../../../src/protocol";

export const EXTENSION_ID = "draftstop.draftstop";

export async function api(): Promise<DraftstopApi> {
  const extension = vscode.extensions.getExtension<DraftstopApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not loaded`);
  return extension.activate();
}

/** Models the suite runs on, passed by test/vscode/extensionHost.test.ts. */
export function testModels(): {target: string; draft: string} {
  const target = process.env.DRAFTSTOP_TEST_TARGET;
  const draft = process.env.DRAFTSTOP_TEST_DRAFT;
  assert.ok(target && draft, "DRAFTSTOP_TEST_TARGET and DRAFTSTOP_TEST_DRAFT must name the test models");
  return {target, draft};
}

/**
 * A document and a cursor where the test models complete. The tiny trained target ends most
 * middles at once (an empty completion); here, in the SPM layout the extension picks for it, it
 * writes a line of text. (Markov-chain test models complete everywhere.)
 */
export const COMPLETING_SAMPLE = [
  "function check(value) {",
  "  if (",
  "    throw new TypeError('bad value');",
  "  }",
  "  return value;",
  "}",
  ""
].join("\n");
export const COMPLETING_CURSOR = new vscode.Position(1, 6);

/** A real generation (the cache emptied first) at COMPLETING_CURSOR in a new document `name`. */
export async function completeAtSample(draftstop: DraftstopApi, name: string): Promise<vscode.InlineCompletionItem[] | undefined> {
  const editor = await openDocument(name, COMPLETING_SAMPLE);
  draftstop.provider.reset();
  return draftstop.provider.provideInlineCompletionItems(editor.document, COMPLETING_CURSOR, invoke(), new vscode.CancellationTokenSource().token);
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration("draftstop").update(key, value, vscode.ConfigurationTarget.Global);
  await (await api()).idle();
}

/** Polls `probe` until it gives a value; `timeoutMs` only fails a wait for something that never comes. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs; // only fails a hang
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`); // the hang guard
    await new Promise(resolve => setTimeout(resolve, 100)); // the polling interval
  }
}

/**
 * Answers a quick pick that `picking` (a command) opens with `action` (e.g.
 * "workbench.action.closeQuickOpen"), and returns what the command returned. The extension API
 * cannot see when the quick pick is up, and the action does nothing before it is: it is repeated
 * until the command returns.
 */
export async function answerQuickPick<T>(picking: Thenable<T>, action: string, what: string): Promise<T> {
  let settled = false;
  const result = Promise.resolve(picking).finally(() => (settled = true));
  await waitFor(what, async () => {
    if (!settled) await vscode.commands.executeCommand(action);
    return settled;
  });
  return result;
}

/** Loads the test models (if not loaded) and waits until the engine is ready. */
export async function readyWithTestModels(): Promise<DraftstopApi> {
  const draftstop = await api();
  const {target, draft} = testModels();
  const config = vscode.workspace.getConfiguration("draftstop");
  if (config.get("targetModel") !== target) await setSetting("targetModel", target);
  if (config.get("draftModel") !== draft) await setSetting("draftModel", draft);
  await draftstop.idle();
  await waitFor("the models to load", () => draftstop.session.ready && draftstop.session.snapshot.info?.target.path === target);
  // A prefetch an earlier test left running would report its generation to this one's listeners.
  draftstop.provider.reset();
  await waitFor("no generation in flight", () => draftstop.session.generationsInFlight === 0);
  return draftstop;
}

export async function openDocument(name: string, content: string, language = "typescript"): Promise<vscode.TextEditor> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, "the suite needs a workspace folder");
  const uri = vscode.Uri.joinPath(folder.uri, name);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content));
  const document = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(document);
  if (document.languageId !== language) await vscode.languages.setTextDocumentLanguage(document, language);
  return editor;
}

export function invoke(): vscode.InlineCompletionContext {
  return {triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined};
}

/** One real generation (the cache emptied first) asked for at `position`, and its summary. */
export async function generationAt(draftstop: DraftstopApi, editor: vscode.TextEditor, position: vscode.Position): Promise<GenerationSummary> {
  draftstop.provider.reset();
  const summaries: GenerationSummary[] = [];
  const listener = (summary: GenerationSummary) => summaries.push(summary);
  draftstop.session.on("generation", listener);
  try {
    await draftstop.provider.provideInlineCompletionItems(editor.document, position, invoke(), new vscode.CancellationTokenSource().token);
  } finally {
    draftstop.session.off("generation", listener);
  }
  assert.equal(summaries.length, 1, "one generation");
  return summaries[0]!;
}
