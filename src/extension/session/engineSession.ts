// The extension's view of the model process: what state it is in, which models it holds, the
// latest statistics, and completions on request. Plain Node (no vscode), so it is tested alone;
// the UI subscribes to its events.
import {EventEmitter} from "node:events";
import type {EngineInfo, FimLayout, GenerateOptions, PolicySpec, PolicyState, StatsSummary} from "../../engine";
import type {EngineLoadOptions, InfillRequest} from "../../engine/engine";
import type {CalibrationSnapshot} from "../../engine/drafting/engineCalibration";
import {CrashReport, EngineClient, EngineClientOptions, EngineCrashedError} from "./engineClient";
import type {BenchmarkRequest, GenerationSummary, LoadResult, Progress, SessionStats} from "../../protocol";

/** What the model process is doing, as the status bar shows it. */
export type EngineState =
  | {kind: "disabled"}
  | {kind: "noModels"}
  | {kind: "loading"; what: string}
  | {kind: "ready"}
  | {kind: "generating"}
  | {kind: "error"; message: string};

export interface SessionSnapshot {
  /** The model process's state; the status bar shows "disabled" instead while `disabled`. */
  state: EngineState;
  disabled: boolean;
  info?: EngineInfo;
  stats?: StatsSummary;
  policy?: {name: string; state: PolicyState};
  calibration?: CalibrationSnapshot;
  draftProblem?: string;
  fimLayout?: FimLayout;
  /** How the layout was chosen, e.g. "psm 143 tokens, spm 2 tokens". */
  fimCosts?: string;
}

interface SessionEvents {
  change: [SessionSnapshot];
  /** Something the user should be told about (a bad model, a crash), with the models still in use. */
  problem: [{message: string; error?: Error; crash?: CrashReport}];
  generation: [GenerationSummary];
  /** Generations in flight, after each one starts or settles. */
  inFlight: [number];
  log: [string];
}

export class EngineSession extends EventEmitter<SessionEvents> {
  private readonly client: EngineClient;
  private snapshotValue: SessionSnapshot = {state: {kind: "noModels"}, disabled: false};
  private generating = 0;
  /** Generations a request waits for (not prefetches): while any runs, the state is "generating". */
  private foreground = 0;
  private loads = 0;

  constructor(options: EngineClientOptions) {
    super();
    this.client = new EngineClient(options);
    this.client.on("log", line => this.emit("log", line));
    this.client.on("crash", crash => {
      this.emit("problem", {message: `The model process stopped (${crash.reason}); restarting it with the last working models.`, crash});
      this.update({state: {kind: "loading", what: "restarting"}});
    });
    this.client.on("recovered", result => {
      if (result) this.applyLoad(result);
      else this.update({state: {kind: "noModels"}, info: undefined});
    });
    this.client.on("failed", error => this.update({state: {kind: "error", message: error.message}}));
  }

  get snapshot(): SessionSnapshot {
    return this.snapshotValue;
  }

  get ready(): boolean {
    return this.snapshotValue.state.kind === "ready" || this.snapshotValue.state.kind === "generating";
  }

  /** Requests sent to the model process so far. */
  get requestsSent(): number {
    return this.client.requestsSent;
  }

  get processId(): number | undefined {
    return this.client.pid;
  }

  /** Whether the model process is the one every window shares (it outlives this window). */
  get sharedProcess(): boolean {
    return this.client.shared;
  }

  get loadedOptions(): EngineLoadOptions | undefined {
    return this.client.loadedOptions;
  }

  /**
   * Loads a pair. On failure the previous models stay loaded (the model process keeps them) and
   * the error is thrown for the caller to report.
   */
  async load(options: EngineLoadOptions): Promise<LoadResult> {
    const load = ++this.loads;
    const previous = this.snapshotValue;
    this.update({state: {kind: "loading", what: "loading models"}});
    try {
      const result = await this.client.load(options);
      if (load === this.loads) this.applyLoad(result);
      return result;
    } catch (error) {
      // A crash is the client's to recover from: "recovered" or "failed" sets the state.
      if (load === this.loads && !(error instanceof EngineCrashedError)) {
        const stillLoaded = this.client.loadedOptions !== undefined && previous.info !== undefined;
        this.update(stillLoaded ? {...previous, state: {kind: "ready"}} : {state: {kind: "error", message: (error as Error).message}, info: undefined});
      }
      throw error;
    }
  }

