// The contract between the extension (EngineClient, engineClient.ts) and the model process
// (EngineHost, engineHost.ts), over Node's IPC channel: ModelProcessApi has one method a request,
// the host implements it and the client calls it through a proxy of the same shape, so both ends
// are checked against one type. Plain JSON-compatible data only: the sides share types, never objects.
import type {EngineInfo, FimLayout, GenerateOptions, PolicySpec, PolicyState, StatsSummary, StopReason} from "./engine";
import type {EngineLoadOptions, ExtraContextReport, InfillRequest} from "./engine/engine";
import type {BenchJson} from "./benchmark/report";
import type {FimLayoutMeasurement} from "./engine/fimLayoutCost";
import type {PrefillRecord} from "./engine/decoding/speculative";
import type {RoundRecord, StatsTotals} from "./engine/stats/roundRecord";
import type {CalibrationSnapshot} from "./engine/drafting/engineCalibration";

export interface GenerateRequest {
  /** Plain text (tokenized with BOS) or the text around a cursor, put in the target's FIM layout by the engine. */
  prompt: {text: string} | {fim: InfillRequest};
  options: Omit<GenerateOptions, "signal" | "onText">;
  /**
   * Generated ahead of any request (a prefetch, a prefill): left out of the session statistics,
   * since nobody waited for it; the calibration and the cost model still learn from it.
   */
  background?: boolean;
  /**
   * Report the text while generating: after each round that added some, a progress event whose
   * message is the text so far (GenerateOptions.onText), so that the ghost text can show a block's
   * first line, or a slow line's first words, before the completion is done.
   */
  reportText?: boolean;
}

export interface GenerationSummary {
  text: string;
  tokenCount: number;
  /** Tokens the last round accepted beyond where a stop check ended the text. */
  tokensPastStop: number;
  stopReason: StopReason;
  policy: string;
  promptLayout: FimLayout | "prefixOnly" | "text";
  promptTokens: number;
  droppedPromptTokens: number;
  /** The chunks of other files the prompt held, and what of them the target evaluated (0: all from the KV cache). */
  extraContext?: ExtraContextReport;
  prefill: PrefillRecord;
  totals: StatsTotals;
  rounds: RoundRecord[];
  targetTokenMs: number;
  seed: number;
  /** The session's statistics after this generation (a completion then needs no second request for them). */
  stats: SessionStats;
}

export interface LoadResult {
  info: EngineInfo;
  /** Set when the draft could not be used and the target decodes alone. */
  draftError?: SerializedError;
}

export interface BenchmarkRequest {
  /** Folders (or files) to cut FIM positions from. */
  roots: string[];
  count: number;
  repeats: number;
  temperatures: number[];
  maxTokens: number;
  topK: number;
  topP: number;
}

export interface SessionStats {
  summary: StatsSummary;
  policy: {name: string; state: PolicyState};
  /** The cost model and the learned acceptance map (engine/calibration). */
  calibration: CalibrationSnapshot;
}

export interface ProcessResources {
  loadedModels: number;
  engine: boolean;
  rssBytes: number;
  pid: number;
  /** Set by a shared process: what it serves besides this window. */
  shared?: SharedMachine;
}

/** The shared model process as a whole (docs/sharing.md): the windows it serves and the models they hold. */
export interface SharedMachine {
  windows: number;
  /** Generations waiting for their turn or running, every window's. */
  queuedGenerations: number;
  /** Bytes of model files loaded, and the most the process loads at once. */
  heldBytes: number;
  budgetBytes: number;
  /** Each loaded pair: its files and the windows that use it. */
  pairs: Array<{targetPath: string; draftPath?: string; bytes: number; holders: string[]}>;
  /** Every connected window's statistics added up (each window's own are its `stats`). */
  completions: number;
  tokens: number;
}

export interface DownloadRequest {
  uri: string;
  directory: string;
}

export interface DownloadResult {
  path: string;
  totalBytes: number;
}

/** What the host hands each request: its cancellation, and a way to report progress. */
export interface RequestContext {
  /** Fires when the client cancels the request, or when the models are unloaded. */
  signal: AbortSignal;
  progress(progress: Progress): void;
}

/** Every request the model process answers. An optional `params` means the request takes none. */
export interface ModelProcessApi {
  load(params: EngineLoadOptions): Promise<LoadResult>;
  generate(params: GenerateRequest, context: RequestContext): Promise<GenerationSummary>;
  setPolicy(params: PolicySpec): Promise<void>;
  /** Undefined while no models are loaded. */
  stats(params?: undefined): Promise<SessionStats | undefined>;
  resetStats(params?: undefined): Promise<void>;
  unload(params?: undefined): Promise<void>;
  resources(params?: undefined): Promise<ProcessResources>;
  download(params: DownloadRequest, context: RequestContext): Promise<DownloadResult>;
  measureFimLayouts(params?: undefined): Promise<FimLayoutMeasurement>;
  benchmark(params: BenchmarkRequest, context: RequestContext): Promise<BenchJson>;
}

