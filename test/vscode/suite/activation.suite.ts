import assert from "node:assert/strict";
import * as vscode from "vscode";
import {api, EXTENSION_ID, readyWithTestModels} from "./helpers";

describe("activation", () => {
  it("activates and returns its API", async () => {
    const draftstop = await api();
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)!.isActive, true);
    assert.ok(draftstop.session && draftstop.provider && draftstop.statusBar);
  });

  it("registers every command that package.json contributes, in category Draftstop", async () => {
    const contributed: Array<{command: string; category: string}> = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.commands;
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.filter(c => !registered.has(c.command)).map(c => c.command), []);
    assert.ok(contributed.every(c => c.category === "Draftstop"));
    assert.ok(contributed.length >= 12);
  });

  it("runs the models in a separate process and shows them in the status bar", async () => {
    const draftstop = await readyWithTestModels();
    assert.ok(draftstop.session.processId && draftstop.session.processId !== process.pid, "the model process is not the extension host");
    assert.match(draftstop.statusBar.text, /\$\(zap\)/);
    const info = draftstop.session.snapshot.info!;
    assert.equal(info.device, "cpu");
    assert.ok(info.draft, "a draft model is loaded");
  });
});
