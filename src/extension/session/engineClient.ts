// The extension's side of the model process: forks one of its own, or joins the one every window of
// this user shares (sharedProcess.ts, docs/sharing.md), sends requests, and when the process dies
// (llama.cpp aborted on a model file, out of memory, killed) reports why, starts or joins a new one
// and loads the last models that worked, so completions go on. Plain Node: no vscode import.
import {ChildProcess, fork} from "node:child_process";
import {EventEmitter} from "node:events";
import type {MessageChannel} from "../../transport/messageChannel";
import {IpcChannel} from "../../transport/ipcChannel";
import {joinSharedProcess, sharedExitReason, SharedProcessOptions, sharedLogTail} from "./sharedProcessClient";
import type {EngineLoadOptions} from "../../engine/engine";
import {DraftstopError} from "../../engine/errors";
import {CallOptions, ClientMessage, HostMessage, LoadResult, ModelProcessCalls, ParamsOf, Progress, REQUEST_NAMES, RequestName, ResultOf,
  SerializedError} from "../../protocol";

export interface EngineClientOptions {
  /** The bundled engineHost.js. */
  hostScript: string;
  /** Restarts allowed within restartWindowMs before the client gives up. Default 3 in 60 s. */
  maxRestarts?: number;
  restartWindowMs?: number;
  /** Extra environment for the model process. */
  env?: NodeJS.ProcessEnv;
  /** Join (or start) the process every window shares instead of forking one. Absent: a process of this client's own. */
  shared?: SharedProcessOptions;
}

/** An error the model process reported, with the engine error's fields (code, path, option …). */
export class RemoteEngineError extends DraftstopError {
  override readonly name: string;
  readonly path?: string;
  readonly problem?: string;
  readonly role?: string;
  readonly option?: string;

  constructor(serialized: SerializedError) {
    super(serialized.message, serialized.code ?? "engine.error");
    this.name = serialized.name;
    this.path = serialized.path;
    this.problem = serialized.problem;
    this.role = serialized.role;
    this.option = serialized.option;
  }
}

/** The model process ended while a request was running. */
export class EngineCrashedError extends DraftstopError {
  override readonly name = "EngineCrashedError";
  constructor(readonly reason: string) {
    super(`the model process stopped: ${reason}`, "engine.crashed");
  }
}

export interface CrashReport {
  reason: string;
  /** Last lines the model process wrote to stderr (llama.cpp prints its assertion there). */
  stderr: string;
  /** The load that was running when it died, if any: those models are not retried. */
  duringLoad?: EngineLoadOptions;
}

interface ClientEvents {
  crash: [CrashReport];
  /** A new model process runs again with the last working models (or none, if there were none). */
  recovered: [LoadResult | undefined];
  /** Restarts exhausted or the recovery load failed. */
  failed: [Error];
  log: [string];
}

interface Pending {
  name: RequestName;
  params: unknown;
  onProgress?(progress: Progress): void;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

const STDERR_TAIL_BYTES = 4000;

export class EngineClient extends EventEmitter<ClientEvents> {
  /** The forked process (a process of this client's own only). */
  private child: ChildProcess | undefined;
  private channel: MessageChannel<HostMessage, ClientMessage> | undefined;
  private processPid: number | undefined;
  private ready: Promise<void> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private lastGoodLoad: EngineLoadOptions | undefined;
  private stderrTail = "";
  private readonly restarts: number[] = [];
  private disposed = false;
  /** The model process's requests (ModelProcessApi), each a method: `client.api.generate(request, {signal})`. */
  readonly api: ModelProcessCalls;

  constructor(private readonly options: EngineClientOptions) {
    super();
    this.api = Object.fromEntries(REQUEST_NAMES.map(name =>
      [name, (params: unknown, options?: CallOptions) => this.call(name, params as never, options)])) as unknown as ModelProcessCalls;
  }

  /** Models the process holds after the last successful load. */
  get loadedOptions(): EngineLoadOptions | undefined {
    return this.lastGoodLoad;
  }

  /** After an unload: a restarted process starts empty. */
  forgetLoaded(): void {
    this.lastGoodLoad = undefined;
  }

  private requests = 0;

  /** The model process's pid (the shared one's, when shared). */
  get pid(): number | undefined {
    return this.processPid;
  }

  /** Whether this client joins the process every window shares. */
  get shared(): boolean {
    return this.options.shared !== undefined;
  }

  async load(options: EngineLoadOptions): Promise<LoadResult> {
    const result = await this.api.load(options);
    this.lastGoodLoad = result.draftError ? {...options, draftPath: undefined} : options;
    return result;
  }

  /** Sends one request; `signal` cancels it in the model process (its signal there fires). */
  private call<N extends RequestName>(name: N, params: ParamsOf<N>, {signal, onProgress}: CallOptions = {}): Promise<ResultOf<N>> {
    if (this.disposed) return Promise.reject(new DraftstopError("the engine client was disposed", "engine.disposed"));
    return this.start().then(() => new Promise<ResultOf<N>>((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, {name, params, resolve: resolve as (value: unknown) => void, reject, onProgress});
      this.send({kind: "request", id, name, params});
      if (signal) {
        const cancel = () => {
          if (this.pending.has(id)) this.send({kind: "cancel", id});
        };
        if (signal.aborted) cancel();
        else signal.addEventListener("abort", cancel, {once: true});
      }
    }));
  }