  /** Frees the models (the settings name none any more). */
  async unloadIfLoaded(): Promise<void> {
    if (this.client.loadedOptions || this.snapshotValue.info) await this.client.api.unload();
    this.client.forgetLoaded();
    this.update({state: {kind: "noModels"}, info: undefined, stats: undefined, policy: undefined, calibration: undefined});
  }

  async setPolicy(policy: PolicySpec): Promise<void> {
    await this.client.api.setPolicy(policy);
    await this.refreshStats();
  }

  /** Generations started and not yet ended, prefetches included. */
  get generationsInFlight(): number {
    return this.generating;
  }

  /**
   * One completion. `background`: generated ahead of any request (a prefetch, a prefill): the state
   * stays "ready", so the status bar shows no generation the user is waiting for, and it is left
   * out of the statistics and of the "generation" event.
   */
  async complete(fim: InfillRequest, options: Omit<GenerateOptions, "signal" | "onText">, signal?: AbortSignal, background = false,
    onText?: (text: string) => void): Promise<GenerationSummary> {
    this.emit("inFlight", ++this.generating);
    if (!background && ++this.foreground === 1 && this.ready) this.update({state: {kind: "generating"}});
    try {
      const layout = fim.layout ?? this.snapshotValue.fimLayout;
      const onProgress = onText && ((progress: Progress) => progress.message !== undefined && onText(progress.message));
      const summary = await this.client.api.generate({prompt: {fim: {...fim, layout}}, options, background, ...(onText ? {reportText: true} : {})},
        {signal, onProgress});
      if (!background) this.emit("generation", summary);
      this.applyStats(summary.stats);
      return summary;
    } finally {
      this.emit("inFlight", --this.generating);
      if (!background && --this.foreground === 0 && this.snapshotValue.state.kind === "generating") this.update({state: {kind: "ready"}});
    }
  }

  download(uri: string, directory: string, signal: AbortSignal, onProgress: (progress: Progress) => void) {
    return this.client.api.download({uri, directory}, {signal, onProgress});
  }

  /** Runs the benchmark in the model process on the loaded models (session statistics are left alone). */
  benchmark(request: BenchmarkRequest, signal: AbortSignal, onProgress: (progress: Progress) => void) {
    return this.client.api.benchmark(request, {signal, onProgress});
  }

  async resetStats(): Promise<void> {
    await this.client.api.resetStats();
    await this.refreshStats();
  }

  /** Which FIM layout costs less per keystroke with these models (measured in the model process). */
  async chooseFimLayout(preference: "auto" | FimLayout): Promise<FimLayout | undefined> {
    const layouts = this.snapshotValue.info?.target.fimLayouts ?? [];
    let layout: FimLayout | undefined;
    let fimCosts: string | undefined;
    if (preference !== "auto" && layouts.includes(preference)) layout = preference;
    else if (layouts.length > 1) {
      const measurement = await this.client.api.measureFimLayouts();
      layout = measurement.chosen;
      fimCosts = Object.entries(measurement.costs)
        .map(([name, cost]) => `${name} ${cost.tokensPerKeystroke.toFixed(1)} tokens, ${cost.msPerKeystroke.toFixed(2)} ms`).join("; ");
      await this.refreshStats();
    } else layout = layouts[0];
    this.update({fimLayout: layout, fimCosts});
    return layout;
  }

  resources() {
    return this.client.api.resources();
  }

  async refreshStats(): Promise<void> {
    const stats = await this.client.api.stats().catch(() => undefined);
    if (stats) this.applyStats(stats);
  }

  private applyStats(stats: SessionStats): void {
    this.update({stats: stats.summary, policy: stats.policy, calibration: stats.calibration});
  }

  setDisabled(disabled: boolean): void {
    this.update({disabled});
  }

  async dispose(): Promise<void> {
    await this.client.dispose();
    this.removeAllListeners();
  }

  private applyLoad(result: LoadResult): void {
    this.update({
      state: {kind: "ready"},
      info: result.info,
      draftProblem: result.draftError?.message,
      stats: undefined
    });
    void this.refreshStats();
  }

  private update(change: Partial<SessionSnapshot>): void {
    this.snapshotValue = {...this.snapshotValue, ...change};
    this.emit("change", this.snapshotValue);
  }
}
