// The reliability checks that need a real editor: test/vscode/suite/*.reliability.ts in the
// extension host (code-server here, VS Code desktop elsewhere).
import assert from "node:assert/strict";
import path from "node:path";
import {FIGURE_PREFIX} from "../vscode/suite/figures";
import {runDraftstopSuite} from "../vscode/runDraftstopSuite";
import {recordFigure} from "./figures";

describe("reliability in the extension host", function () {
  this.timeout(20 * 60_000);

  it("passes the storm, crash, bad model, bad setting, trust and disposal checks", async () => {
    const code = await runDraftstopSuite({
      files: ".reliability.js",
      // The crash test's hostile file goes to llama.cpp unchecked (only this one path).
      env: workspace => ({DRAFTSTOP_UNCHECKED_MODEL: path.join(workspace, "hostile.gguf")}),
      log: line => {
        const at = line.indexOf(FIGURE_PREFIX);
        if (at < 0) return void process.stdout.write(line + "\n");
        const {name, value} = JSON.parse(line.slice(at + FIGURE_PREFIX.length)) as {name: string; value: string};
        recordFigure(name, value);
      }
    });
    assert.equal(code, 0);
  });
});
