// The model process: the extension forks it so that llama.cpp, which can abort the process on a
// hostile model file, never runs inside the user's extension host. It owns one engine at a time
// and answers the requests in protocol.ts.
import {DraftstopEngine, DraftstopError, GenerationReport, liveModels} from "../engine";
import type {EngineLoadOptions} from "../engine/engine";
import {checkModelFiles} from "../engine/models";
import {measureFimLayouts} from "../engine/fimLayoutCost";
import {downloadModel} from "./download";
import {benchJson} from "../bench/report";
import {runBenchmark} from "../bench/runner";
import {tasksFromSources} from "../bench/tasks";
import {GenerateRequest, GenerationSummary, HostMessage, LoadResult, RequestMessage, RequestName, Requests, serializeError} from "./protocol";

/** Tokens kept free in the context for the completion and one round of drafts. */
const GENERATION_HEADROOM = 16 + 2;

class EngineHost {
  private engine: DraftstopEngine | undefined;
  private loadedOptions: EngineLoadOptions | undefined;
  private readonly running = new Map<number, AbortController>();

  async handle(message: RequestMessage): Promise<unknown> {
    const handlers: {[N in RequestName]: (params: Requests[N]["params"], id: number) => Promise<Requests[N]["result"]>} = {
      load: params => this.load(params),
      generate: (params, id) => this.generate(params, id),
      abort: async params => this.running.get(params.requestId)?.abort(),
      setPolicy: async params => this.requireEngine().setPolicy(params),
      stats: async () => this.engine && {summary: this.engine.stats(),
        policy: {name: this.engine.policy.name, state: this.engine.policy.state()}},
      resetStats: async () => this.engine?.resetStats(),
      unload: () => this.unload(),
      resources: async () => ({loadedModels: liveModels().length, engine: this.engine !== undefined, rssBytes: process.memoryUsage().rss}),
      measureFimLayouts: async () => {
        const engine = this.requireEngine();
        const measurement = await measureFimLayouts(engine, engine.info.target.fimLayouts);
        engine.resetStats(); // the probe generations are not the user's completions
        return measurement;
      },
      benchmark: (params, id) => this.abortable(id, async signal => {
        const engine = this.requireEngine();
        const result = await runBenchmark(engine, {
          ...params, tasks: tasksFromSources(params.roots, {count: params.count}), signal,
          onProgress: (done, total, message) => send({kind: "event", event: "progress", requestId: id, done, total, message})
        });
        return benchJson(result, engine.info, false);
      }),
      download: (params, id) => this.abortable(id, signal => downloadModel(params.uri, params.directory, signal,
        progress => send({kind: "event", event: "progress", requestId: id, ...progress})))
    };
    return (handlers[message.name] as (params: unknown, id: number) => Promise<unknown>)(message.params, message.id);
  }

  /**
   * Checks the new files first (cheap) and keeps the current models when they are bad. A draft
   * that cannot be used is dropped and the target decodes alone.
   */
  private async load(requested: EngineLoadOptions): Promise<LoadResult> {
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

  /** Runs a request that an "abort" request (or unload) can cancel. */
  private async abortable<T>(id: number, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.running.set(id, controller);
    try {
      return await task(controller.signal);
    } finally {
      this.running.delete(id);
    }
  }

  private generate(request: GenerateRequest, id: number): Promise<GenerationSummary> {
    const engine = this.requireEngine();
    return this.abortable(id, async signal => {
      const maxTokens = request.options.maxTokens ?? 128;
      let tokens;
      let layout: GenerationSummary["promptLayout"] = "text";
      let dropped = 0;
      if ("fim" in request.prompt) {
        const prompt = engine.buildFimPrompt(request.prompt.fim,
          {layout: request.prompt.fim.layout, maxTokens: engine.info.contextSize - maxTokens - GENERATION_HEADROOM});
        tokens = prompt.tokens;
        layout = prompt.layout;
        dropped = prompt.droppedPrefixTokens + prompt.droppedSuffixTokens;
      } else tokens = engine.tokenize(request.prompt.text, {bos: true});
      const report = await engine.generate(tokens, {...request.options, signal});
      return summarize(report, layout, tokens.length, dropped);
    });
  }

  private async unload(): Promise<void> {
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

function summarize(report: GenerationReport, layout: GenerationSummary["promptLayout"], promptTokens: number, dropped: number): GenerationSummary {
  return {
    text: report.text,
    tokenCount: report.tokens.length,
    stopReason: report.stopReason,
    policy: report.policy,
    promptLayout: layout,
    promptTokens,
    droppedPromptTokens: dropped,
    prefill: report.prefill,
    totals: report.totals,
    rounds: report.rounds,
    targetTokenMs: report.targetTokenMs,
    seed: report.seed
  };
}

function send(message: HostMessage): void {
  process.send?.(message);
}

if (require.main === module || process.send) {
  const host = new EngineHost();
  process.on("message", (message: RequestMessage) => {
    if (message?.kind !== "request") return;
    host.handle(message).then(
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
