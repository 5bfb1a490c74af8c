// Runs the extension-host suite (test/vscode/suite) in a real VS Code: desktop where it can be
// downloaded, else code-server + headless Chromium (a first run installs code-server: ~2 minutes).
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {repoRoot} from "../../src/cli/repoRoot";
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
    const code = await runExtensionTests({
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, "out", "test", "vscode", "suite", "index.js"),
      workspace
    });
    assert.equal(code, 0);
  });
});
