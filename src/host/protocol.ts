// Messages between the extension (client) and the model process (host), over Node's IPC channel.
// Plain JSON-compatible data only: the two sides share types, never objects.
import type {EngineInfo, FimLayout, GenerateOptions, PolicySpec, PolicyState, StatsSummary, StopReason} from "../engine";
import type {EngineLoadOptions} from "../engine/engine";
import type {BenchJson} from "../bench/report";
import type {FimLayoutMeasurement} from "../engine/fimLayoutCost";
import type {PrefillRecord} from "../engine/speculative";
import type {RoundRecord, StatsTotals} from "../engine/stats";

export interface FimRequest {
  prefix: string;
  suffix: string;
  layout?: FimLayout;
}

export interface GenerateRequest {
  /** Plain text (tokenized with BOS) or a FIM request built with the target's FIM tokens. */
  prompt: {text: string} | {fim: FimRequest};
  options: Omit<GenerateOptions, "signal">;
}

export interface GenerationSummary {
  text: string;
  tokenCount: number;
  stopReason: StopReason;
  policy: string;
  promptLayout: FimLayout | "prefixOnly" | "text";
  promptTokens: number;
  droppedPromptTokens: number;
  prefill: PrefillRecord;
  totals: StatsTotals;
  rounds: RoundRecord[];
  targetTokenMs: number;
  seed: number;
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

export interface Requests {
  load: {params: EngineLoadOptions; result: LoadResult};
  generate: {params: GenerateRequest; result: GenerationSummary};
  abort: {params: {requestId: number}; result: void};
  setPolicy: {params: PolicySpec; result: void};
  stats: {params: void; result: {summary: StatsSummary; policy: {name: string; state: PolicyState}} | undefined};
  resetStats: {params: void; result: void};
  unload: {params: void; result: void};
  resources: {params: void; result: {loadedModels: number; engine: boolean; rssBytes: number}};
  download: {params: {uri: string; directory: string}; result: {path: string; totalBytes: number}};
  measureFimLayouts: {params: void; result: FimLayoutMeasurement};
  benchmark: {params: BenchmarkRequest; result: BenchJson};
}

export type RequestName = keyof Requests;

export interface RequestMessage<N extends RequestName = RequestName> {
  kind: "request";
  id: number;
  name: N;
  params: Requests[N]["params"];
}

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
