// Bad models: a clear report naming the file, and the previous models keep completing.
import assert from "node:assert/strict";
import * as vscode from "vscode";
import {completeAtSample, readyWithTestModels, setSetting, testModels, waitFor} from "./helpers";

describe("bad models", function () {
  this.timeout(120_000);

  async function completes(): Promise<boolean> {
    const draftstop = await readyWithTestModels();
    const items = await completeAtSample(draftstop, "after.ts");
    return !!items && items.length === 1;
  }

  it("a target that is not a GGUF file is reported and the previous models stay in use", async () => {
    const draftstop = await readyWithTestModels();
    const folder = vscode.workspace.workspaceFolders![0]!.uri;
    const bad = vscode.Uri.joinPath(folder, "not-a-model.gguf");
    await vscode.workspace.fs.writeFile(bad, new TextEncoder().encode("this is not a model"));
    const errors: string[] = [];
    const listener = (line: string) => errors.push(line);
    draftstop.session.on("log", listener);
    await setSetting("targetModel", bad.fsPath);
    draftstop.session.off("log", listener);
    assert.equal(draftstop.session.snapshot.info?.target.path, testModels().target, "the previous target is still loaded");
    assert.ok(draftstop.session.ready);
    assert.ok(await completes(), "and still completes");
    await setSetting("targetModel", testModels().target);
  });

  it("a draft that cannot be used falls back to the target with lookup drafts (drafter auto), shown in the status bar", async () => {
    const draftstop = await readyWithTestModels();
    const folder = vscode.workspace.workspaceFolders![0]!.uri;
    const empty = vscode.Uri.joinPath(folder, "empty.gguf");
    await vscode.workspace.fs.writeFile(empty, new Uint8Array());
    await setSetting("draftModel", empty.fsPath);
    try {
      await waitFor("target-only decoding", () => draftstop.session.snapshot.info && !draftstop.session.snapshot.info.draft ? true : undefined);
      assert.match(draftstop.session.snapshot.draftProblem ?? "", /empty/);
      await waitFor("the status bar to say so", () => /Draft model not used/.test(draftstop.statusBar.tooltip) ? true : undefined, 5000);
      assert.equal(draftstop.statusBar.text, "$(zap) Draftstop: ready · lookup", "lookup drafts without the draft model");
      assert.match(draftstop.statusBar.tooltip, /Draft model: none/);
      assert.match(draftstop.statusBar.tooltip, /Drafts: lookup/);
    } finally {
      await setSetting("draftModel", testModels().draft);
    }
    await waitFor("the draft back", () => draftstop.session.snapshot.info?.draft ? true : undefined);
  });

  it("with no target model set, the models are unloaded and the status bar says so", async () => {
    const draftstop = await readyWithTestModels();
    await setSetting("targetModel", "");
    try {
      await waitFor("no models", () => draftstop.session.snapshot.state.kind === "noModels" ? true : undefined);
      assert.match(draftstop.statusBar.text, /no models/);
      assert.equal((await draftstop.session.resources()).loadedModels, 0, "both models freed");
    } finally {
      await setSetting("targetModel", testModels().target);
    }
    await waitFor("models again", () => draftstop.session.ready ? true : undefined);
  });
});
