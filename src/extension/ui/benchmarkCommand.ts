// "Draftstop: Benchmark This Workspace": every policy side by side on FIM positions cut from the
// workspace's files, with the configured models, in the background (cancellable progress).
import {mkdir, readFile, writeFile} from "node:fs/promises";
import {join} from "node:path";
import * as vscode from "vscode";
import type {BenchJson} from "../../benchmark/report";
import type {SettingValues} from "../settings/schema";
import type {BenchmarkRequest} from "../../protocol";
import type {EngineSession} from "../session/engineSession";
import type {DraftstopLog} from "./log";

/** The in-editor profile: small enough to finish in minutes with real models. */
export function workspaceBenchmarkRequest(roots: string[], values: SettingValues): BenchmarkRequest {
  return {roots, count: 8, repeats: 2, temperatures: [0, 1], maxTokens: 48, topK: values.topK, topP: values.topP};
}

export class BenchmarkStore {
  private latest: BenchJson | undefined;

  constructor(private readonly directory: string) {}

  get path(): string {
    return join(this.directory, "benchmark-latest.json");
  }

  get current(): BenchJson | undefined {
    return this.latest;
  }

  async load(): Promise<void> {
    this.latest = await readFile(this.path, "utf8").then(text => JSON.parse(text) as BenchJson, () => undefined);
  }

  async save(result: BenchJson): Promise<void> {
    this.latest = result;
    await mkdir(this.directory, {recursive: true});
    await writeFile(this.path, JSON.stringify(result, null, 2));
  }
}

/** `overrides` lets automation (and the tests) run a smaller benchmark than the in-editor profile. */
export async function benchmarkWorkspace(session: EngineSession, values: SettingValues, store: BenchmarkStore,
  log: DraftstopLog, overrides: Partial<BenchmarkRequest> = {}): Promise<BenchJson | undefined> {
  const roots = (vscode.workspace.workspaceFolders ?? []).filter(f => f.uri.scheme === "file").map(f => f.uri.fsPath);
  if (roots.length === 0) {
    void vscode.window.showErrorMessage("Draftstop: open a folder to benchmark; the benchmark cuts completion positions from its files.");
    return undefined;
  }
  if (!session.ready || !session.snapshot.info?.draft) {
    void vscode.window.showErrorMessage("Draftstop: the benchmark compares draft policies and needs a loaded target and draft model.");
    return undefined;
  }
  const request = {...workspaceBenchmarkRequest(roots, values), ...overrides};
  log.info(`benchmark: ${JSON.stringify(request)}`);
  const started = Date.now();
  try {
    const result = await vscode.window.withProgress({location: vscode.ProgressLocation.Notification, title: "Draftstop: benchmarking this workspace", cancellable: true},
      (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        let reported = 0;
        return session.benchmark(request, controller.signal, ({done, total, message}) => {
          const percent = total > 0 ? (100 * done) / total : 0;
          progress.report({increment: percent - reported, message: `${done}/${total} ${message ?? ""}`});
          reported = percent;
        });
      });
    await store.save(result);
    const adaedl = result.runs.filter(r => r.policy === "adaedl").map(r => `T=${r.temperature}: ${r.speedup.toFixed(2)}×`).join(", ");
    log.info(`benchmark finished in ${Math.round((Date.now() - started) / 1000)} s; AdaEDL speed-up ${adaedl}; saved ${store.path}`);
    return result;
  } catch (error) {
    log.warn(`benchmark stopped: ${(error as Error).message}`);
    void vscode.window.showWarningMessage(`Draftstop: benchmark stopped: ${(error as Error).message}`);
    return undefined;
  }
}
