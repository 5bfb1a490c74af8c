// Recently shown completions, so that asking again at the same place, or typing the first
// characters of the ghost text ("typing through"), costs no generation.
//
// Prefixes and suffixes are a few kilobytes each: keys longer than hashKeysLongerThan are stored
// as a SHA-1, and entries keep only hashes and lengths of their prefix and suffix. Typing through
// then compares by hashing the new prefix's first part, for the few entries that pass the cheap
// checks (same document, same suffix, typed text agrees with the completion).
import {createHash} from "node:crypto";
import {LRUCache} from "lru-cache";

export interface CompletionKey {
  uri: string;
  languageId: string;
  prefix: string;
  suffix: string;
}

/** The same place: document, language, and the text around the cursor. */
export function sameKey(a: CompletionKey, b: CompletionKey): boolean {
  return a.uri === b.uri && a.languageId === b.languageId && a.prefix === b.prefix && a.suffix === b.suffix;
}

export interface CompletionCacheOptions {
  /** Completions kept; the least recently used goes first. Default 200. */
  maxEntries: number;
  /** Keys longer than this many characters are hashed. Default 256. */
  hashKeysLongerThan: number;
}

export const COMPLETION_CACHE_DEFAULTS: CompletionCacheOptions = {
  maxEntries: 200,
  hashKeysLongerThan: 256
};

interface Entry {
  document: string;
  prefixLength: number;
  prefixHash: string;
  suffixLength: number;
  suffixHash: string;
  completion: string;
  /** Generated ahead, before anyone asked for this place (prefetch.ts). */
  prefetched: boolean;
}

/** Characters an editor inserts after the cursor by itself when an opening one is typed. */
const AUTO_CLOSED = /^[)\]}"'`]{1,4}$/;

export class CompletionCache {
  readonly options: Readonly<CompletionCacheOptions>;
  private readonly entries: LRUCache<string, Entry>;

  constructor(options: Partial<CompletionCacheOptions> = {}) {
    this.options = Object.freeze({...COMPLETION_CACHE_DEFAULTS, ...options});
    if (!Number.isInteger(this.options.maxEntries) || this.options.maxEntries < 1)
      throw new RangeError(`maxEntries must be an integer >= 1, got ${this.options.maxEntries}`);
    this.entries = new LRUCache({max: this.options.maxEntries});
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: CompletionKey): string | undefined {
    return this.entries.get(this.keyOf(key))?.completion;
  }

  /** Whether the entry at exactly this place was generated ahead by a prefetch. */
  prefetched(key: CompletionKey): boolean {
    return this.entries.peek(this.keyOf(key))?.prefetched ?? false;
  }

  set(key: CompletionKey, completion: string, options: {prefetched?: boolean} = {}): void {
    this.entries.set(this.keyOf(key), {
      document: documentOf(key),
      prefixLength: key.prefix.length,
      prefixHash: sha1(key.prefix),
      suffixLength: key.suffix.length,
      suffixHash: sha1(key.suffix),
      completion,
      prefetched: options.prefetched ?? false
    });
  }

  clear(): void {
    this.entries.clear();
  }

  /**
   * The rest of a cached completion whose first characters the user has since typed: an entry of
   * the same document whose prefix plus a non-empty start of its completion is the new prefix,
   * with the suffix unchanged (or only auto-closed brackets and quotes inserted before it; the
   * caller should run the rest through postprocessCompletion, which drops the repeated closer).
   * undefined when the typed text diverges or nothing is left. The nearest entry (least typed) wins.
   */
  lookupTypingThrough(key: CompletionKey): string | undefined {
    const document = documentOf(key);
    let best: {entry: Entry; cacheKey: string} | undefined;
    for (const [cacheKey, entry] of this.entries.entries()) {
      if (entry.document !== document || entry.prefixLength >= key.prefix.length) continue;
      if (best && entry.prefixLength <= best.entry.prefixLength) continue;
      const typed = key.prefix.slice(entry.prefixLength);
      if (typed.length >= entry.completion.length || !entry.completion.startsWith(typed)) continue;
      if (!suffixUnchanged(entry, key.suffix)) continue;
      if (sha1(key.prefix.slice(0, entry.prefixLength)) !== entry.prefixHash) continue;
      best = {entry, cacheKey};
    }
    if (!best) return undefined;
    this.entries.get(best.cacheKey); // keep a completion being typed through from being evicted
    return best.entry.completion.slice(key.prefix.length - best.entry.prefixLength);
  }

  private keyOf(key: CompletionKey): string {
    const raw = [key.uri, key.languageId, key.prefix, key.suffix].map(part => `${part.length}:${part}`).join("");
    return raw.length > this.options.hashKeysLongerThan ? `sha1:${sha1(raw)}` : raw;
  }
}

function suffixUnchanged(entry: Entry, suffix: string): boolean {
  const inserted = suffix.length - entry.suffixLength;
  if (inserted < 0) return false;
  if (inserted > 0 && !AUTO_CLOSED.test(suffix.slice(0, inserted))) return false;
  return sha1(suffix.slice(inserted)) === entry.suffixHash;
}

function documentOf(key: CompletionKey): string {
  return `${key.uri.length}:${key.uri}${key.languageId}`;
}

function sha1(text: string): string {
  return createHash("sha1").update(text).digest("base64");
}
