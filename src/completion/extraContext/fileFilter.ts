// Whether a document may give extra context: it must be a file in one of the workspace's folders,
// in a trusted workspace, of a language that is not disabled, and neither `files.exclude` nor a
// .gitignore may hide it. The reason is logged when one is refused.
import {posix} from "node:path";
import * as vscode from "vscode";
import {activeExcludePatterns, excludingPattern, GitignoreFile, gitignoreDirs, ignoringGitignore} from "./exclusion";

export type FileVerdict =
  | {allowed: true; path: string}
  | {allowed: false; why: string};

export async function contextFileVerdict(document: vscode.TextDocument, disabledLanguages: readonly string[]): Promise<FileVerdict> {
  if (!vscode.workspace.isTrusted) return {allowed: false, why: "the workspace is not trusted"};
  if (document.uri.scheme !== "file") return {allowed: false, why: `not a file (${document.uri.scheme})`};
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  if (!folder) return {allowed: false, why: "outside the workspace"};
  if (disabledLanguages.includes(document.languageId)) return {allowed: false, why: `language ${document.languageId} is disabled`};
  const path = posix.relative(folder.uri.path, document.uri.path);
  if (!path || path.startsWith("../")) return {allowed: false, why: "outside the workspace"};
  const pattern = excludingPattern(path, activeExcludePatterns(vscode.workspace.getConfiguration("files", document.uri).get("exclude")));
  if (pattern) return {allowed: false, why: `files.exclude has ${pattern}`};
  const ignoredBy = ignoringGitignore(path, await readGitignores(folder, path));
  if (ignoredBy !== undefined) return {allowed: false, why: `ignored by ${ignoredBy ? `${ignoredBy}/` : ""}.gitignore`};
  return {allowed: true, path};
}

async function readGitignores(folder: vscode.WorkspaceFolder, path: string): Promise<GitignoreFile[]> {
  const files = await Promise.all(gitignoreDirs(path).map(async dir => {
    try {
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, dir, ".gitignore"));
      return {dir, content: new TextDecoder().decode(bytes)};
    } catch {
      return undefined; // no .gitignore in that folder
    }
  }));
  return files.filter((f): f is GitignoreFile => f !== undefined);
}
