// The model process: the extension forks it so that llama.cpp, which can abort the process on a
// hostile model file, never runs inside the user's extension host. It owns one engine at a time
// and implements ModelProcessApi (protocol.ts); serve() below turns IPC messages into its calls.
import {DraftstopEngine, DraftstopError, liveModels, PolicySpec} from "../engine";
import type {EngineLoadOptions, GenerationReport, InfillReport} from "../engine/engine";
import {checkModelFiles} from "../engine/modelPair";
import {measureFimLayouts} from "../engine/fimLayoutCost";
import {downloadModel} from "./download";
import {productColumns} from "../benchmark/lineup";
import {benchJson} from "../benchmark/report";
import {runBenchmark} from "../benchmark/runner";
import {tasksFromSources} from "../benchmark/tasks";
import {BenchmarkRequest, ClientMessage, DownloadRequest, DownloadResult, GenerateRequest, GenerationSummary, HostMessage,
  isRequestName, LoadResult, ModelProcessApi, ProcessResources, RequestContext, serializeError, SessionStats} from "../protocol";
import type {BenchJson} from "../benchmark/report";
import type {FimLayoutMeasurement} from "../engine/fimLayoutCost";

export class EngineHost implements ModelProcessApi {
  private engine: DraftstopEngine | undefined;
  private loadedOptions: EngineLoadOptions | undefined;
  /** Signals of the requests in progress; unloading the models aborts them all. */
  readonly running = new Map<number, AbortController>();

  async generate(request: GenerateRequest, {signal}: RequestContext): Promise<GenerationSummary> {
    const engine = this.requireEngine();
    const options = {...request.options, signal};
    const recording = {recordStats: request.background !== true};
    // The statistics ride on the reply, so that a completion costs the typing path one request.
    if ("fim" in request.prompt) {
      const report = await engine.generateInfill(request.prompt.fim, options, recording);
      return summarize(report, report.prompt, this.sessionStats(engine));
    }
    const report = await engine.generate(request.prompt.text, options, recording);
    return summarize(report, {layout: "text", tokens: report.prefill.promptTokens, droppedTokens: 0}, this.sessionStats(engine));
  }

  async setPolicy(policy: PolicySpec): Promise<void> {
    this.requireEngine().setPolicy(policy);
  }

  async stats(): Promise<SessionStats | undefined> {
    return this.engine && this.sessionStats(this.engine);
  }

  private sessionStats(engine: DraftstopEngine): SessionStats {
    return {summary: engine.stats(), policy: {name: engine.policy.name, state: engine.policy.state()}, calibration: engine.calibrationSnapshot()};
  }

  async resetStats(): Promise<void> {
    this.engine?.resetStats();
  }

  async resources(): Promise<ProcessResources> {
    return {loadedModels: liveModels().length, engine: this.engine !== undefined, rssBytes: process.memoryUsage().rss};
  }

  async measureFimLayouts(): Promise<FimLayoutMeasurement> {
    const engine = this.requireEngine();
    const measurement = await measureFimLayouts(engine, engine.info.target.fimLayouts);
    engine.resetStats(); // the probe generations are not the user's completions
    return measurement;
  }

  async benchmark(request: BenchmarkRequest, {signal, progress}: RequestContext): Promise<BenchJson> {
    const engine = this.requireEngine();
    // The product's line-up: Draftstop's policies beside target-only; the peers and the oracle stay in the lab.
    const result = await runBenchmark(engine, {
      ...request, tasks: tasksFromSources(request.roots, {count: request.count}), columns: productColumns({draftModel: engine.hasDraft}), signal,
      onProgress: (done, total, message) => progress({done, total, message})
    });
    return benchJson(result, engine.info, false);
  }

  download(request: DownloadRequest, {signal, progress}: RequestContext): Promise<DownloadResult> {
    return downloadModel(request.uri, request.directory, signal, progress);
  }

