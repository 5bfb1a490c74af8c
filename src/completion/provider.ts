// The inline completion provider: orchestrates the pipeline stages (context, cache, debounce,
// one generation at a time, post-processing); each stage lives in its own module.
import * as vscode from "vscode";
import {generateOptionsFrom} from "../config/engineOptions";
import type {SettingsStore} from "../config/settings";
import type {EngineSession} from "../session/engineSession";
import {AdaptiveDebounce, wait} from "./adaptiveDebounce";
import {CompletionCache, CompletionKey} from "./completionCache";
import {extractCursorContext} from "./context";
import {postprocessCompletion} from "./postprocess";
import type {PostprocessContext} from "./postprocess/types";
import {RequestGate} from "./requestGate";
import type {Logger} from "../session/logger";

/** The prompt window's first line moves in steps of this many lines, so the KV cache survives Enter. */
const PREFIX_ANCHOR_STRIDE = 16;

export interface ProviderCounters {
  requests: number;
  generations: number;
  cacheHits: number;
  /** Completions dropped because the document changed while they were generated. */
  staleDropped: number;
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

export class DraftstopInlineProvider implements vscode.InlineCompletionItemProvider, vscode.Disposable {
  readonly cache = new CompletionCache();
  readonly gate = new RequestGate();
  private debounce: AdaptiveDebounce;
  private readonly counts = {requests: 0, generations: 0, cacheHits: 0, staleDropped: 0};
  private readonly keystrokes: vscode.Disposable;
  private readonly shownEmitter = new vscode.EventEmitter<ShownCompletion>();
  /** Fires for every completion handed to VS Code. */
  readonly onDidShow = this.shownEmitter.event;
  /** The latest completion handed to VS Code. */
  lastShown: ShownCompletion | undefined;

  constructor(private readonly session: EngineSession, private readonly settings: SettingsStore, private readonly log: Logger) {
    this.debounce = this.makeDebounce();
    this.keystrokes = vscode.workspace.onDidChangeTextDocument(event => {
      if (event.contentChanges.length > 0 && event.document === vscode.window.activeTextEditor?.document) this.debounce.recordKeystroke();
    });
  }

  get counters(): ProviderCounters {
    return {...this.counts, peakInFlight: this.gate.counters.peakInFlight};
  }

  async provideInlineCompletionItems(document: vscode.TextDocument, position: vscode.Position,
    context: vscode.InlineCompletionContext, token: vscode.CancellationToken): Promise<vscode.InlineCompletionItem[] | undefined> {
    const values = this.settings.values;
    if (!values.enable || values.disabledLanguages.includes(document.languageId) || !this.session.ready) return undefined;
    this.counts.requests++;
    const eol = document.eol === vscode.EndOfLine.CRLF ? "\r\n" : "\n";
    const cursor = extractCursorContext({lineCount: document.lineCount, lineAt: line => document.lineAt(line).text}, position,
      {prefixLines: values.prefixLines, suffixLines: values.suffixLines, eol, prefixAnchorStride: PREFIX_ANCHOR_STRIDE});
    const key: CompletionKey = {uri: document.uri.toString(), languageId: document.languageId, prefix: cursor.prefix, suffix: cursor.suffix};
    const postprocessContext: PostprocessContext = {linePrefix: cursor.linePrefix, lineSuffix: cursor.lineSuffix, suffix: cursor.suffix,
      indentation: cursor.indentation, eol, tabSize: tabSizeOf(document)};
    const requestVersion = document.version;
    const finish = (raw: string, fromCache: boolean) => {
      const text = postprocessCompletion(raw, postprocessContext, {maxLines: values.maxLines});
      if (!text) return undefined;
      this.lastShown = {uri: key.uri, requestVersion, documentVersion: document.version, text, fromCache, at: Date.now()};
      this.shownEmitter.fire(this.lastShown);
      return [new vscode.InlineCompletionItem(text, new vscode.Range(position, position))];
    };

    const cached = this.cache.get(key) ?? this.cache.lookupTypingThrough(key);
    if (cached !== undefined) {
      this.counts.cacheHits++;
      return finish(cached, true);
    }

    const abort = new AbortController();
    const cancellation = token.onCancellationRequested(() => abort.abort());
    try {
      if (context.triggerKind === vscode.InlineCompletionTriggerKind.Automatic && !(await wait(this.debounce.delayMs(), abort.signal)))
        return undefined;
      const summary = await this.gate.run(signal => {
        this.counts.generations++;
        return this.session.complete({prefix: cursor.prefix, suffix: cursor.suffix}, generateOptionsFrom(values), signal);
      }, {signal: abort.signal});
      if (!summary || summary.stopReason === "abort") return undefined;
      if (document.version !== requestVersion || token.isCancellationRequested) {
        this.counts.staleDropped++;
        this.cache.set(key, summary.text); // still right for that text, should the user come back to it
        return undefined;
      }
      this.cache.set(key, summary.text);
      this.log.debug(`completion: ${summary.tokenCount} tokens in ${summary.totals.decodeMs.toFixed(0)} ms, ` +
        `${summary.totals.accepted}/${summary.totals.drafted} drafts accepted, prefill ${summary.prefill.targetEvaluated} tokens ` +
        `(${summary.prefill.targetReused} reused), ${summary.stopReason}`);
      return finish(summary.text, false);
    } catch (error) {
      this.log.warn(`completion failed: ${(error as Error).message}`);
      return undefined;
    } finally {
      cancellation.dispose();
    }
  }

  /** Settings changed: the cache may hold completions made under other settings. */
  reset(): void {
    this.cache.clear();
    this.debounce = this.makeDebounce();
  }

  private makeDebounce(): AdaptiveDebounce {
    const minMs = this.settings.values["debounce.minMs"];
    return new AdaptiveDebounce({minMs, maxMs: Math.max(minMs, this.settings.values["debounce.maxMs"])});
  }

  dispose(): void {
    this.keystrokes.dispose();
    this.shownEmitter.dispose();
    this.gate.cancel();
  }
}

function tabSizeOf(document: vscode.TextDocument): number | undefined {
  const editor = vscode.window.visibleTextEditors.find(e => e.document === document);
  const size = editor?.options.tabSize;
  return typeof size === "number" ? size : undefined;
}
