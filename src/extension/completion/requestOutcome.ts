// How one completion request ended. Every request VS Code makes ends with exactly one reason, so
// that "nothing appeared" always has an answer: in the log (one line per request at the default
// level), in the status bar's tooltip and in the statistics panel's counts.

/** Why a request showed what it showed (or nothing). The order is the statistics panel's. */
export const REQUEST_REASONS = [
  "shown", "grown", "cacheHit", "prefetched", "emptyAfterPostprocessing", "endedAtOnce", "debounced", "cancelled", "stale", "error",
  "midWord", "textRightOfCursor", "widgetItemRewrites", "snoozed", "languageDisabled", "disabled", "noModels"
] as const;
export type RequestReason = (typeof REQUEST_REASONS)[number];

export const REASON_LABELS: Record<RequestReason, string> = {
  shown: "shown",
  grown: "grown to the whole completion",
  cacheHit: "cache hit",
  prefetched: "prefetched",
  emptyAfterPostprocessing: "empty after post-processing",
  endedAtOnce: "the model ended at once",
  debounced: "debounced away",
  cancelled: "cancelled by typing",
  stale: "stale",
  error: "error",
  midWord: "mid-word",
  textRightOfCursor: "text right of the cursor",
  widgetItemRewrites: "the widget's item rewrites typed text",
  snoozed: "snoozed",
  languageDisabled: "language disabled",
  disabled: "completions disabled",
  noModels: "no models"
};

/** Reasons that ran the model (or served what it wrote): the status bar's "last completion". */
const GENERATED: ReadonlySet<RequestReason> = new Set(["shown", "grown", "cacheHit", "prefetched", "emptyAfterPostprocessing", "endedAtOnce", "stale", "error"]);

export interface RequestOutcome {
  reason: RequestReason;
  /** `file.ts:12:4`: the document's base name, 1-based line and column. */
  where: string;
  trigger: "automatic" | "invoked";
  /** Asked while the suggest widget was open: the completion continues its selected item (suggestWidget.ts). */
  withSuggestWidget?: boolean;
  /** From the request's arrival to its end, debounce included. */
  elapsedMs: number;
  /** Tokens the model generated for it (absent when it did not run). */
  tokens?: number;
  /** What the model wrote, before post-processing. */
  modelText?: string;
  /** Served from the cache of earlier completions. */
  fromCache?: boolean;
  /** The chunks of other files in the prompt: how many files, their tokens, how many of those were evaluated (0: all in the KV cache already), and that part of the prefill's time. */
  extraContext?: {files: number; tokens: number; evaluated: number; prefillMs: number};
  /** An error's message, the engine's state, the language id, … */
  detail?: string;
  /** Date.now() at the end. */
  at: number;
}

export function isGenerated(outcome: RequestOutcome): boolean {
  return GENERATED.has(outcome.reason);
}

/**
 * The reason for a request whose model text is known (generated now, cached, or generated ahead
 * by a prefetch): shown when post-processing left something, else whether the model wrote nothing at all or wrote only what
 * post-processing removes.
 */
export function completedReason(modelText: string, shownText: string | undefined, fromCache: boolean, prefetched = false): RequestReason {
  if (shownText) return prefetched ? "prefetched" : fromCache ? "cacheHit" : "shown";
  return modelText.length === 0 ? "endedAtOnce" : "emptyAfterPostprocessing";
}

const QUOTED_MODEL_TEXT = 40;

/** `empty after post-processing (model wrote "\n  ")`, `shown (12 tokens, 85 ms)`, `error: boom`. */
export function describeOutcome(outcome: RequestOutcome): string {
  const label = REASON_LABELS[outcome.reason];
  const facts: string[] = [];
  if (outcome.reason === "emptyAfterPostprocessing" && outcome.modelText !== undefined) facts.push(`model wrote ${quote(outcome.modelText)}`);
  if (outcome.tokens !== undefined && !outcome.fromCache) facts.push(`${outcome.tokens} token${outcome.tokens === 1 ? "" : "s"}`);
  if (outcome.fromCache && outcome.reason !== "cacheHit" && outcome.reason !== "prefetched" && outcome.reason !== "grown") facts.push("cached");
  const context = outcome.extraContext;
  if (context) facts.push(`context from ${context.files} file${context.files === 1 ? "" : "s"}, ${context.tokens} tokens ${context.evaluated === 0 ? "reused" : `(${context.evaluated} evaluated)`}`);
  if (outcome.detail && outcome.reason !== "error") facts.push(outcome.detail);
  facts.push(`${Math.round(outcome.elapsedMs)} ms`);
  const error = outcome.reason === "error" && outcome.detail ? `: ${outcome.detail}` : "";
  return `${label}${error} (${facts.join(", ")})`;
}

/** The log's one line per request: `completion ts:12:4 → empty after post-processing (model wrote "…", 3 tokens, 41 ms)`. */
export function outcomeLogLine(outcome: RequestOutcome): string {
  return `completion ${outcome.where}${outcome.trigger === "invoked" ? " (invoked)" : ""}${outcome.withSuggestWidget ? " (with the suggest widget)" : ""} → ${describeOutcome(outcome)}`;
}

/** JSON-quoted, so line breaks and spaces show; cut after QUOTED_MODEL_TEXT characters. */
function quote(text: string): string {
  const cut = text.length > QUOTED_MODEL_TEXT ? `${text.slice(0, QUOTED_MODEL_TEXT)}…` : text;
  return JSON.stringify(cut);
}
