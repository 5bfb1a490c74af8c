// One window's side of the model process: an EngineHost owns that window's engine and implements
// ModelProcessApi (protocol.ts); serve() turns the messages of the window's channel (IPC from a
// window of its own, or a socket of the shared process) into its calls. The process's entry point
// is engineHost.ts.
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
  isRequestName, LoadResult, ModelProcessApi, ProcessResources, RequestContext, serializeError, SessionStats, SharedMachine} from "../protocol";
import type {BenchJson} from "../benchmark/report";
import type {EnginePlacement} from "../engine/engine";
import type {MessageChannel} from "../transport/messageChannel";
import type {GenerationTurns} from "./generationTurns";
import type {FimLayoutMeasurement} from "../engine/fimLayoutCost";

export class EngineHost implements ModelProcessApi {
  /**
   * `placement`: the shared process's pool and this window's name (the engine opens its own contexts
   * on weights every window shares); absent: the engine loads weights of its own.
   * `machine`: what the shared process reports beside this window's figures.
   */
  constructor(private readonly placement?: EnginePlacement, private readonly machine?: () => SharedMachine) {}

  private engine: DraftstopEngine | undefined;
  private loadedOptions: EngineLoadOptions | undefined;
  /** Signals of the requests in progress; unloading the models aborts them all. */
  readonly running = new Map<number, AbortController>();

  async generate(request: GenerateRequest, {signal, progress}: RequestContext): Promise<GenerationSummary> {
    const engine = this.requireEngine();
    let reports = 0;
    const onText = request.reportText === true ? (text: string) => progress({done: ++reports, total: 0, message: text}) : undefined;
    const options = {...request.options, signal, onText};
    const recording = {recordStats: request.background !== true};
    // The statistics ride on the reply, so that a completion costs the typing path one request.
    if ("fim" in request.prompt) {
      const report = await engine.generateInfill(request.prompt.fim, options, recording);
      return summarize(report, report.prompt, this.sessionStats(engine));
    }
    const report = await engine.generate(request.prompt.text, options, recording);
    return summarize(report, {layout: "text", tokens: report.prefill.promptTokens, droppedTokens: 0}, this.sessionStats(engine));
  }

  /** The threads of this window's engine (1 before its models load): the cores its generations keep busy. */
  get threads(): number {
    return this.engine?.info.threads ?? 1;
  }

  /** This window's completions and tokens so far (none while no models are loaded): the shared process adds them up. */
  get totals(): {completions: number; tokens: number} {
    const summary = this.engine?.stats();
    return {completions: summary?.generations ?? 0, tokens: summary?.tokens ?? 0};
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
    return {loadedModels: liveModels().length, engine: this.engine !== undefined, rssBytes: process.memoryUsage().rss, pid: process.pid,
      ...(this.machine ? {shared: this.machine()} : {})};
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
      this.engine = await DraftstopEngine.load(effective, this.placement);
      this.loadedOptions = effective;
    } catch (error) {
      if (previous) {
        this.engine = await DraftstopEngine.load(previous, this.placement).catch(() => undefined);
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

/** Answers one request message by calling the host's method of that name with a fresh signal. */
async function dispatch(host: EngineHost, message: Extract<ClientMessage, {kind: "request"}>, context: RequestContext): Promise<unknown> {
  if (!isRequestName(message.name)) throw new DraftstopError(`the model process has no request "${String(message.name)}"`, "engine.unknownRequest");
  return (host[message.name] as (params: unknown, context: RequestContext) => Promise<unknown>).call(host, message.params, context);
}

export interface ServeOptions {
  /**
   * The shared process's turns: a window's generations wait for theirs (for free cores, real
   * requests before background work), and a newer generation from a window cancels its older ones
   * (its user has typed on). Absent: requests run as they come.
   */
  turns?: GenerationTurns;
}

/** Serves one window over `channel` until it closes; then its requests are aborted and its models given back. */
export function serve(host: EngineHost, channel: MessageChannel<ClientMessage, HostMessage>, options: ServeOptions = {}): void {
  const generations = new Map<number, {controller: AbortController; background: boolean}>();
  channel.on("message", message => {
    if (message.kind === "cancel") host.running.get(message.id)?.abort();
    if (message.kind !== "request") return;
    const controller = new AbortController();
    host.running.set(message.id, controller);
    const context: RequestContext = {
      signal: controller.signal,
      progress: progress => channel.send({kind: "event", event: "progress", requestId: message.id, ...progress})
    };
    let answer: Promise<unknown>;
    if (message.name === "generate" && options.turns) {
      const background = (message.params as {background?: boolean} | undefined)?.background === true;
      // A foreground request supersedes everything the window asked before; a background one, earlier background work.
      for (const [id, older] of generations) {
        if (background && !older.background) continue;
        older.controller.abort();
        generations.delete(id);
      }
      generations.set(message.id, {controller, background});
      answer = options.turns.run(() => dispatch(host, message, context), {threads: host.threads, background, preempt: () => controller.abort()}).finally(() => generations.delete(message.id));
    } else {
      answer = dispatch(host, message, context);
    }
    answer.finally(() => host.running.delete(message.id)).then(
      result => channel.send({kind: "response", id: message.id, ok: true, result}),
      error => channel.send({kind: "response", id: message.id, ok: false, error: serializeError(error)})
    );
  });
}
