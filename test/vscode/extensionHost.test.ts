// Runs the extension-host suite (test/vscode/suite) in a real VS Code: desktop where it can be
// downloaded, else code-server + headless Chromium (a first run installs code-server: ~2 minutes).
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {repoRoot} from "../../src/cli/repoRoot";
import {tinyPairPaths} from "../../src/cli/tinyPair";
import {runExtensionTests} from "./runExtensionTests";

describe("extension host", function () {
  this.timeout(15 * 60_000);
  let workspace: string;

  before(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), "draftstop-workspace-"));
    await fs.writeFile(path.join(workspace, "sample.ts"), "export function add(a: number, b: number): number {\n  return a + b;\n}\n");
  });
  after(() => fs.rm(workspace, {recursive: true, force: true}));

  it("passes test/vscode/suite in a real VS Code", async () => {
    const root = repoRoot();
    // The suite runs on the tiny trained pair that ships with the repository (or on the models
    // DRAFTSTOP_TEST_TARGET / DRAFTSTOP_TEST_DRAFT name).
    const models = process.env.DRAFTSTOP_TEST_TARGET && process.env.DRAFTSTOP_TEST_DRAFT
      ? {target: process.env.DRAFTSTOP_TEST_TARGET, draft: process.env.DRAFTSTOP_TEST_DRAFT}
      : tinyPairPaths();
    const code = await runExtensionTests({
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, "out", "test", "vscode", "suite", "index.js"),
      workspace,
      settings: {"draftstop.targetModel": models.target, "draftstop.draftModel": models.draft, "draftstop.threads": 1},
      env: {DRAFTSTOP_TEST_TARGET: models.target, DRAFTSTOP_TEST_DRAFT: models.draft}
    });
    assert.equal(code, 0);
  });
});
