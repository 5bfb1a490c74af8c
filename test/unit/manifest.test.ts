import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {contributes} from "../../src/lab/cli/manifest";
import {SETTINGS, SETTINGS_SECTION} from "../../src/extension/settings/schema";

describe("package.json", () => {
  const manifest = JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "package.json"), "utf8"));

  it("contributes exactly the settings, commands and key bindings of src/extension/settings/schema.ts and src/extension/settings/commandIds.ts (npm run manifest)", () => {
    const expected = contributes();
    assert.deepEqual(manifest.contributes.configuration, expected.configuration);
    assert.deepEqual(manifest.contributes.commands, expected.commands);
    assert.deepEqual(manifest.contributes.keybindings, expected.keybindings);
    assert.ok(manifest.contributes.keybindings.some((b: {key: string; when: string}) => b.key === "tab" && /suggestWidgetVisible && inlineSuggestionVisible/.test(b.when)),
      "Tab accepts ghost text beside the suggest widget");
  });

  it("lists at most 15 settings under Draftstop and every other one under Draftstop: Advanced, each once", () => {
    const [main, advanced] = manifest.contributes.configuration as Array<{title: string; properties: Record<string, unknown>}>;
    assert.equal(main!.title, "Draftstop");
    assert.equal(advanced!.title, "Draftstop: Advanced");
    const mainKeys = Object.keys(main!.properties), advancedKeys = Object.keys(advanced!.properties);
    assert.ok(mainKeys.length <= 15, `${mainKeys.length} main settings`);
    assert.deepEqual([...mainKeys, ...advancedKeys].sort(), Object.keys(SETTINGS).map(key => `${SETTINGS_SECTION}.${key}`).sort());
    for (const knob of ["costAware.optimism", "adaedl.beta1", "debounce.minMs"]) assert.ok(advancedKeys.includes(`${SETTINGS_SECTION}.${knob}`), knob);
    for (const key of ["enable", "targetModel", "draftModel"]) assert.ok(mainKeys.includes(`${SETTINGS_SECTION}.${key}`), key);
  });

  it("runs in VS Code 1.100 (code-server 4.100.3) and declares workspace trust", () => {
    assert.equal(manifest.engines.vscode, "^1.100.0");
    assert.ok(manifest.capabilities?.untrustedWorkspaces, "capabilities.untrustedWorkspaces is declared");
  });
});
