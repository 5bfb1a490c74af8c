// The inline completion provider: orchestrates the pipeline stages (the rules on when to complete,
// context, cache, debounce, one generation at a time, post-processing); each stage lives in its own
// module. Every request ends with one recorded reason (requestOutcome.ts), logged in one line.
import {posix} from "node:path";
import * as vscode from "vscode";
import {generateOptionsFrom} from "../settings/engineOptions";
import type {SettingsStore} from "../settings/settings";
import type {EngineSession, EngineState} from "../session/engineSession";
import {AdaptiveDebounce, wait} from "./adaptiveDebounce";
import {CompletionCache, CompletionKey, sameKey} from "./completionCache";
import {EarlyText, type EarlyShown} from "./earlyText";
import {extractCursorContext} from "./context";
import {completionStopSpec, postprocessCompletion} from "./postprocess";
import {AskWhenReady} from "./askWhenReady";
import {completionLines} from "../../engine/completionStop";
import type {PostprocessContext} from "./postprocess/types";
import {RequestGate} from "./requestGate";
import {completedReason, outcomeLogLine, RequestOutcome} from "./requestOutcome";
import {RequestOutcomes} from "./requestOutcomes";
import type {Snooze} from "./snooze";
import {automaticTriggerBlock} from "./triggerRules";
import type {Logger} from "../session/logger";
import type {ExtraContextInput} from "../../engine/prompt/extraContext/render";
import type {CursorContext, CursorPosition, LineSource} from "./context";
import {acceptedDocument, PREFILL_AFTER_MS, Prefetcher} from "./prefetch";
import {besideWidgetIsDrawable, withSelectedItem} from "./suggestWidget";


/** Where the provider gets the chunks of other files for a prompt (extraContext/collector.ts). */
export interface ExtraContextSource {
  forRequest(document: vscode.TextDocument, cursor: CursorContext): Promise<ExtraContextInput | undefined>;
}

/** The prompt window's first line moves in steps of this many lines, so the KV cache survives Enter. */
const PREFIX_ANCHOR_STRIDE = 16;

export interface ProviderCounters {
  requests: number;
  generations: number;
  cacheHits: number;
  /** Completions dropped because the document changed while they were generated. */
  staleDropped: number;
  /** Generations started ahead for the place after a shown completion, and those dropped before use. */
  prefetches: number;
  prefetchesDropped: number;
  /** Prompts evaluated ahead where the cursor jumped to. */
  prefills: number;
  peakInFlight: number;
}

export interface ShownCompletion {
  uri: string;
  /** Document version the completion was computed for, and the version when it was handed to VS Code. */
  requestVersion: number;
  documentVersion: number;
  text: string;
  fromCache: boolean;
  at: number;
}

/** What is known of a request when it arrives. */
type RequestFacts = Pick<RequestOutcome, "where" | "trigger" | "withSuggestWidget">;

/** A request's items (when something is shown) and what its outcome records besides the facts and the timing. */
interface Ending {
  items?: vscode.InlineCompletionItem[];
  end: Omit<RequestOutcome, keyof RequestFacts | "elapsedMs" | "at">;
}

export class DraftstopInlineProvider implements vscode.InlineCompletionItemProvider, vscode.Disposable {
  readonly cache = new CompletionCache();
  readonly gate = new RequestGate();
  /** How each request ended: counts per reason, the latest outcomes. */
  readonly outcomes = new RequestOutcomes();
  private debounce: AdaptiveDebounce;
  private readonly counts = {requests: 0, generations: 0, cacheHits: 0, staleDropped: 0, prefetches: 0, prefetchesDropped: 0, prefills: 0};
  private readonly cursorMoves: vscode.Disposable[];
  private prefillTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly lastLine = new WeakMap<vscode.TextEditor, number>();
  private readonly prefetcher = new Prefetcher((key, why) => {
    this.counts.prefetchesDropped++;
    this.log.debug(`prefetch dropped (${why})`);
  });
  private readonly keystrokes: vscode.Disposable;
  private readonly shownEmitter = new vscode.EventEmitter<ShownCompletion>();
  /** Fires for every completion handed to VS Code. */
  readonly onDidShow = this.shownEmitter.event;
  /** The latest completion handed to VS Code. */
  lastShown: ShownCompletion | undefined;
  /** Where a completion shown early is done and cached: the next request there shows it whole. */
  private growing: CompletionKey | undefined;
  /** The place of a request that found the models on their way, asked again when they come. */
  private readonly askWhenReady: AskWhenReady;

