import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {contributes} from "../../src/cli/manifest";

describe("package.json", () => {
  const manifest = JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "package.json"), "utf8"));

  it("contributes exactly the settings and commands of src/config/schema.ts and src/config/commandIds.ts (npm run manifest)", () => {
    const expected = contributes();
    assert.deepEqual(manifest.contributes.configuration, expected.configuration);
    assert.deepEqual(manifest.contributes.commands, expected.commands);
  });

  it("runs in VS Code 1.100 (code-server 4.100.3) and declares workspace trust", () => {
    assert.equal(manifest.engines.vscode, "^1.100.0");
    assert.ok(manifest.capabilities?.untrustedWorkspaces, "capabilities.untrustedWorkspaces is declared");
  });
});
