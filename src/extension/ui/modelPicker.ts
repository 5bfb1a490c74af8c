// Quick picks for choosing models: a local GGUF file, an hf: URI, a recommended preset, the demo pair.
import {readdir, stat} from "node:fs/promises";
import {join} from "node:path";
import * as vscode from "vscode";
import {formatBytes, ModelManager} from "../models/modelManager";
import {parseModelReference} from "../models/modelReference";
import {MODEL_PRESETS, ModelPreset} from "../models/presets";

type Role = "target" | "draft";

/** Asks for a model for `role`; returns the setting value (path or URI), "" for none, undefined if dismissed. */
export async function pickModel(role: Role, manager: ModelManager): Promise<string | undefined> {
  type Item = vscode.QuickPickItem & {value?: string; action?: "browse" | "uri"};
  const items: Item[] = [
    {label: "$(folder-opened) Browse for a GGUF file…", action: "browse"},
    {label: "$(cloud-download) Enter an hf: URI or URL…", action: "uri"}
  ];
  const downloaded = await listGguf(manager.downloadDirectory);
  if (downloaded.length) {
    items.push({label: "Downloaded", kind: vscode.QuickPickItemKind.Separator});
    for (const file of downloaded) items.push({label: file.name, description: formatBytes(file.size), value: file.path});
  }
  if (manager.demoPair) {
    items.push({label: "Demo", kind: vscode.QuickPickItemKind.Separator});
    items.push({label: `Tiny demo ${role}`, description: "trained in this repository; a demonstration only", value: manager.demoPair[role]});
  }
  if (role === "draft") items.push({label: "", kind: vscode.QuickPickItemKind.Separator}, {label: "No draft model (target only)", value: ""});
  const picked = await vscode.window.showQuickPick(items, {title: `Draftstop: ${role} model`, placeHolder: `Choose the ${role} model`});
  if (!picked) return undefined;
  if (picked.action === "browse") {
    const files = await vscode.window.showOpenDialog({canSelectMany: false, filters: {"GGUF models": ["gguf"]}, title: `Draftstop: ${role} model`});
    return files?.[0]?.fsPath;
  }
  if (picked.action === "uri") {
    return vscode.window.showInputBox({
      title: `Draftstop: ${role} model URI`,
      placeHolder: "hf:owner/repo/file.gguf",
      validateInput: value => (parseModelReference(value)?.kind === "remote" ? undefined : "an hf: URI or an https:// URL")
    });
  }
  return picked.value;
}

export async function pickPreset(): Promise<ModelPreset | undefined> {
  const picked = await vscode.window.showQuickPick(MODEL_PRESETS.map(preset => ({
    label: preset.label,
    description: `${(preset.target.sizeGB + preset.draft.sizeGB).toFixed(1)} GB download, ≈ ${preset.gpuMemoryGB} GB GPU memory`,
    detail: preset.description,
    preset
  })), {title: "Draftstop: download recommended models", placeHolder: "A 0.5B draft with a larger target of the same family"});
  return picked?.preset;
}

async function listGguf(directory: string): Promise<Array<{name: string; path: string; size: number}>> {
  try {
    const entries = await readdir(directory, {withFileTypes: true});
    const files = entries.filter(e => e.isFile() && e.name.endsWith(".gguf"));
    return Promise.all(files.map(async e => ({name: e.name, path: join(directory, e.name), size: (await stat(join(directory, e.name))).size})));
  } catch {
    return [];
  }
}