  private send(message: ClientMessage): void {
    if (message.kind === "request") this.requests++;
    this.channel?.send(message);
  }

  /** Requests sent to the model process so far (what the typing path costs in round trips). */
  get requestsSent(): number {
    return this.requests;
  }

  /** Stops the model process for good. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const child = this.child;
    this.child = undefined;
    this.rejectAll(new DraftstopError("the engine client was disposed", "engine.disposed"));
    // Closing the channel ends a process of this client's own (it exits when its IPC disconnects);
    // a shared process stays for the other windows and leaves on its own once none is left.
    const channel = this.channel;
    this.channel = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise(resolve => child.once("exit", resolve));
      channel?.close();
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    } else {
      channel?.close();
    }
    this.removeAllListeners();
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    this.stderrTail = "";
    const shared = this.options.shared;
    // A window that cannot use the shared process (its folder not private, none starting in time)
    // still completes: with a process of its own, as with sharing off.
    const ready = shared ? this.join(shared).catch(error => {
      if (this.disposed) throw error;
      this.emit("log", `could not use the shared model process (${(error as Error)?.message ?? error}); starting one for this window`);
      return this.fork();
    }) : this.fork();
    this.ready = ready;
    ready.catch(() => {
      if (this.ready === ready) this.ready = undefined;
    });
    return ready;
  }

  /** Joins the shared process, starting it when none serves; its log stands in for a child's stderr. */
  private async join(shared: SharedProcessOptions): Promise<void> {
    // After a crash the successor loads this window's last working models while the windows reconnect.
    const last = this.lastGoodLoad;
    const preload = last && {targetPath: last.targetPath, draftPath: last.draftPath, gpu: last.gpu, threads: last.threads};
    const {channel, pid} = await joinSharedProcess({...shared, preload}, this.options.hostScript, {...process.env, ELECTRON_RUN_AS_NODE: "1", ...this.options.env},
      line => this.emit("log", line));
    if (this.disposed) {
      channel.close();
      throw new DraftstopError("the engine client was disposed", "engine.disposed");
    }
    this.channel = channel;
    this.processPid = pid;
    channel.on("message", message => this.receive(message));
    channel.once("close", closed => {
      this.stderrTail = sharedLogTail(shared, STDERR_TAIL_BYTES);
      this.onGone(channel, sharedExitReason(this.stderrTail, closed.reason));
    });
  }

  private fork(): Promise<void> {
    const child = fork(this.options.hostScript, [], {
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      // In VS Code desktop process.execPath is Electron; this makes it run as plain Node.
      env: {...process.env, ELECTRON_RUN_AS_NODE: "1", ...this.options.env}
    });
    this.child = child;
    this.processPid = child.pid;
    const channel = new IpcChannel<HostMessage, ClientMessage>(child);
    this.channel = channel;
    child.stdout?.setEncoding("utf8").on("data", (text: string) => this.emit("log", text.trimEnd()));
    child.stderr?.setEncoding("utf8").on("data", (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_BYTES);
      this.emit("log", text.trimEnd());
    });
    return new Promise<void>((resolve, reject) => {
      channel.on("message", message => {
        if (message.kind === "event" && message.event === "ready") resolve();
        else this.receive(message);
      });
      child.once("exit", (code, signal) => {
        reject(new EngineCrashedError(describeExit(code, signal)));
        if (child === this.child) this.child = undefined;
        this.onGone(channel, describeExit(code, signal));
      });
      child.once("error", error => reject(error));
    });
  }

  private receive(message: HostMessage): void {
    if (message.kind === "event" && message.event === "log") this.emit("log", message.message);
    else if (message.kind === "event" && message.event === "progress") this.pending.get(message.requestId)?.onProgress?.(message);
    else if (message.kind === "response") this.settle(message);
  }

  private settle(message: Extract<HostMessage, {kind: "response"}>): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(new RemoteEngineError(message.error));
  }

  /** The process this client talked to is gone (exited, or the shared one's connection closed). */
  private onGone(channel: MessageChannel<HostMessage, ClientMessage>, reason: string): void {
    if (channel !== this.channel) return;
    this.channel = undefined;
    this.processPid = undefined;
    this.ready = undefined;
    if (this.disposed) return;
    const duringLoad = [...this.pending.values()].find(p => p.name === "load")?.params as EngineLoadOptions | undefined;
    this.rejectAll(new EngineCrashedError(reason));
    this.emit("crash", {reason, stderr: this.stderrTail, duringLoad});
    void this.recover();
  }

  private async recover(): Promise<void> {
    const now = Date.now();
    const window = this.options.restartWindowMs ?? 60_000;
    while (this.restarts.length > 0 && this.restarts[0]! < now - window) this.restarts.shift();
    if (this.restarts.length >= (this.options.maxRestarts ?? 3)) {
      this.emit("failed", new DraftstopError(
        `the model process stopped ${this.restarts.length + 1} times within ${Math.round(window / 1000)} s; not restarting it`, "engine.restartLimit"));
      return;
    }
    this.restarts.push(now);
    try {
      const result = this.lastGoodLoad ? await this.load(this.lastGoodLoad) : (await this.start(), undefined);
      this.emit("recovered", result);
    } catch (error) {
      this.emit("failed", error as Error);
    }
  }

  private rejectAll(error: Error): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(error);
  }
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return signal === "SIGABRT" ? "llama.cpp aborted (SIGABRT)" : `killed by ${signal}`;
  return `exited with code ${code}`;
}
