// Collects the extra context (chunks of other workspace files) as the user works, and hands the
// provider the chunks for a prompt. A chunk is taken:
// - around the cursor of every file the user opens (an editor becomes active);
// - around the last edit of a file, when the user leaves it;
// - around a selection the user copied (the clipboard is read when a completion is generated,
//   and matched against the last selections; VS Code has no copy event).
import * as vscode from "vscode";
import type {ExtraContextInput} from "../../engine/extraContext/render";
import type {SettingsStore} from "../../config/settings";
import type {Logger} from "../../session/logger";
import type {CursorContext} from "../context";
import {chunkAround, chunkCharsFor, neighbourhoodWords} from "../../engine/extraContext/chunking";
import {ChunkRing} from "../../engine/extraContext/chunkRing";
import {contextFileVerdict} from "./fileFilter";
import {lineCommentFor} from "./lineComment";

/** Selections remembered for matching the clipboard. */
const SELECTIONS_KEPT = 8;

export class ExtraContextCollector implements vscode.Disposable {
  readonly ring = new ChunkRing();
  private readonly lastEditLine = new Map<string, number>();
  private readonly selections: Array<{document: vscode.TextDocument; line: number; text: string}> = [];
  private lastClipboard: string | undefined;
  private activeDocument: vscode.TextDocument | undefined;
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
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.switchedTo(vscode.window.activeTextEditor))
    ];
    void this.switchedTo(vscode.window.activeTextEditor);
  }

  private get enabled(): boolean {
    const values = this.settings.values;
    return values["extraContext.enable"] && values["extraContext.maxTokens"] > 0 && vscode.workspace.isTrusted;
  }

  /** Takes a chunk of `document` around `line` into the ring, if the document may give context. */
  async capture(document: vscode.TextDocument, line: number, why: string): Promise<boolean> {
    if (!this.enabled || document.isClosed) return false;
    const verdict = await contextFileVerdict(document, this.settings.values.disabledLanguages);
    if (!verdict.allowed) {
      this.log.debug(`extra context: not from ${document.uri.fsPath || document.uri.toString()} (${verdict.why})`);
      return false;
    }
    const chunk = chunkAround(l => document.lineAt(l).text, document.lineCount, line);
    const added = this.ring.add({uri: document.uri.toString(), path: verdict.path, languageId: document.languageId, ...chunk});
    if (added) this.log.debug(`extra context: ${why} ${verdict.path}:${chunk.startLine + 1} (${this.ring.size} chunks)`);
    return added;
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

  private async captureCopied(): Promise<void> {
    let clipboard: string;
    try {
      clipboard = await vscode.env.clipboard.readText();
    } catch {
      return; // no clipboard where the extension host runs
    }
    if (!clipboard.trim() || clipboard === this.lastClipboard) return;
    this.lastClipboard = clipboard;
    const copied = this.selections.find(s => s.text === clipboard);
    if (copied) await this.capture(copied.document, copied.line, "copied from");
  }

  dispose(): void {
    this.subscriptions.forEach(s => s.dispose());
  }
}
