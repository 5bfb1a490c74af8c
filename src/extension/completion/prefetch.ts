// Suggestions ready before they are asked for: once a completion is shown, the one that follows it
// if the user accepts it whole is generated at once, while the user reads the ghost text, and kept
// in the completion cache, so that Tab is followed by the next ghost text without a generation.
//
// A prefetch never delays a real request: a request for any other place cancels it (it runs
// through the same request gate, which gives the newest request the engine), and so does an edit
// that is not the shown text being typed or accepted. A request for exactly the place it is
// computing waits for it instead of starting again.
import {CompletionKey, sameKey} from "./completionCache";
import type {CursorPosition, LineSource} from "./context";
import {afterEdit} from "./documentEdit";

/**
 * Quiet time after a jump of the cursor (or a file opened) before its prompt is evaluated ahead, so
 * that the first keystroke there pays only for its new tokens. The latency benchmark waits this long.
 */
export const PREFILL_AFTER_MS = 300;

/** The document as it will be once `text` is inserted at `position`, and the cursor after it. */
export function acceptedDocument(doc: LineSource, position: CursorPosition, text: string): {doc: LineSource; position: CursorPosition} {
  return afterEdit(doc, {start: position, end: position}, text);
}

export interface PrefetchEdit {
  /** Where the change starts, and how many characters it replaced. */
  line: number;
  character: number;
  rangeLength: number;
  text: string;
}

/** Why a prefetch ended without serving a request; logged, and counted by the provider. */
export type PrefetchDrop = "edited" | "otherRequest" | "settings";

interface Pending {
  key: CompletionKey;
  /** The shown completion it assumes accepted, where it was shown, and how much of it has been typed since. */
  shown: string;
  at: CursorPosition;
  typed: number;
  controller: AbortController;
  result: Promise<string | undefined>;
}

export class Prefetcher {
  private pending: Pending | undefined;

  constructor(private readonly onDrop: (key: CompletionKey, why: PrefetchDrop) => void) {}

  /**
   * Starts computing the completion at `key` (the place after `shown`, shown at `at`, is accepted);
   * a prefetch for another place is dropped, one for the same place goes on.
   */
  start(key: CompletionKey, shown: string, at: CursorPosition, run: (signal: AbortSignal) => Promise<string | undefined>): void {
    const current = this.pending;
    if (current && sameKey(current.key, key)) {
      // Typing through the ghost text shows its rest, which leads to the same place: keep computing it.
      Object.assign(current, {shown, at, typed: 0});
      return;
    }
    this.drop("otherRequest");
    const controller = new AbortController();
    const pending: Pending = {key, shown, at, typed: 0, controller, result: Promise.resolve(undefined)};
    pending.result = run(controller.signal).catch(() => undefined).finally(() => {
      if (this.pending === pending) this.pending = undefined;
    });
    this.pending = pending;
  }

  get active(): boolean {
    return this.pending !== undefined;
  }

  /**
   * For a real request: the prefetch's text when it is computing this very place (after it
   * finishes), or undefined, having dropped a prefetch for any other place.
   */
  async take(key: CompletionKey): Promise<string | undefined> {
    const pending = this.pending;
    if (!pending) return undefined;
    if (!sameKey(pending.key, key)) {
      this.drop("otherRequest");
      return undefined;
    }
    return pending.result;
  }

  /**
   * An edit of the prefetch's document: typing the shown text (character by character, or all
   * of it at once, as Tab does) keeps the prefetch; anything else drops it.
   */
  edited(uri: string, changes: readonly PrefetchEdit[]): void {
    const pending = this.pending;
    if (!pending || pending.key.uri !== uri) return;
    for (const change of changes) {
      const rest = pending.shown.slice(pending.typed);
      const cursor = advance(pending.at, pending.shown.slice(0, pending.typed));
      const typesOn = change.rangeLength === 0 && change.text.length > 0 && rest.startsWith(change.text) &&
        change.line === cursor.line && change.character === cursor.character;
      if (!typesOn) return this.drop("edited");
      pending.typed += change.text.length;
    }
  }

  /** Drops the prefetch in flight, if any. */
  drop(why: PrefetchDrop): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    pending.controller.abort(new DOMException(`prefetch dropped: ${why}`, "AbortError"));
    this.onDrop(pending.key, why);
  }
}

/** The position after `text` is typed at `at`. */
function advance(at: CursorPosition, text: string): CursorPosition {
  const lines = text.split(/\r\n|\r|\n/);
  return lines.length === 1 ? {line: at.line, character: at.character + text.length} : {line: at.line + lines.length - 1, character: lines.at(-1)!.length};
}
