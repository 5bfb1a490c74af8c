// VS Code asks for a suggestion when the user types; it does not ask again when the models that
// were missing come back (the first load, a restart after the model process crashed). A request
// turned away for that would leave the editor blank until the next keystroke, though the cursor is
// where the user is waiting. This remembers the place of such a request and asks VS Code again once
// the models are ready, if the editor is still there, unchanged. Where it asks nothing,
// `readyWithoutAsking` runs (the provider evaluates the prompt at the cursor ahead: after a
// restart the model process holds no window's prompt, and the next keystroke would pay for all
// of it).
import * as vscode from "vscode";
import type {EngineSession} from "../session/engineSession";

interface Place {
  uri: string;
  version: number;
  line: number;
  character: number;
}

export class AskWhenReady implements vscode.Disposable {
  private waiting: Place | undefined;
  private wasReady: boolean;
  private readonly onChange = () => {
    const ready = this.session.ready;
    if (ready && !this.wasReady && !this.askIfUnchanged()) this.readyWithoutAsking();
    this.wasReady = ready;
  };

  constructor(private readonly session: EngineSession, private readonly readyWithoutAsking: () => void) {
    this.wasReady = session.ready;
    session.on("change", this.onChange);
  }

  /** A request at this place found the models on their way: ask again there when they are ready. */
  turnedAway(document: vscode.TextDocument, position: vscode.Position): void {
    this.waiting = {uri: document.uri.toString(), version: document.version, line: position.line, character: position.character};
  }

  /** A later request went on (or was turned away for good): the place waits no longer. */
  forget(): void {
    this.waiting = undefined;
  }

  /** Whether it asked. */
  private askIfUnchanged(): boolean {
    const place = this.waiting;
    this.waiting = undefined;
    const editor = vscode.window.activeTextEditor;
    if (!place || !editor || editor.document.uri.toString() !== place.uri || editor.document.version !== place.version) return false;
    const {selection} = editor;
    if (!selection.isEmpty || selection.active.line !== place.line || selection.active.character !== place.character) return false;
    void vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
    return true;
  }

  dispose(): void {
    this.session.off("change", this.onChange);
  }
}