  constructor(private readonly session: EngineSession, private readonly settings: SettingsStore, private readonly log: Logger,
    private readonly snooze: Snooze, private readonly extraContext?: ExtraContextSource) {
    this.debounce = this.makeDebounce();
    this.askWhenReady = new AskWhenReady(session, () => {
      const editor = vscode.window.activeTextEditor;
      // After PREFILL_AFTER_MS as after a jump: in the shared process a prefill started at once
      // delayed the other windows' loads (models back in three windows 3.0–3.5 s against 2.1–2.6).
      if (editor) this.schedulePrefill(editor);
    });
    this.keystrokes = vscode.workspace.onDidChangeTextDocument(event => {
      if (event.contentChanges.length === 0) return;
      if (event.document === vscode.window.activeTextEditor?.document) this.debounce.recordKeystroke();
      if (this.prefetcher.active) this.prefetcher.edited(event.document.uri.toString(), event.contentChanges.map(change =>
        ({line: change.range.start.line, character: change.range.start.character, rangeLength: change.rangeLength, text: change.text})));
    });
    this.cursorMoves = [
      vscode.window.onDidChangeActiveTextEditor(editor => editor && this.schedulePrefill(editor)),
      vscode.window.onDidChangeTextEditorSelection(event => {
        const line = event.selections[0]?.active.line ?? 0;
        const last = this.lastLine.get(event.textEditor);
        this.lastLine.set(event.textEditor, line);
        // A jump: a click, a command (go to line, go to definition) or a move of more than one line; not typing.
        const jumped = event.kind === vscode.TextEditorSelectionChangeKind.Mouse || last === undefined || Math.abs(line - last) > 1;
        if (jumped && event.textEditor === vscode.window.activeTextEditor) this.schedulePrefill(event.textEditor);
      })
    ];
  }

  /** A prefetch (prefetch.ts) is generating. */
  get prefetching(): boolean {
    return this.prefetcher.active;
  }

  get counters(): ProviderCounters {
    return {...this.counts, peakInFlight: this.gate.counters.peakInFlight};
  }

  async provideInlineCompletionItems(document: vscode.TextDocument, position: vscode.Position,
    context: vscode.InlineCompletionContext, token: vscode.CancellationToken): Promise<vscode.InlineCompletionItem[] | undefined> {
    const started = performance.now();
    const selected = context.selectedCompletionInfo;
    const request: RequestFacts = {
      where: `${posix.basename(document.uri.path)}:${position.line + 1}:${position.character + 1}`,
      trigger: context.triggerKind === vscode.InlineCompletionTriggerKind.Automatic ? "automatic" : "invoked",
      ...(selected ? {withSuggestWidget: true} : {})
    };
    let ended: Ending;
    try {
      ended = await this.resolve(document, position, request, token, selected);
    } catch (error) {
      ended = {end: {reason: "error", detail: (error as Error).message}};
    }
    const outcome: RequestOutcome = {...request, ...ended.end, elapsedMs: performance.now() - started, at: Date.now()};
    this.outcomes.record(outcome);
    if (this.waitsForModels(outcome, document, position, selected)) this.askWhenReady.turnedAway(document, position);
    else this.askWhenReady.forget();
    // One line per request at the default level, so "nothing appeared" always has its reason in the log.
    if (outcome.reason === "error") this.log.warn(outcomeLogLine(outcome));
    else this.log.info(outcomeLogLine(outcome));
    return ended.items;
  }

  /**
   * Whether a request ended for want of models that are on their way (loading, or restarting after
   * a crash that cut it short), at a place an automatic request may complete: VS Code will not ask
   * there again by itself.
   */
  private waitsForModels(outcome: RequestOutcome, document: vscode.TextDocument, position: vscode.Position,
    selected: vscode.SelectedCompletionInfo | undefined): boolean {
    if (outcome.reason !== "noModels" && outcome.reason !== "error") return false;
    if (this.session.ready || this.session.snapshot.state.kind !== "loading" || selected) return false;
    return outcome.trigger !== "automatic" || this.triggerBlock(this.place(document, linesOf(document), position, true)) === undefined;
  }

