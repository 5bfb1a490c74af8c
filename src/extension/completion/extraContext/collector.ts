// Collects the extra context (chunks of other workspace files) as the user works, and hands the
// provider the chunks for a prompt. A chunk is taken:
// - around the cursor of every file the user opens (an editor becomes active);
// - around the last edit of a file, when the user leaves it;
// - around a selection the user copied (the clipboard is read when a completion is generated,
//   and matched against the last selections; VS Code has no copy event). Only in the desktop
//   app: in a browser (code-server, vscode.dev) reading the clipboard asks the user for
//   permission, and where it is refused VS Code shows a sticky error and its read waits until the
//   user closes it, which would hold up every completion.
// When the rules change (files.exclude, a .gitignore, the disabled languages), the chunks of files
// no longer allowed leave the ring; when extra context is turned off, the ring is emptied.
import * as vscode from "vscode";
import type {ExtraContextInput} from "../../../engine/prompt/extraContext/render";
import type {SettingsStore} from "../../settings/settings";
import type {SettingValues} from "../../settings/schema";
import type {Logger} from "../../session/logger";
import type {CursorContext} from "../context";
import {chunkAround, chunkCharsFor, neighbourhoodWords} from "./chunking";
import {ChunkRing} from "./chunkRing";
import {ContextFileFilter} from "./fileFilter";
import {lineCommentFor} from "./lineComment";

/** Selections remembered for matching the clipboard. */
const SELECTIONS_KEPT = 8;
/** A clipboard slower than this to read is skipped for this request (a completion must not wait on it). */
const CLIPBOARD_WAIT_MS = 200;

/** Whether the settings turn extra context on: enabled, with a token budget above 0 (trust aside). */
export function extraContextSettingsOn(values: SettingValues): boolean {
  return values["extraContext.enable"] && values["extraContext.maxTokens"] > 0;
}

