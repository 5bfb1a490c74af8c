// Loaded model pairs shared by reference count: engines that ask for the same files get one load of
// the weights and open their own contexts on it (DraftstopEngine.load(options, {pool})), so that
// several editor windows served by one process hold one copy of the models.
//
// What keys a pair, and why the rest belongs to each engine's contexts:
// - the files (real path, size and modification time: a file downloaded again under the same name
//   is new weights) and the GPU choice (the backend and how many layers are offloaded) decide
//   what llama.cpp loads and where;
// - context size, threads, flash attention and KV cache type are options of llama_context, not of
//   the model: each engine passes its own to openContexts, and two windows that differ only there
//   still share the weights.
import {stat, realpath} from "node:fs/promises";
import {ModelBudgetError, ModelHolding} from "./modelBudgetError";
import {disposePairWeights, loadPairWeights, PairWeights} from "./modelPair";
import {defaultModelBudgetBytes, LoadOptions, resolveLoadOptions} from "./options";

/** One holder's claim on a pooled pair; release() once when done (later calls do nothing). */
export interface ModelHandle {
  readonly weights: PairWeights;
  /** The pool's key of the pair (files, their sizes and dates, GPU choice). */
  readonly key: string;
  readonly holder: string;
  /**
   * What `produce` gives, produced once for every holder of these weights that asks under `key`
   * (while the weights stay loaded): the load-time measurement of the passes' costs, which every
   * window with the same context settings would otherwise repeat. A failed produce is not kept.
   */
  once<T>(key: string, produce: () => Promise<T>): Promise<T>;
  release(): Promise<void>;
}

export interface ModelPoolOptions {
  /** Most bytes of model files the pool holds at once. Default: defaultModelBudgetBytes() (options.ts). */
  budgetBytes?: number;
}

/** What the pool holds: per pair its files, their bytes and who holds it. */
export interface ModelPoolReport {
  budgetBytes: number;
  heldBytes: number;
  pairs: Array<ModelHolding & {key: string; loading: boolean}>;
}

interface Entry {
  key: string;
  files: {targetPath: string; draftPath?: string};
  bytes: number;
  holders: string[];
  /** Resolves once the weights are loaded; every holder that came while loading waits on it. */
  loaded: Promise<PairWeights>;
  weights?: PairWeights;
  /** ModelHandle.once's results, by key. */
  produced: Map<string, Promise<unknown>>;
  /** Lets go of a preload's claim (preload()): the first holder to come, or the preload's time running out, calls it. */
  endPreload?: () => void;
}

export class ModelPool {
  readonly budgetBytes: number;
  private readonly entries = new Map<string, Entry>();

  constructor(options: ModelPoolOptions = {}) {
    this.budgetBytes = options.budgetBytes ?? defaultModelBudgetBytes();
  }

  /**
   * A handle on the pair `options` names, loading it unless the pool holds it (or is loading it)
   * already. `holder` labels the claim in report() and in the over-budget message (a window's id).
   * A new pair whose files would take the pool past its budget is refused with a ModelBudgetError;
   * a failed load is not kept: the next acquire tries again.
   */
  async acquire(options: LoadOptions, holder: string): Promise<ModelHandle> {
    const resolved = resolveLoadOptions(options);
    const files = await identify(resolved.targetPath, resolved.draftPath);
    const key = JSON.stringify([files.target, files.draft, resolved.gpu]);
    let entry = this.entries.get(key);
    if (!entry) {
      const held = this.heldBytes();
      if (held + files.bytes > this.budgetBytes)
        throw new ModelBudgetError({targetPath: resolved.targetPath, draftPath: resolved.draftPath}, files.bytes, held, this.budgetBytes, this.holdings());
      entry = {key, files: {targetPath: resolved.targetPath, draftPath: resolved.draftPath}, bytes: files.bytes, holders: [], loaded: loadPairWeights(options), produced: new Map()};
      this.entries.set(key, entry);
      const created = entry;
      created.loaded.then(weights => (created.weights = weights), () => {
        if (this.entries.get(key) === created) this.entries.delete(key);
      });
    }
    entry.holders.push(holder);
    entry.endPreload?.();
    let weights: PairWeights;
    try {
      weights = await entry.loaded;
    } catch (error) {
      removeOne(entry.holders, holder);
      throw error;
    }
    return this.handle(entry, weights, holder);
  }