export type RequestName = keyof ModelProcessApi;
export type ParamsOf<N extends RequestName> = Parameters<ModelProcessApi[N]>[0];
export type ResultOf<N extends RequestName> = Awaited<ReturnType<ModelProcessApi[N]>>;

/** The names the host accepts, checked against ModelProcessApi both ways at compile time. */
export const REQUEST_NAMES = ["load", "generate", "setPolicy", "stats", "resetStats", "unload", "resources", "download",
  "measureFimLayouts", "benchmark"] as const satisfies readonly RequestName[];
type Unlisted = Exclude<RequestName, typeof REQUEST_NAMES[number]>;
const everyRequestListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyRequestListed;

export function isRequestName(name: unknown): name is RequestName {
  return (REQUEST_NAMES as readonly unknown[]).includes(name);
}

/** How the client calls a request: cancellation and progress instead of the host's context. */
export interface CallOptions {
  signal?: AbortSignal;
  onProgress?(progress: Progress): void;
}

/** The client's side of ModelProcessApi: the same methods, params and results. */
export type ModelProcessCalls = {
  [N in RequestName]: undefined extends ParamsOf<N>
    ? (params?: ParamsOf<N>, options?: CallOptions) => Promise<ResultOf<N>>
    : (params: ParamsOf<N>, options?: CallOptions) => Promise<ResultOf<N>>;
};

export type ClientMessage =
  | {kind: "request"; id: number; name: RequestName; params: unknown}
  /** Aborts the request's signal in the host; the request still answers (a generation with stopReason "abort"). */
  | {kind: "cancel"; id: number};

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  /** ModelFileError / VocabularyMismatchError / InvalidOptionError fields, when present. */
  path?: string;
  problem?: string;
  role?: string;
  option?: string;
}

export type ResponseMessage =
  | {kind: "response"; id: number; ok: true; result: unknown}
  | {kind: "response"; id: number; ok: false; error: SerializedError};

/** Progress of a long request: bytes of a download, runs of a benchmark. */
export interface Progress {
  done: number;
  total: number;
  message?: string;
}

export type EventMessage =
  | {kind: "event"; event: "ready"}
  | ({kind: "event"; event: "progress"; requestId: number} & Progress)
  | {kind: "event"; event: "log"; level: "info" | "warn" | "error"; message: string};

export type HostMessage = ResponseMessage | EventMessage;

export function serializeError(error: unknown): SerializedError {
  const e = error as Partial<SerializedError> & {name?: string; message?: string};
  const serialized: SerializedError = {name: e?.name ?? "Error", message: e?.message ?? String(error)};
  for (const key of ["code", "path", "problem", "role", "option"] as const)
    if (typeof e?.[key] === "string") serialized[key] = e[key];
  return serialized;
}

// Sharing one model process among windows (docs/sharing.md): over the Unix domain socket (a named
// pipe on Windows) the first frame a window sends is a HelloMessage; the process answers
// WelcomeMessage and then speaks ClientMessage/HostMessage as over IPC, or RefusedMessage and closes.

/** The first message on a shared connection: the token from the rendezvous directory proves the same user. */
export interface HelloMessage {
  kind: "hello";
  /** The 64 hex digits of the token file (absent: refused as "missing token"). */
  token: string;
  /** Names the window in the process's log (the VS Code session id or the like). */
  window: string;
  /** The extension version; it must be the process's own. */
  version: string;
}

export type WelcomeMessage = {kind: "event"; event: "welcome"};

/**
 * How a shared process's log line begins when it starts serving: what follows it in the log is
 * that process's own, where a window reads why the process went away (llama.cpp's last words).
 */
export const SHARED_SERVING_LINE = "serving version";

/**
 * What a window that starts the shared process passes as `--preload` (JSON): the files and backend
 * of its last working models, which the process starts loading before any window asks for them.
 */
export type SharedPreload = Pick<EngineLoadOptions, "targetPath" | "draftPath" | "gpu" | "threads">;

/** Why a shared connection was refused at its handshake (logged by the model process, sent to the window when it can be). */
export type RefusalReason = "missing token" | "wrong token" | "wrong version" | "malformed first message" | "oversized frame" | "no hello in time";

export type RefusedMessage = {kind: "event"; event: "refused"; reason: RefusalReason};

/** What a window may receive before its welcome. */
export type HandshakeReply = WelcomeMessage | RefusedMessage;
