// Deactivation (disabling or uninstalling the extension, reloading the window) frees both models
// and their contexts, and no generation keeps running. Runs last: the extension is gone after it.
import assert from "node:assert/strict";
import {join} from "node:path";
import * as vscode from "vscode";
import {reportFigure} from "./figures";
import {api, EXTENSION_ID, readyWithTestModels} from "./helpers";

describe("disposal", function () {
  this.timeout(60_000);

  it("unloading frees both models by the engine's own accounting", async () => {
    const draftstop = await readyWithTestModels();
    const loaded = await draftstop.session.resources();
    assert.equal(loaded.loadedModels, 2, JSON.stringify(loaded));
    await draftstop.session.unloadIfLoaded();
    const after = await draftstop.session.resources();
    assert.equal(after.loadedModels, 0, "no model left loaded");
    assert.equal(after.engine, false);
    reportFigure("disposal: models loaded before / after unload", `${loaded.loadedModels} / ${after.loadedModels}`);
  });

  it("deactivate stops a running generation and ends the model process", async () => {
    const draftstop = await api();
    await draftstop.models.loadFromSettings();
    assert.ok(draftstop.session.ready, "loaded again after the unload");
    const pid = draftstop.session.processId!;
    const generation = draftstop.session.complete({prefix: "function f() {\n  ", suffix: "\n}"}, {maxTokens: 1000, temperature: 1, seed: 1, stopOnEog: false});
    await new Promise(resolve => setTimeout(resolve, 200));
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    // The same module instance VS Code activated (require cache), so this is the real deactivate().
    const module = require(join(extension.extensionPath, "out", "dist", "extension.js")) as {deactivate(): Promise<void>};
    const started = Date.now();
    await module.deactivate();
    const outcome = await Promise.race([generation.then(() => "finished", () => "stopped"), new Promise(resolve => setTimeout(() => resolve("still running"), 5000))]);
    assert.equal(outcome, "stopped", `the generation ends with the extension (it ${outcome})`);
    assert.throws(() => process.kill(pid, 0), /ESRCH/, "the model process is gone");
    reportFigure("disposal: deactivate → model process gone (ms)", Date.now() - started);
  });
});
