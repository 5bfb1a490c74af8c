// Which workspace files never give extra context: those matched by `files.exclude` globs or by a
// .gitignore on their way from the workspace folder. Pure functions over workspace-relative
// POSIX paths; fileFilter.ts reads the settings and the .gitignore files.
import ignore from "ignore";
import {minimatch} from "minimatch";

/** The path itself and every folder above it, as VS Code matches `files.exclude` (a folder's pattern hides what is in it). */
function selfAndAncestors(path: string): string[] {
  const parts = path.split("/");
  return parts.map((_, i) => parts.slice(0, i + 1).join("/"));
}

/** `files.exclude` patterns whose value is `true` (those with a `when` clause depend on siblings and are not applied). */
export function activeExcludePatterns(setting: unknown): string[] {
  if (!setting || typeof setting !== "object") return [];
  return Object.entries(setting as Record<string, unknown>).filter(([, on]) => on === true).map(([pattern]) => pattern);
}

/** The first `files.exclude` pattern that matches the path or a folder above it. */
export function excludingPattern(path: string, patterns: readonly string[]): string | undefined {
  const candidates = selfAndAncestors(path);
  return patterns.find(pattern => candidates.some(candidate => minimatch(candidate, pattern, {dot: true})));
}

export interface GitignoreFile {
  /** Folder of the .gitignore, workspace-relative ("" for the workspace folder itself). */
  dir: string;
  content: string;
}

/** The .gitignore (by its folder) that ignores the path, if one does. */
export function ignoringGitignore(path: string, files: readonly GitignoreFile[]): string | undefined {
  for (const file of files) {
    const prefix = file.dir ? `${file.dir}/` : "";
    if (!path.startsWith(prefix)) continue;
    if (ignore().add(file.content).ignores(path.slice(prefix.length))) return file.dir;
  }
  return undefined;
}

/** Folders whose .gitignore applies to the path: the workspace folder, then each folder down to the file's own. */
export function gitignoreDirs(path: string): string[] {
  const parts = path.split("/").slice(0, -1);
  return ["", ...parts.map((_, i) => parts.slice(0, i + 1).join("/"))];
}
