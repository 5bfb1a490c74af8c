// A model setting is a local GGUF path or a URI that node-llama-cpp's downloader understands
// (hf:owner/repo/file.gguf, hf:owner/repo:quant, https://…).
import {homedir} from "node:os";
import {isAbsolute, join, resolve} from "node:path";

export type ModelReference = {kind: "file"; path: string} | {kind: "remote"; uri: string};

export function parseModelReference(value: string): ModelReference | undefined {
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^(hf|huggingface):/i.test(trimmed) || /^https?:\/\//i.test(trimmed)) return {kind: "remote", uri: trimmed};
  const expanded = trimmed === "~" ? homedir() : trimmed.startsWith("~/") ? join(homedir(), trimmed.slice(2)) : trimmed;
  return {kind: "file", path: isAbsolute(expanded) ? expanded : resolve(expanded)};
}
