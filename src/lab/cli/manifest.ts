// Writes package.json's contributes (settings, commands, key bindings) from src/extension/settings/schema.ts and
// src/extension/settings/commandIds.ts, so those stay the one place where settings and commands are defined.
// Run: npm run manifest. test/unit/manifest.test.ts fails when package.json is out of date.
import {readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {MAIN_SETTINGS, SETTINGS, SETTINGS_SECTION} from "../../extension/settings/schema";
import {COMMAND_CATEGORY, COMMANDS, KEYBINDINGS} from "../../extension/settings/commandIds";

export function contributes(): Record<string, unknown> {
  const main: Record<string, unknown> = {};
  const advanced: Record<string, unknown> = {};
  let order = 0;
  for (const [key, spec] of Object.entries(SETTINGS)) {
    const {reloadsModels, ...json} = spec as typeof spec & {reloadsModels?: boolean};
    const property: Record<string, unknown> = {...json, order: order++};
    if (json.type === "array") property.items = {type: "string"};
    if (reloadsModels) property.markdownDescription = `${json.description} Changing it reloads the models.`;
    ((MAIN_SETTINGS as readonly string[]).includes(key) ? main : advanced)[`${SETTINGS_SECTION}.${key}`] = property;
  }
  return {
    configuration: [{id: "draftstop", title: "Draftstop", order: 0, properties: main}, {id: "draftstop-advanced", title: "Draftstop: Advanced", order: 1, properties: advanced}],
    commands: Object.values(COMMANDS).map(c => ({command: c.id, title: c.title, category: COMMAND_CATEGORY})),
    keybindings: KEYBINDINGS.map(binding => ({...binding}))
  };
}

export function manifestWithContributes(manifest: Record<string, unknown>): Record<string, unknown> {
  const current = (manifest.contributes ?? {}) as Record<string, unknown>;
  return {...manifest, contributes: {...current, ...contributes()}};
}

if (require.main === module) {
  const path = join(process.cwd(), "package.json");
  const manifest = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  writeFileSync(path, JSON.stringify(manifestWithContributes(manifest), null, 2) + "\n");
  console.log(`updated ${path}`);
}
