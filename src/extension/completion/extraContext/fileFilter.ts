// Whether a file may give extra context: it must be a file in one of the workspace's folders, in a
// trusted workspace, of a language that is not disabled, and neither `files.exclude` nor a
// .gitignore may hide it. The reason is logged when one is refused.
//
// The .gitignore files are read once and kept (a file watcher forgets one that changes), since a
// verdict is asked for on every editor switch and again for every chunk when the rules change.
import {posix} from "node:path";
import {LRUCache} from "lru-cache";
import * as vscode from "vscode";
import {activeExcludePatterns, excludingPattern, GitignoreFile, gitignoreDirs, ignoringGitignore} from "./exclusion";

export type FileVerdict =
  | {allowed: true; path: string}
  | {allowed: false; why: string};

/** What a verdict needs to know of a file: an open document, or a chunk taken from one. */
export interface ContextFile {
  uri: vscode.Uri;
  languageId: string;
}

/** .gitignore folders remembered; a workspace rarely has more, and a forgotten one is only read again. */
const GITIGNORES_KEPT = 256;

export class ContextFileFilter implements vscode.Disposable {
  /** .gitignore text by its URI; "" where the folder has none. */
  private readonly gitignores = new LRUCache<string, string>({max: GITIGNORES_KEPT});
  private readonly watcher = vscode.workspace.createFileSystemWatcher("**/.gitignore");
  private readonly changed = new vscode.EventEmitter<void>();
  /** A .gitignore was created, changed or deleted: verdicts given before may be wrong now. */
  readonly onDidChangeRules = this.changed.event;

  constructor() {
    const forget = (uri: vscode.Uri) => {
      this.gitignores.delete(uri.toString());
      this.changed.fire();
    };
    this.watcher.onDidCreate(forget);
    this.watcher.onDidChange(forget);
    this.watcher.onDidDelete(forget);
  }

  async verdict(file: ContextFile, disabledLanguages: readonly string[]): Promise<FileVerdict> {
    if (!vscode.workspace.isTrusted) return {allowed: false, why: "the workspace is not trusted"};
    if (file.uri.scheme !== "file") return {allowed: false, why: `not a file (${file.uri.scheme})`};
    const folder = vscode.workspace.getWorkspaceFolder(file.uri);
    if (!folder) return {allowed: false, why: "outside the workspace"};
    if (disabledLanguages.includes(file.languageId)) return {allowed: false, why: `language ${file.languageId} is disabled`};
    const path = posix.relative(folder.uri.path, file.uri.path);
    if (!path || path.startsWith("../")) return {allowed: false, why: "outside the workspace"};
    const pattern = excludingPattern(path, activeExcludePatterns(vscode.workspace.getConfiguration("files", file.uri).get("exclude")));
    if (pattern) return {allowed: false, why: `files.exclude has ${pattern}`};
    const ignoredBy = ignoringGitignore(path, await this.gitignoresFor(folder, path));
    if (ignoredBy !== undefined) return {allowed: false, why: `ignored by ${ignoredBy ? `${ignoredBy}/` : ""}.gitignore`};
    return {allowed: true, path};
  }

  private async gitignoresFor(folder: vscode.WorkspaceFolder, path: string): Promise<GitignoreFile[]> {
    const files = await Promise.all(gitignoreDirs(path).map(async dir => {
      const uri = vscode.Uri.joinPath(folder.uri, dir, ".gitignore");
      let content = this.gitignores.get(uri.toString());
      if (content === undefined) {
        try {
          content = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
        } catch {
          content = ""; // no .gitignore in that folder
        }
        this.gitignores.set(uri.toString(), content);
      }
      return {dir, content};
    }));
    return files.filter(f => f.content.trim() !== "");
  }

  dispose(): void {
    this.watcher.dispose();
    this.changed.dispose();
  }
}