  /**
   * The request's items and how it ended; exactly one ending per request. With the suggest widget
   * open (`selected`), the completion continues the widget's selected item as if it were inserted
   * (suggestWidget.ts), and the item returned replaces the item's range with that item and the
   * continuation, which is what VS Code shows beside the widget.
   */
  private async resolve(document: vscode.TextDocument, position: vscode.Position, request: RequestFacts,
    token: vscode.CancellationToken, selected?: vscode.SelectedCompletionInfo): Promise<Ending> {
    const values = this.settings.values;
    if (!values.enable) return {end: {reason: "disabled"}};
    if (this.snooze.snoozed) return {end: {reason: "snoozed"}};
    if (values.disabledLanguages.includes(document.languageId)) return {end: {reason: "languageDisabled", detail: document.languageId}};
    if (!this.session.ready) return {end: {reason: "noModels", detail: notReadyDetail(this.session.snapshot.state)}};
    if (selected && !besideWidgetIsDrawable(document.getText(selected.range), selected.text)) {
      return {end: {reason: "widgetItemRewrites", detail: `${JSON.stringify(selected.text)} over ${JSON.stringify(document.getText(selected.range))}`}};
    }
    this.counts.requests++;
    const automatic = request.trigger === "automatic";
    const widget = selected ? withSelectedItem(linesOf(document), selected.range, selected.text) : undefined;
    const place = this.place(document, widget?.doc ?? linesOf(document), widget?.position ?? position, automatic);
    if (automatic) {
      const blocked = this.triggerBlock(place);
      if (blocked) return {end: {reason: blocked}};
    }
    const {cursor, key} = place;
    const requestVersion = document.version;
    const finish = (raw: string, how: {fromCache: boolean; prefetched?: boolean; tokens?: number; extraContext?: RequestOutcome["extraContext"];
      early?: EarlyShown}): Ending => {
      const text = this.shownText(raw, place);
      const grown = how.fromCache && this.growing !== undefined && sameKey(this.growing, key);
      if (grown) this.growing = undefined;
      const end: Ending["end"] = {reason: grown && text ? "grown" : completedReason(raw, text, how.fromCache, how.prefetched), modelText: raw,
        fromCache: how.fromCache, tokens: how.tokens, extraContext: how.extraContext, ...(how.early ? {detail: earlyDetail(how.early)} : {})};
      if (!text) return {end};
      this.lastShown = {uri: key.uri, requestVersion, documentVersion: document.version, text, fromCache: how.fromCache, at: Date.now()};
      this.shownEmitter.fire(this.lastShown);
      if (selected) return {items: [new vscode.InlineCompletionItem(selected.text + text, selected.range)], end};
      // What follows early text is the rest of the completion, which the generation is writing.
      if (!how.early) this.prefetchAfter(document, position, text);
      return {items: [new vscode.InlineCompletionItem(text, new vscode.Range(position, position))], end};
    };
    this.log.debug(`request ${request.where} (${request.trigger}): prefix ${cursor.prefix.length} chars, suffix ${cursor.suffix.length}, ` +
      `${JSON.stringify(cursor.linePrefix.slice(-20))}|${JSON.stringify(cursor.lineSuffix.slice(0, 20))}`);

    const cached = this.cache.get(key) ?? this.cache.lookupTypingThrough(key);
    if (cached !== undefined) {
      this.counts.cacheHits++;
      return finish(cached, {fromCache: true, prefetched: this.cache.prefetched(key)});
    }
    const abort = new AbortController();
    let cancellation: vscode.Disposable | undefined = token.onCancellationRequested(() => abort.abort());
    try {
      // A prefetch computing this very place is waited for; one for any other place is dropped.
      const prefetched = await this.prefetcher.take(key);
      if (prefetched !== undefined) {
        this.counts.cacheHits++;
        if (document.version !== requestVersion || token.isCancellationRequested) return {end: {reason: "stale", modelText: prefetched}};
        return finish(prefetched, {fromCache: true, prefetched: true});
      }
      const debounceMs = automatic ? this.debounce.delayMs() : 0;
      if (debounceMs > 0 && !(await wait(debounceMs, abort.signal))) return {end: {reason: "debounced"}};
      let generating = false;
      // Automatic requests only: VS Code asks again for the whole completion (grow) as an invoked
      // request, which an answer to an invoked request at the same place would satisfy without asking.
      const early = automatic && !selected ? EarlyText.for(place.postprocess,
        {maxLines: values.maxLines, firstLines: values.firstLineEarly, partialAfterMs: values.partialLineAfterMs > 0 ? values.partialLineAfterMs : undefined}) : undefined;
      const generation = this.generate(document, place, abort.signal, () => {
        this.counts.generations++;
        generating = true;
      }, false, {}, early?.onText);
      const first = early && await Promise.race([generation.then(() => undefined), early.shown]);
      if (first !== undefined && document.version === requestVersion && !token.isCancellationRequested) {
        // The completion's first lines or words now. The generation goes on as the prefetch of the
        // place after them (grow): Tab takes the rest from it, typing anything else drops it.
        cancellation.dispose();
        cancellation = undefined;
        this.grow({document, position, place, requestVersion, first, generation, abort, token, where: request.where});
        return finish(first.shown, {fromCache: false, early: first});
      }
      const summary = await generation;
      if (!summary) return {end: {reason: "cancelled", detail: generating ? "while generating" : "before it started"}};
      if (summary.stopReason === "abort") return {end: {reason: "cancelled", detail: "while generating", tokens: summary.tokenCount}};
      this.log.debug(`completion ${request.where}: ${describeGeneration(summary)}`);
      const context = contextFacts(summary);
      this.cache.set(key, summary.text); // right for that text even when stale, should the user come back to it
      if (document.version !== requestVersion || token.isCancellationRequested) {
        this.counts.staleDropped++;
        return {end: {reason: "stale", tokens: summary.tokenCount, modelText: summary.text, extraContext: context}};
      }
      return finish(summary.text, {fromCache: false, tokens: summary.tokenCount, extraContext: context});
    } finally {
      cancellation?.dispose();
    }
  }

