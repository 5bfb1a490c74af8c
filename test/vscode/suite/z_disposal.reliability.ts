// Deactivation (disabling or uninstalling the extension, reloading the window) frees both models
// and their contexts, and no generation keeps running. Runs last: the extension is gone after it.
import assert from "node:assert/strict";
import {join} from "node:path";
import * as vscode from "vscode";
import {reportFigure} from "./figures";
import {api, EXTENSION_ID, readyWithTestModels, waitFor} from "./helpers";

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
    const shared = draftstop.session.sharedProcess;
    const generation = draftstop.session.complete({prefix: "function f() {\n  ", suffix: "\n}"}, {maxTokens: 1000, temperature: 1, seed: 1, stopOnEog: false});
    let settled = false;
    const outcome = generation.then(() => "finished", (error: {code?: string}) => `stopped (${error?.code})`).finally(() => (settled = true));
    // The model process takes requests in the order they come and answers this one while it
    // generates: once the answer is back, the generation has reached it.
    await draftstop.session.resources();
    // Only a machine fast enough to make 1 000 tokens in one round trip fails this; a slow one never does.
    assert.equal(settled, false, "the generation still runs when the extension is deactivated");
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    // The same module instance VS Code activated (require cache), so this is the real deactivate().
    const module = require(join(extension.extensionPath, "out", "dist", "extension.js")) as {deactivate(): Promise<void>};
    const started = Date.now(); // a figure for the report
    await module.deactivate();
    // deactivate() resolves once this window has left the model process (a process of its own has
    // exited by then); the generation had to settle by then.
    assert.equal(await outcome, "stopped (engine.disposed)", "the generation ends with the extension");
    // A shared process leaves once no window uses it, after draftstop.sharedProcess.idleMinutes (0 in these runs).
    if (shared) await waitFor("the shared model process to leave after its last window", () => {
      try {
        process.kill(pid, 0);
        return undefined;
      } catch {
        return true;
      }
    }, 15_000);
    assert.throws(() => process.kill(pid, 0), /ESRCH/, "the model process is gone");
    reportFigure("disposal: deactivate → model process gone (ms)", Date.now() - started); // a figure, never a verdict
  });
});
