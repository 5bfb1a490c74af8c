// A workspace cannot point Draftstop at a model file: model paths and the download folder are
// machine-scoped settings, read from the user's (or remote machine's) settings only.
import assert from "node:assert/strict";
import * as vscode from "vscode";
import {EXTENSION_ID, readyWithTestModels, testModels} from "./helpers";

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
    // …and a settings.json planted in the workspace by hand is not read for them.
    const settingsFile = vscode.Uri.joinPath(folder.uri, ".vscode", "settings.json");
    await vscode.workspace.fs.writeFile(settingsFile, new TextEncoder().encode(JSON.stringify({"draftstop.targetModel": hostile, "draftstop.modelDirectory": "/tmp/planted"})));
    try {
      await new Promise(resolve => setTimeout(resolve, 1500));
      await draftstop.idle();
      assert.equal(draftstop.settings.values.targetModel, testModels().target);
      assert.equal(draftstop.settings.values.modelDirectory, "");
      assert.equal(draftstop.session.snapshot.info?.target.path, testModels().target);
    } finally {
      await vscode.workspace.fs.delete(settingsFile);
    }
  });
});