  /**
   * The rest of a completion shown early (its first lines or words), followed as the prefetch of
   * the place after them (prefetch.ts): accepting them is served the rest, and an edit that is
   * not them typed or accepted, or a request elsewhere, drops it and stops the generation. Once the
   * completion is done it is cached, and unless VS Code has dropped the request (a newer one,
   * Escape), VS Code is asked again at the same place, which the cache answers with it whole.
   */
  private grow(growth: Growth): void {
    const {document, position, place, requestVersion, first, token, where} = growth;
    const accepted = acceptedDocument(linesOf(document), position, first.shown);
    const next = this.place(document, accepted.doc, accepted.position, true);
    this.prefetcher.start(next.key, first.shown, position, async signal => {
      const stop = () => growth.abort.abort();
      signal.addEventListener("abort", stop, {once: true});
      let summary: GenerationSummary | undefined;
      try {
        summary = await growth.generation;
      } catch (error) {
        this.log.debug(`completion ${where}: the rest after what was shown early failed: ${(error as Error).message}`);
      } finally {
        signal.removeEventListener("abort", stop);
      }
      if (!summary || summary.stopReason === "abort") return undefined;
      this.log.debug(`completion ${where}: ${describeGeneration(summary)}`);
      this.cache.set(place.key, summary.text);
      const text = this.shownText(summary.text, place);
      if (text && text !== first.shown) {
        const dropped = document.version !== requestVersion ? "the document changed" : token.isCancellationRequested ? "VS Code dropped the request" : undefined;
        if (dropped) this.log.debug(`completion ${where}: the whole completion is not shown (${dropped})`);
        else {
          this.growing = place.key;
          void vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
        }
      }
      const rest = summary.text.startsWith(first.raw) ? summary.text.slice(first.raw.length) : undefined;
      if (rest === undefined || !this.shownText(rest, next)) {
        // The completion was what was shown early: what follows it is a completion of its own.
        return signal.aborted ? undefined : this.prefetchFor(document, next, accepted.position, signal);
      }
      this.cache.set(next.key, rest, {prefetched: true});
      return rest;
    });
  }

  /** The ghost text `raw` model text makes at `place` (post-processing, with the settings' maxLines); undefined: nothing. */
  private shownText(raw: string, place: Place): string | undefined {
    return postprocessCompletion(raw, place.postprocess, {maxLines: this.settings.values.maxLines});
  }

