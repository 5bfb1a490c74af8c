// "Show Stats": a readable summary of the session in a Markdown preview.
import * as vscode from "vscode";
import type {SessionSnapshot} from "../session/engineSession";
import {statsMarkdown} from "./statsMarkdown";

export async function showStatsSummary(snapshot: SessionSnapshot): Promise<void> {
  const document = await vscode.workspace.openTextDocument({language: "markdown", content: statsMarkdown(snapshot)});
  await vscode.commands.executeCommand("markdown.showPreview", document.uri).then(undefined, () => vscode.window.showTextDocument(document));
}