  /**
   * Checks the new files first (cheap) and keeps the current models when they are bad. A draft
   * that cannot be used is dropped and the target decodes alone.
   */
  async load(requested: EngineLoadOptions): Promise<LoadResult> {
    // Test switch: the crash-isolation tests need llama.cpp itself to see one hostile file.
    const unchecked = process.env.DRAFTSTOP_UNCHECKED_MODEL;
    const options = unchecked && (requested.targetPath === unchecked || requested.draftPath === unchecked)
      ? {...requested, skipPreflight: true} : requested;
    let draftError: unknown;
    let effective = options;
    try {
      await checkModelFiles(options);
    } catch (error) {
      if (!options.draftPath || !isDraftProblem(error)) throw error;
      draftError = error;
      effective = {...options, draftPath: undefined};
      await checkModelFiles(effective);
    }
    const previous = this.loadedOptions;
    await this.unload();
    try {
      this.engine = await DraftstopEngine.load(effective);
      this.loadedOptions = effective;
    } catch (error) {
      if (previous) {
        this.engine = await DraftstopEngine.load(previous).catch(() => undefined);
        this.loadedOptions = this.engine ? previous : undefined;
      }
      throw error;
    }
    return {info: this.engine.info, draftError: draftError === undefined ? undefined : serializeError(draftError)};
  }

  async unload(): Promise<void> {
    const engine = this.engine;
    this.engine = undefined;
    this.loadedOptions = undefined;
    for (const controller of this.running.values()) controller.abort();
    await engine?.dispose();
  }

  private requireEngine(): DraftstopEngine {
    if (!this.engine) throw new DraftstopError("no models are loaded yet; choose a target model", "engine.notLoaded");
    return this.engine;
  }
}

function isDraftProblem(error: unknown): boolean {
  const e = error as {role?: string; name?: string};
  return e?.role === "draft" || e?.name === "VocabularyMismatchError";
}

function summarize(report: GenerationReport, prompt: Omit<InfillReport["prompt"], "layout"> & {layout: GenerationSummary["promptLayout"]}, stats: SessionStats): GenerationSummary {
  return {
    text: report.text,
    tokenCount: report.tokens.length,
    tokensPastStop: report.tokensPastStop,
    stopReason: report.stopReason,
    policy: report.policy,
    promptLayout: prompt.layout,
    promptTokens: prompt.tokens,
    droppedPromptTokens: prompt.droppedTokens,
    extraContext: prompt.extraContext,
    prefill: report.prefill,
    totals: report.totals,
    rounds: report.rounds,
    targetTokenMs: report.targetTokenMs,
    seed: report.seed,
    stats
  };
}

function send(message: HostMessage): void {
  process.send?.(message);
}

/** Answers one request message by calling the host's method of that name with a fresh signal. */
async function dispatch(host: EngineHost, message: Extract<ClientMessage, {kind: "request"}>): Promise<unknown> {
  if (!isRequestName(message.name)) throw new DraftstopError(`the model process has no request "${String(message.name)}"`, "engine.unknownRequest");
  const controller = new AbortController();
  host.running.set(message.id, controller);
  const context: RequestContext = {
    signal: controller.signal,
    progress: progress => send({kind: "event", event: "progress", requestId: message.id, ...progress})
  };
  try {
    return await (host[message.name] as (params: unknown, context: RequestContext) => Promise<unknown>).call(host, message.params, context);
  } finally {
    host.running.delete(message.id);
  }
}

if (require.main === module || process.send) {
  const host = new EngineHost();
  process.on("message", (message: ClientMessage) => {
    if (message?.kind === "cancel") host.running.get(message.id)?.abort();
    if (message?.kind !== "request") return;
    dispatch(host, message).then(
      result => send({kind: "response", id: message.id, ok: true, result}),
      error => send({kind: "response", id: message.id, ok: false, error: serializeError(error)})
    );
  });
  // The extension is gone: nothing left to serve.
  process.on("disconnect", () => process.exit(0));
  // A stray rejection in a library (the downloader's background writes do this on a full disk)
  // must not end the process that holds the user's models; it is reported instead.
  process.on("unhandledRejection", reason =>
    send({kind: "event", event: "log", level: "error", message: `unhandled rejection in the model process: ${(reason as Error)?.message ?? reason}`}));
  send({kind: "event", event: "ready"});
}