  /** What a request at `position` of `lines` (the document, or the document as it will be) sends and compares. */
  private place(document: vscode.TextDocument, lines: LineSource, position: CursorPosition, automatic: boolean): Place {
    const values = this.settings.values;
    const eol = document.eol === vscode.EndOfLine.CRLF ? "\r\n" : "\n";
    const cursor = extractCursorContext(lines, position,
      {prefixLines: values.prefixLines, suffixLines: values.suffixLines, eol, prefixAnchorStride: PREFIX_ANCHOR_STRIDE});
    const key: CompletionKey = {uri: document.uri.toString(), languageId: document.languageId, prefix: cursor.prefix, suffix: cursor.suffix};
    const postprocess: PostprocessContext = {linePrefix: cursor.linePrefix, lineSuffix: cursor.lineSuffix, suffix: cursor.suffix,
      indentation: cursor.indentation, eol, tabSize: tabSizeOf(document), lines: completionLines(cursor.linePrefix, cursor.lineSuffix, !automatic)};
    return {cursor, key, postprocess};
  }

  /** Why an automatic request at this place is turned away (trigger rules), if it is. */
  private triggerBlock(place: Place): ReturnType<typeof automaticTriggerBlock> {
    const values = this.settings.values;
    return automaticTriggerBlock(place.cursor.lineSuffix, {midWord: values["trigger.midWord"], maxCharsRight: values["trigger.maxCharsRight"]});
  }

  /** One generation through the gate (the newest request, or prefetch, gets the engine); undefined when superseded or cancelled. */
  private async generate(document: vscode.TextDocument, place: Place, signal: AbortSignal, onStart: () => void, background = false,
    overrides: {maxTokens?: number} = {}, onText?: (text: string) => void): Promise<GenerationSummary | undefined> {
    const values = this.settings.values;
    const extraContext = await this.extraContext?.forRequest(document, place.cursor);
    return this.gate.run(gateSignal => {
      onStart();
      // The engine stops where post-processing would cut: the same rules, fed as tokens come.
      const options = {...generateOptionsFrom(values), completionStop: completionStopSpec(place.postprocess, values.maxLines), ...overrides};
      return this.session.complete({prefix: place.cursor.prefix, suffix: place.cursor.suffix, extraContext}, options, gateSignal, background, onText);
    }, {signal});
  }

  /**
   * PREFILL_AFTER_MS after the cursor jumped (or a file was opened, or the models came back: first
   * loaded or after a restart), if it stayed, evaluates the prompt there in the background, so that
   * the first keystroke pays only for its own tokens. It waits for nothing: it starts only while no
   * generation runs, and any request supersedes it.
   */
  private schedulePrefill(editor: vscode.TextEditor): void {
    clearTimeout(this.prefillTimer);
    this.prefillTimer = setTimeout(() => {
      const values = this.settings.values;
      const document = editor.document;
      if (!values.prefetch || !values.enable || this.snooze.snoozed || values.disabledLanguages.includes(document.languageId)) return;
      if (!this.session.ready || this.session.generationsInFlight > 0 || document.isClosed || editor !== vscode.window.activeTextEditor) return;
      if (!["file", "untitled", "vscode-remote"].includes(document.uri.scheme)) return;
      const place = this.place(document, linesOf(document), editor.selection.active, true);
      if (place.cursor.prefix.length === 0) return; // nothing to evaluate at the start of a file
      void this.generate(document, place, new AbortController().signal, () => this.counts.prefills++, true, {maxTokens: 1})
        .catch(error => this.log.debug(`prefill failed: ${(error as Error).message}`));
    }, PREFILL_AFTER_MS);
  }

  /**
   * Generates ahead the completion that follows `shown` once it is accepted (prefetch.ts), unless
   * that place is cached already or an automatic request there would be turned away.
   */
  private prefetchAfter(document: vscode.TextDocument, position: vscode.Position, shown: string): void {
    if (!this.settings.values.prefetch) return;
    const accepted = acceptedDocument(linesOf(document), position, shown);
    const place = this.place(document, accepted.doc, accepted.position, true);
    if (this.triggerBlock(place)) return;
    if (this.cache.get(place.key) !== undefined) return;
    this.prefetcher.start(place.key, shown, position, signal => this.prefetchFor(document, place, accepted.position, signal));
  }

