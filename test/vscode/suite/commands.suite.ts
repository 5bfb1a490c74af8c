// The command palette entries, run as commands.
import assert from "node:assert/strict";
import * as vscode from "vscode";
import {answerQuickPick, readyWithTestModels, setSetting, waitFor} from "./helpers";

describe("commands", function () {
  this.timeout(120_000);

  it("Disable and Enable Completions switch the provider and the status bar", async () => {
    const draftstop = await readyWithTestModels();
    await vscode.commands.executeCommand("draftstop.disable");
    await waitFor("disabled", () => draftstop.statusBar.text.includes("circle-slash") ? true : undefined);
    assert.equal(vscode.workspace.getConfiguration("draftstop").get("enable"), false);
    await vscode.commands.executeCommand("draftstop.enable");
    await waitFor(`enabled (status bar: ${draftstop.statusBar.text}, enable = ${vscode.workspace.getConfiguration("draftstop").get("enable")})`,
      () => draftstop.statusBar.text.includes("$(zap)") ? true : undefined, 5000).catch(error => {
      throw new Error(`${error.message}; now: ${draftstop.statusBar.text}, ${JSON.stringify(draftstop.session.snapshot.state)}, disabled ${draftstop.session.snapshot.disabled}, setting ${draftstop.settings.values.enable}`);
    });
  });

  it("Choose Draft Policy and Set Policy Parameters change the settings and the engine", async () => {
    const draftstop = await readyWithTestModels();
    await vscode.commands.executeCommand("draftstop.choosePolicy", "heuristic");
    await waitFor("heuristic", () => draftstop.session.snapshot.policy?.name === "heuristic" ? true : undefined);
    await vscode.commands.executeCommand("draftstop.choosePolicy", "adaedl");
    await vscode.commands.executeCommand("draftstop.setPolicyParameters", "adaedl.lambda0", 0.35);
    await draftstop.idle();
    await waitFor("λ0 = 0.35", () => draftstop.session.snapshot.policy?.state.lambda === 0.35 ? true : undefined);
    await setSetting("adaedl.lambda0", undefined);
  });

  it("Show Stats opens the statistics panel and Reset Stats empties the numbers", async () => {
    const draftstop = await readyWithTestModels();
    await vscode.commands.executeCommand("draftstop.showStats");
    await waitFor("the panel tab", () => vscode.window.tabGroups.all.flatMap(g => g.tabs).some(t => t.label === "Draftstop Statistics") ? true : undefined);
    await vscode.commands.executeCommand("draftstop.resetStats");
    await waitFor("zeroed statistics", () => draftstop.session.snapshot.stats?.tokens === 0 ? true : undefined);
    assert.equal(draftstop.history.size, 0);
  });

  it("Show Log runs; the model pickers and the download presets wait for the user, and dismissing them changes nothing", async () => {
    await vscode.commands.executeCommand("draftstop.showLog");
    const before = JSON.stringify(vscode.workspace.getConfiguration("draftstop"));
    for (const command of ["draftstop.selectTargetModel", "draftstop.selectDraftModel", "draftstop.downloadRecommendedModels"]) {
      const picking = vscode.commands.executeCommand(command);
      const value = await answerQuickPick(picking, "workbench.action.closeQuickOpen", `${command} to return once its quick pick is dismissed`);
      assert.equal(value, undefined, command);
    }
    assert.equal(JSON.stringify(vscode.workspace.getConfiguration("draftstop")), before);
  });
});

describe("Benchmark This Workspace", function () {
  this.timeout(300_000);

  it("benchmarks every policy on the workspace's files with the loaded models, saves and shows the results", async () => {
    const draftstop = await readyWithTestModels();
    const folder = vscode.workspace.workspaceFolders![0]!.uri;
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, "bench-source.ts"), new TextEncoder().encode(
      Array.from({length: 30}, (_, i) => `export function value${i}(x: number): number {\n  return x * ${i} + ${i * 2};\n}\n`).join("\n")));
    const statsBefore = draftstop.session.snapshot.stats?.tokens;
    const result = await vscode.commands.executeCommand<{runs: Array<{policy: string; temperature: number; speedup: number; tokensPerSecond: number}>}>(
      "draftstop.benchmarkWorkspace", {count: 2, repeats: 1, temperatures: [0], maxTokens: 8});
    assert.ok(result, "a result");
    const policies = new Set(result.runs.map(r => r.policy));
    for (const name of ["off", "static", "maxConfidence", "heuristic", "adaedl", "costAware"]) assert.ok(policies.has(name), name);
    for (const name of ["nlcDraftPredictor", "matchOracle", "optimum"]) assert.ok(!policies.has(name), `${name} is a lab column: the editor does not run it`);
    assert.equal(result.runs.find(r => r.policy === "off")!.speedup, 1);
    assert.ok(result.runs.every(r => r.tokensPerSecond > 0), "every policy generated");
    assert.deepEqual(draftstop.benchmarks.current, result, "saved as the latest benchmark");
    assert.equal(draftstop.session.snapshot.stats?.tokens, statsBefore, "the session's statistics are left alone");
    await waitFor("the statistics panel", () => vscode.window.tabGroups.all.flatMap(g => g.tabs).some(t => t.label === "Draftstop Statistics") ? true : undefined);
  });
});