export class ExtraContextCollector implements vscode.Disposable {
  readonly ring = new ChunkRing();
  private readonly lastEditLine = new Map<string, number>();
  private readonly selections: Array<{document: vscode.TextDocument; line: number; text: string}> = [];
  private lastClipboard: string | undefined;
  private activeDocument: vscode.TextDocument | undefined;
  readonly filter = new ContextFileFilter();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly settings: SettingsStore, private readonly log: Logger) {
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor(editor => void this.switchedTo(editor)),
      vscode.workspace.onDidChangeTextDocument(event => {
        const change = event.contentChanges[0];
        if (change) this.lastEditLine.set(event.document.uri.toString(), change.range.start.line);
      }),
      vscode.window.onDidChangeTextEditorSelection(event => {
        const selection = event.selections[0];
        if (!selection || selection.isEmpty) return;
        const text = event.textEditor.document.getText(selection);
        this.selections.unshift({document: event.textEditor.document, line: Math.floor((selection.start.line + selection.end.line) / 2), text});
        this.selections.splice(SELECTIONS_KEPT);
      }),
      vscode.workspace.onDidDeleteFiles(event => event.files.forEach(uri => this.ring.removeDocument(uri.toString()))),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.switchedTo(vscode.window.activeTextEditor)),
      settings.onDidChange(({keys}) => {
        if (!this.enabled) this.ring.clear();
        else if (keys.includes("disabledLanguages")) void this.recheck("disabledLanguages changed");
      }),
      vscode.workspace.onDidChangeConfiguration(event => {
        if (event.affectsConfiguration("files.exclude")) void this.recheck("files.exclude changed");
      }),
      this.filter.onDidChangeRules(() => void this.recheck("a .gitignore changed")),
      this.filter
    ];
    void this.switchedTo(vscode.window.activeTextEditor);
  }

  private get enabled(): boolean {
    return extraContextSettingsOn(this.settings.values) && vscode.workspace.isTrusted;
  }

  /** Takes a chunk of `document` around `line` into the ring, if the document may give context. */
  async capture(document: vscode.TextDocument, line: number, why: string): Promise<boolean> {
    if (!this.enabled || document.isClosed) return false;
    const verdict = await this.filter.verdict(document, this.settings.values.disabledLanguages);
    if (!verdict.allowed) {
      this.log.debug(`extra context: not from ${document.uri.fsPath || document.uri.toString()} (${verdict.why})`);
      return false;
    }
    const chunk = chunkAround(l => document.lineAt(l).text, document.lineCount, line);
    const added = this.ring.add({uri: document.uri.toString(), path: verdict.path, languageId: document.languageId, ...chunk});
    if (added) this.log.debug(`extra context: ${why} ${verdict.path}:${chunk.startLine + 1} (${this.ring.size} chunks)`);
    return added;
  }

  /** Drops the chunks of files that may no longer give context. */
  private async recheck(why: string): Promise<void> {
    const files = new Map(this.ring.all.map(chunk => [chunk.uri, chunk.languageId]));
    for (const [key, languageId] of files) {
      const uri = vscode.Uri.parse(key);
      const verdict = await this.filter.verdict({uri, languageId}, this.settings.values.disabledLanguages);
      if (verdict.allowed) continue;
      this.ring.removeDocument(key);
      this.log.debug(`extra context: dropped ${uri.fsPath}, ${why} (${verdict.why})`);
    }
  }

  /** The extra context for a prompt at the cursor, or undefined when there is none. */
  async forRequest(document: vscode.TextDocument, cursor: CursorContext): Promise<ExtraContextInput | undefined> {
    if (!this.enabled) return undefined;
    await this.captureCopied();
    const values = this.settings.values;
    const maxTokens = values["extraContext.maxTokens"];
    const chosen = this.ring.select({uri: document.uri.toString(), neighbourhood: neighbourhoodWords(cursor.prefix, cursor.suffix),
      windowKey: String(cursor.prefixStartLine), maxChars: chunkCharsFor(maxTokens), disabledLanguages: values.disabledLanguages});
    if (chosen.length === 0) return undefined;
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    return {
      chunks: chosen.map(({chunk, score}) => ({path: chunk.path, text: chunk.text, score})),
      maxTokens,
      currentPath: folder ? vscode.workspace.asRelativePath(document.uri, false) : document.uri.path.split("/").pop(),
      repoName: folder?.name,
      lineComment: lineCommentFor(document.languageId)
    };
  }

  private async switchedTo(editor: vscode.TextEditor | undefined): Promise<void> {
    const left = this.activeDocument;
    this.activeDocument = editor?.document;
    if (left && left !== editor?.document) {
      const line = this.lastEditLine.get(left.uri.toString());
      this.lastEditLine.delete(left.uri.toString());
      if (line !== undefined) await this.capture(left, line, "edited");
    }
    if (editor) await this.capture(editor.document, editor.selection.active.line, "opened");
  }

  /** Whether copies are followed: only where reading the clipboard asks nobody (see the top of this file). */
  get followsCopies(): boolean {
    return vscode.env.uiKind === vscode.UIKind.Desktop;
  }

  private async captureCopied(): Promise<void> {
    if (!this.followsCopies || this.selections.length === 0) return;
    let clipboard: string | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      clipboard = await Promise.race([
        vscode.env.clipboard.readText(),
        new Promise<undefined>(resolve => { timer = setTimeout(() => resolve(undefined), CLIPBOARD_WAIT_MS); })
      ]);
    } catch {
      return; // no clipboard where the extension host runs
    } finally {
      clearTimeout(timer);
    }
    if (!clipboard?.trim() || clipboard === this.lastClipboard) return;
    this.lastClipboard = clipboard;
    const copied = this.selections.find(s => s.text === clipboard);
    if (copied) await this.capture(copied.document, copied.line, "copied from");
  }

  dispose(): void {
    this.subscriptions.forEach(s => s.dispose());
  }
}
