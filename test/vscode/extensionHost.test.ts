// Runs the extension-host suite (test/vscode/suite/*.suite.ts) in a real VS Code: desktop where it
// can be downloaded, else code-server + headless Chromium (a first run installs code-server: ~2 minutes).
import assert from "node:assert/strict";
import {runDraftstopSuite} from "./runDraftstopSuite";

describe("extension host", function () {
  this.timeout(15 * 60_000);

  it("passes test/vscode/suite in a real VS Code", async () => {
    assert.equal(await runDraftstopSuite(), 0);
  });
});
