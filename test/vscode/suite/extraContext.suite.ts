// Extra context in a real VS Code: a chunk of a file the user opened reaches the engine's prompt
// (the engine reports the paths it put in), the next keystroke finds it in the KV cache, and files
// outside the workspace, hidden by files.exclude or .gitignore, or of a disabled language never do,
// and a file hidden after its chunk was taken loses it.
import assert from "node:assert/strict";
import {mkdtempSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import * as vscode from "vscode";
import type {DraftstopApi} from "../../../src/extension";
import {generationAt, openDocument, readyWithTestModels, setSetting, waitFor} from "./helpers";

const SHAPES = [
  "export interface Rectangle { width: number; height: number }",
  "export function rectangleArea(rectangle: Rectangle): number {",
  "  return rectangle.width * rectangle.height;",
  "}",
  ""
].join("\n");
const MAIN = ["import {rectangleArea} from \"./lib/shapes\";", "const area = ", ""].join("\n");
const CURSOR = new vscode.Position(1, "const area = ".length);

const inRing = (draftstop: DraftstopApi, path: string) => draftstop.extraContext.ring.all.some(c => c.path === path) ? true : undefined;

describe("extra context", function () {
  this.timeout(120_000);
  let draftstop: DraftstopApi;

  before(async () => {
    draftstop = await readyWithTestModels();
    await setSetting("extraContext.enable", true);
    await waitFor("extra context on", () => draftstop.settings.values["extraContext.enable"] ? true : undefined);
    draftstop.extraContext.ring.clear();
  });
  after(() => setSetting("extraContext.enable", undefined));

  it("puts a chunk of a file the user opened into the prompt, and the next keystroke reuses it from the KV cache", async () => {
    await openDocument("lib/shapes.ts", SHAPES);
    await waitFor("the opened file's chunk", () => inRing(draftstop, "lib/shapes.ts"));
    const editor = await openDocument("context-main.ts", MAIN);
    const first = await generationAt(draftstop, editor, CURSOR);
    assert.ok(first.extraContext, "the prompt had extra context");
    assert.ok(first.extraContext.paths.includes("lib/shapes.ts"), `paths in the prompt: ${first.extraContext.paths.join(", ")}`);
    assert.ok(first.extraContext.tokens > 20);
    assert.ok(!first.extraContext.paths.includes("context-main.ts"), "the file being completed is not its own extra context");
    const outcome = draftstop.provider.outcomes.last!;
    assert.equal(outcome.extraContext?.tokens, first.extraContext.tokens, "the request's outcome records it");

    await editor.edit(edit => edit.insert(CURSOR, "r"));
    const next = await generationAt(draftstop, editor, CURSOR.translate(0, 1));
    assert.deepEqual(next.extraContext?.paths, first.extraContext.paths, "the same chunks while typing");
    assert.equal(next.extraContext?.evaluated, 0, "all its tokens came from the KV cache");
    assert.ok(draftstop.provider.outcomes.extraContext.reused >= 1);
  });

  it("never takes a file outside the workspace, hidden by files.exclude or .gitignore, or of a disabled language", async () => {
    const folder = vscode.workspace.workspaceFolders![0]!;
    const outside = mkdtempSync(join(tmpdir(), "draftstop-outside-"));
    const outsideFile = join(outside, "outside.ts");
    writeFileSync(outsideFile, "export const outsideSecret = 42;\n");
    // The filter keeps .gitignore files it read; it learns of the new one from its file watcher.
    let learnedFrom: vscode.Disposable | undefined;
    const learned = new Promise(resolve => { learnedFrom = draftstop.extraContext.filter.onDidChangeRules(resolve); });
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder.uri, ".gitignore"), new TextEncoder().encode("ignored-dir/\n"));
    await learned;
    learnedFrom!.dispose();
    await vscode.workspace.getConfiguration("files", folder.uri).update("exclude", {"**/*.hidden.ts": true}, vscode.ConfigurationTarget.Workspace);
    await setSetting("disabledLanguages", ["markdown"]);
    try {
      draftstop.extraContext.ring.clear();
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(outsideFile));
      await openDocument("ignored-dir/keys.ts", "export const gitignoredSecret = 1;\n");
      await openDocument("notes.hidden.ts", "export const excludedSecret = 2;\n");
      await openDocument("notes.md", "markdownSecret\n", "markdown");
      await openDocument("lib/allowed.ts", "export const allowedValue = 3;\n");
      await waitFor("the allowed file's chunk", () => inRing(draftstop, "lib/allowed.ts"));
      // Room for a refused file that came in late: a slow machine may make this miss one (the prompt
      // check below looks again), never fail.
      await new Promise(resolve => setTimeout(resolve, 500));
      const paths = draftstop.extraContext.ring.all.map(c => c.path);
      const uris = draftstop.extraContext.ring.all.map(c => c.uri);
      assert.ok(!uris.some(uri => uri.includes("outside.ts")), `a file outside the workspace: ${uris.join(", ")}`);
      for (const refused of ["ignored-dir/keys.ts", "notes.hidden.ts"]) assert.ok(!paths.includes(refused), `${refused} in ${paths.join(", ")}`);

      const editor = await openDocument("context-main-2.ts", MAIN);
      const summary = await generationAt(draftstop, editor, CURSOR);
      const inPrompt = summary.extraContext?.paths ?? [];
      assert.ok(inPrompt.includes("lib/allowed.ts"), `the allowed file is in the prompt: ${inPrompt.join(", ")}`);
      for (const refused of ["outside.ts", "ignored-dir/keys.ts", "notes.hidden.ts", "notes.md"]) {
        assert.ok(!inPrompt.some(p => p.endsWith(refused)), `${refused} in the prompt`);
      }
    } finally {
      await setSetting("disabledLanguages", undefined);
      await vscode.workspace.getConfiguration("files", folder.uri).update("exclude", undefined, vscode.ConfigurationTarget.Workspace);
      await vscode.workspace.fs.delete(vscode.Uri.joinPath(folder.uri, ".gitignore"));
      rmSync(outside, {recursive: true, force: true});
    }
  });

  it("drops the chunks of a file once files.exclude or a new .gitignore hides it", async () => {
    const folder = vscode.workspace.workspaceFolders![0]!;
    draftstop.extraContext.ring.clear();
    await openDocument("lib/later-hidden.ts", "export const laterHidden = 1;\n");
    await openDocument("lib/later-ignored.ts", "export const laterIgnored = 2;\n");
    await openDocument("lib/stays.ts", "export const stays = 3;\n");
    await waitFor("the three chunks", () => ["lib/later-hidden.ts", "lib/later-ignored.ts", "lib/stays.ts"].every(p => inRing(draftstop, p)) || undefined);
    const gitignore = vscode.Uri.joinPath(folder.uri, "lib", ".gitignore");
    try {
      await vscode.workspace.getConfiguration("files", folder.uri).update("exclude", {"**/later-hidden.ts": true}, vscode.ConfigurationTarget.Workspace);
      await waitFor("the excluded file's chunk gone", () => inRing(draftstop, "lib/later-hidden.ts") ? undefined : true);
      await vscode.workspace.fs.writeFile(gitignore, new TextEncoder().encode("later-ignored.ts\n"));
      await waitFor("the ignored file's chunk gone", () => inRing(draftstop, "lib/later-ignored.ts") ? undefined : true, 20_000);
      assert.ok(inRing(draftstop, "lib/stays.ts"), "a file still allowed keeps its chunk");
    } finally {
      await vscode.workspace.getConfiguration("files", folder.uri).update("exclude", undefined, vscode.ConfigurationTarget.Workspace);
      await vscode.workspace.fs.delete(gitignore);
    }
  });

  // Copies are followed only in the desktop app (collector.ts says why); this suite runs in either.
  const desktop = vscode.env.uiKind === vscode.UIKind.Desktop;
  it(desktop ? "takes a chunk around text the user copied"
    : "in a browser, never reads the clipboard: a copy gives no chunk, and the completion does not wait on it", async () => {
    draftstop.extraContext.ring.clear();
    assert.equal(draftstop.extraContext.followsCopies, desktop);
    const long = Array.from({length: 120}, (_, i) => `export const copiedValue${i} = ${i};`).join("\n");
    const source = await openDocument("lib/long.ts", long);
    await waitFor("the opened file's chunk", () => inRing(draftstop, "lib/long.ts"));
    assert.ok(draftstop.extraContext.ring.all.every(c => c.path !== "lib/long.ts" || c.startLine < 40), "opened at its top: a chunk of the first lines");
    source.selection = new vscode.Selection(100, 0, 102, 0);
    // What a copy does; headless Chromium refuses editor.action.clipboardCopyAction the clipboard.
    await vscode.env.clipboard.writeText(source.document.getText(source.selection));
    assert.match(await vscode.env.clipboard.readText(), /copiedValue101/);
    // Code that uses what was copied: the copied chunk is the most alike of the file's two.
    const editor = await openDocument("context-main-copy.ts", "const total = copiedValue100 + copiedValue101 + ");
    const summary = await generationAt(draftstop, editor, new vscode.Position(0, "const total = copiedValue100 + copiedValue101 + ".length));
    const copied = draftstop.extraContext.ring.all.find(c => c.path === "lib/long.ts" && c.text.includes("copiedValue101"));
    if (desktop) {
      assert.ok(copied, "a chunk around the copied lines");
    } else {
      assert.equal(copied, undefined, "the clipboard was not read");
    }
    assert.ok(summary.extraContext?.paths.includes("lib/long.ts"), `in the prompt: ${summary.extraContext?.paths.join(", ")}`);
  });

  it("puts nothing in when turned off", async () => {
    await openDocument("lib/shapes-2.ts", SHAPES);
    await waitFor("the opened file's chunk", () => inRing(draftstop, "lib/shapes-2.ts"));
    await setSetting("extraContext.enable", false);
    try {
      await waitFor("the setting", () => draftstop.settings.values["extraContext.enable"] === false ? true : undefined);
      assert.equal(draftstop.extraContext.ring.size, 0, "turned off, the ring forgets what it held");
      const editor = await openDocument("context-main-3.ts", MAIN);
      const summary = await generationAt(draftstop, editor, CURSOR);
      assert.equal(summary.extraContext, undefined);
    } finally {
      await setSetting("extraContext.enable", true);
    }
  });
});