  /** Generates the completion at `place` ahead of its request, into the cache. */
  private async prefetchFor(document: vscode.TextDocument, place: Place, at: CursorPosition, signal: AbortSignal): Promise<string | undefined> {
    const summary = await this.generate(document, place, signal, () => this.counts.prefetches++, true);
    if (!summary || summary.stopReason === "abort") return undefined;
    this.cache.set(place.key, summary.text, {prefetched: true});
    this.log.debug(`prefetch ${posix.basename(document.uri.path)}:${at.line + 1}:${at.character + 1}: ${describeGeneration(summary)}`);
    return summary.text;
  }

  /** Settings changed: the cache may hold completions made under other settings. */
  reset(): void {
    clearTimeout(this.prefillTimer);
    this.prefetcher.drop("settings");
    this.cache.clear();
    this.debounce = this.makeDebounce();
  }

  private makeDebounce(): AdaptiveDebounce {
    const minMs = this.settings.values["debounce.minMs"];
    return new AdaptiveDebounce({minMs, maxMs: Math.max(minMs, this.settings.values["debounce.maxMs"])});
  }

  dispose(): void {
    clearTimeout(this.prefillTimer);
    this.askWhenReady.dispose();
    for (const subscription of this.cursorMoves) subscription.dispose();
    this.prefetcher.drop("settings");
    this.keystrokes.dispose();
    this.shownEmitter.dispose();
    this.gate.cancel();
  }
}

type GenerationSummary = Awaited<ReturnType<EngineSession["complete"]>>;

/** A generation shown early, followed to its end (grow). */
interface Growth {
  document: vscode.TextDocument;
  position: vscode.Position;
  place: Place;
  requestVersion: number;
  first: EarlyShown;
  generation: Promise<GenerationSummary | undefined>;
  /** Stops the generation. */
  abort: AbortController;
  token: vscode.CancellationToken;
  where: string;
}

/** What a request sends (the text around the cursor), its cache key, and what post-processing and the stop rules read. */
interface Place {
  cursor: CursorContext;
  key: CompletionKey;
  postprocess: PostprocessContext;
}

function linesOf(document: vscode.TextDocument): LineSource {
  return {lineCount: document.lineCount, lineAt: line => document.lineAt(line).text};
}

function describeGeneration(summary: GenerationSummary): string {
  return `${summary.tokenCount} tokens in ${summary.totals.decodeMs.toFixed(0)} ms, ` +
    `${summary.totals.accepted}/${summary.totals.drafted} drafts accepted${summary.tokensPastStop ? ` (${summary.tokensPastStop} past the stop)` : ""}, ` +
    `prefill ${summary.prefill.targetEvaluated} tokens (${summary.prefill.targetReused} reused), ${summary.stopReason}, model wrote ${JSON.stringify(summary.text)}` +
    (summary.extraContext ? `, extra context ${summary.extraContext.paths.join(", ")}` : "");
}

/** What the prompt's extra context was, and what its prefill cost (its share of the prefill time, by tokens evaluated). */
function contextFacts(summary: GenerationSummary): RequestOutcome["extraContext"] {
  const extra = summary.extraContext;
  if (!extra || extra.tokens === 0) return undefined;
  const {targetEvaluated, ms} = summary.prefill;
  return {files: extra.paths.length, tokens: extra.tokens, evaluated: extra.evaluated,
    prefillMs: targetEvaluated > 0 ? ms * extra.evaluated / targetEvaluated : 0};
}

/** Why the models cannot complete now, beyond "no models": still loading, or failed. */
function notReadyDetail(state: EngineState): string | undefined {
  if (state.kind === "loading") return state.what;
  if (state.kind === "error") return `the models failed to load: ${state.message}`;
  return undefined;
}

function tabSizeOf(document: vscode.TextDocument): number | undefined {
  const editor = vscode.window.visibleTextEditors.find(e => e.document === document);
  const size = editor?.options.tabSize;
  return typeof size === "number" ? size : undefined;
}

/** The log's word for a completion shown before it was done. */
function earlyDetail(early: EarlyShown): string {
  return early.partial ? "the line so far, the rest follows" : "first lines, the block follows";
}
