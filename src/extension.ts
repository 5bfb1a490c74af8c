// Placeholder until the real extension lands. It proves activation, a command, a status bar item,
// and that node-llama-cpp (ESM, native) loads in the extension host from the packaged VSIX.
import * as vscode from "vscode";

export function activate(context: vscode.ExtensionContext): void {
  const status = vscode.window.createStatusBarItem("draftstop.status", vscode.StatusBarAlignment.Right, 100);
  status.name = "Draftstop";
  status.text = "Draftstop";
  status.show();
  context.subscriptions.push(status, vscode.commands.registerCommand("draftstop.hello", async () => {
    const {getLlama} = await import("node-llama-cpp");
    const llama = await getLlama({gpu: false, build: "never", maxThreads: 1});
    const info = {gpu: llama.gpu, buildType: llama.buildType};
    await llama.dispose();
    status.text = `Draftstop: llama ${info.buildType}`;
    return info;
  }));
}

export function deactivate(): void {}
