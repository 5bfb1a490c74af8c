// A workspace cannot point Draftstop at a model file: model paths and the download folder are
// machine-scoped settings, read from the user's (or remote machine's) settings only.
import assert from "node:assert/strict";
import * as vscode from "vscode";
import {EXTENSION_ID, readyWithTestModels, testModels, waitFor} from "./helpers";

describe("workspace settings and trust", function () {
  this.timeout(60_000);

  it("declares how it behaves in untrusted workspaces", () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, "limited");
    assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations,
      ["draftstop.targetModel", "draftstop.draftModel", "draftstop.modelDirectory", "draftstop.extraContext.enable", "draftstop.extraContext.maxTokens"]);
  });

  it("ignores model settings from the workspace", async () => {
    const draftstop = await readyWithTestModels();
    const folder = vscode.workspace.workspaceFolders![0]!;
    const hostile = vscode.Uri.joinPath(folder.uri, "planted.gguf").fsPath;
    const configuration = vscode.workspace.getConfiguration("draftstop", folder.uri);
    for (const key of ["targetModel", "draftModel", "modelDirectory"]) {
      // VS Code refuses to write machine-scoped settings into a workspace at all…
      await assert.rejects(Promise.resolve(configuration.update(key, hostile, vscode.ConfigurationTarget.Workspace)), /machine|scope|cannot|not registered|Unable/i);
    }
    // …and a settings.json planted in the workspace by hand is not read for them. It also sets a
    // harmless workspace-scoped setting: once the extension sees that one, it has read the file,
    // and the model settings beside it were read in the same pass and left alone.
    const canary = ["draftstop-trust-canary"];
    const settingsFile = vscode.Uri.joinPath(folder.uri, ".vscode", "settings.json");
    await vscode.workspace.fs.writeFile(settingsFile, new TextEncoder().encode(JSON.stringify({
      "draftstop.targetModel": hostile, "draftstop.modelDirectory": "/tmp/planted", "draftstop.disabledLanguages": canary})));
    try {
      // A timeout that only fails if VS Code never reads the file.
      await waitFor("the extension to read the planted settings.json",
        () => JSON.stringify(draftstop.settings.values.disabledLanguages) === JSON.stringify(canary));
      await draftstop.idle();
      assert.equal(draftstop.settings.values.targetModel, testModels().target);
      assert.equal(draftstop.settings.values.modelDirectory, "");
      assert.equal(draftstop.session.snapshot.info?.target.path, testModels().target);
    } finally {
      await vscode.workspace.fs.delete(settingsFile);
      await waitFor("the planted settings gone", () => JSON.stringify(draftstop.settings.values.disabledLanguages) !== JSON.stringify(canary));
    }
  });
});