  /**
   * Starts loading `options`' pair before anyone asks for it, so that the acquires that follow
   * find it loading or loaded: a successor process loads the models its windows held while they
   * reconnect. The preload's claim ends when the first holder comes (the pair then stays as long
   * as holders do) or after `keepMs` if nobody comes (the pair is then freed). Resolves when the
   * load is done; rejects as acquire would (and keeps nothing).
   */
  async preload(options: LoadOptions, keepMs: number): Promise<void> {
    const handle = await this.acquire(options, PRELOAD_HOLDER);
    const entry = this.entries.get(handle.key);
    // A holder came while the pair loaded: the claim has no more to do.
    if (!entry || entry.holders.some(holder => holder !== PRELOAD_HOLDER)) return void await handle.release();
    const timer = setTimeout(() => void end(), keepMs);
    timer.unref();
    const end = async () => {
      clearTimeout(timer);
      if (entry.endPreload === end) entry.endPreload = undefined;
      await handle.release();
    };
    entry.endPreload = end;
  }

  report(): ModelPoolReport {
    return {
      budgetBytes: this.budgetBytes,
      heldBytes: this.heldBytes(),
      pairs: [...this.entries.values()].map(e => ({key: e.key, ...e.files, bytes: e.bytes, holders: [...e.holders], loading: !e.weights}))
    };
  }

  private handle(entry: Entry, weights: PairWeights, holder: string): ModelHandle {
    let released = false;
    return {
      weights,
      key: entry.key,
      holder,
      once: <T>(key: string, produce: () => Promise<T>): Promise<T> => {
        const known = entry.produced.get(key);
        if (known) return known as Promise<T>;
        const made = produce();
        entry.produced.set(key, made);
        made.catch(() => {
          if (entry.produced.get(key) === made) entry.produced.delete(key);
        });
        return made;
      },
      release: async () => {
        if (released) return;
        released = true;
        removeOne(entry.holders, holder);
        if (entry.holders.length > 0) return;
        // Out of the map before the weights go, so that an acquire meanwhile loads afresh.
        this.entries.delete(entry.key);
        await disposePairWeights(weights);
      }
    };
  }

  private heldBytes(): number {
    return [...this.entries.values()].reduce((sum, e) => sum + e.bytes, 0);
  }

  private holdings(): ModelHolding[] {
    return [...this.entries.values()].map(e => ({...e.files, bytes: e.bytes, holders: [...e.holders]}));
  }
}

/**
 * A file's identity for the key, and its bytes for the budget. A file that cannot be read keys by
 * its path and counts 0 bytes: the load then fails with ModelFileError's message about it.
 */
async function identify(targetPath: string, draftPath: string | undefined) {
  const one = async (path: string) => {
    try {
      const [real, facts] = await Promise.all([realpath(path), stat(path)]);
      return {id: `${real}:${facts.size}:${facts.mtimeMs}`, bytes: facts.size};
    } catch {
      return {id: path, bytes: 0};
    }
  };
  const [target, draft] = await Promise.all([one(targetPath), draftPath === undefined ? undefined : one(draftPath)]);
  return {target: target.id, draft: draft?.id, bytes: target.bytes + (draft?.bytes ?? 0)};
}

/** The holder's name a preload's claim goes by in report() and in the over-budget message. */
const PRELOAD_HOLDER = "(loading ahead of its windows)";

function removeOne(holders: string[], holder: string): void {
  const at = holders.indexOf(holder);
  if (at >= 0) holders.splice(at, 1);
}
