// The reliability checks that need a real editor: test/vscode/suite/*.reliability.ts in the
// extension host (code-server here, VS Code desktop elsewhere).
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {repoRoot} from "../../src/cli/repoRoot";
import {tinyPairPaths} from "../../src/cli/tinyPair";
import {FIGURE_PREFIX} from "../vscode/suite/figures";
import {runExtensionTests} from "../vscode/runExtensionTests";
import {recordFigure} from "./figures";

describe("reliability in the extension host", function () {
  this.timeout(20 * 60_000);
  let workspace: string;

  before(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), "draftstop-reliability-"));
  });
  after(() => fs.rm(workspace, {recursive: true, force: true}));

  it("passes the storm, crash, bad model, bad setting, trust and disposal checks", async () => {
    const root = repoRoot();
    const models = process.env.DRAFTSTOP_TEST_TARGET && process.env.DRAFTSTOP_TEST_DRAFT
      ? {target: process.env.DRAFTSTOP_TEST_TARGET, draft: process.env.DRAFTSTOP_TEST_DRAFT}
      : tinyPairPaths();
    const code = await runExtensionTests({
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, "out", "test", "vscode", "suite", "index.js"),
      workspace,
      settings: {"draftstop.targetModel": models.target, "draftstop.draftModel": models.draft, "draftstop.threads": 1},
      env: {
        DRAFTSTOP_TEST_TARGET: models.target, DRAFTSTOP_TEST_DRAFT: models.draft, DRAFTSTOP_SUITE_FILES: ".reliability.js",
        DRAFTSTOP_UNCHECKED_MODEL: path.join(workspace, "hostile.gguf")
      },
      log: line => {
        const at = line.indexOf(FIGURE_PREFIX);
        if (at >= 0) {
          const {name, value} = JSON.parse(line.slice(at + FIGURE_PREFIX.length)) as {name: string; value: string};
          recordFigure(name, value);
        } else process.stdout.write(line + "\n");
      }
    });
    assert.equal(code, 0);
  });
});
