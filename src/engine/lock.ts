// The one lock that guards model access (and anything else that must run one at a time): FIFO,
// and a waiter whose AbortSignal fires leaves the queue and rejects at once, so a cancelled
// request never waits for, let alone runs, the work ahead of it. Used by the engine (one
// generation per context), the completion gate (one request in flight) and the extension's
// settings queue (loads in the order the settings changed).
//
// Not lifecycle-utils' withLock, though node-llama-cpp installs it and it takes an abort signal too:
// that package is ECMAScript-module only and the engine compiles to CommonJS (module "node16"), so
// TypeScript refuses a static import of it (TS1479). Reaching it by dynamic import, as nlc.ts does
// node-llama-cpp, would put a module load on the typing path's first acquire and make a transitive
// package a direct one, to replace sixty tested lines. Its locks also live in one process-wide map
// keyed by scope objects; this one is an object its owner holds, and says how many wait.

/** Hands the lock to the next waiter. Calling it more than once does nothing. */
export type Release = () => void;

interface Waiter {
  grant(release: Release): void;
}

export class AbortableLock {
  private held = false;
  private readonly waiters: Waiter[] = [];

  /** Whether someone holds the lock now. */
  get locked(): boolean {
    return this.held;
  }

  /** Callers waiting for the lock (not counting the holder). */
  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * Resolves with a release function once the lock is this caller's. Rejects with the signal's
   * reason (an AbortError by default) when the signal has fired or fires while waiting.
   */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (!this.held) {
      this.held = true;
      return Promise.resolve(this.releaser());
    }
    return new Promise<Release>((resolve, reject) => {
      const onAbort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(abortReason(signal!));
      };
      const waiter: Waiter = {
        grant: release => {
          signal?.removeEventListener("abort", onAbort);
          resolve(release);
        }
      };
      signal?.addEventListener("abort", onAbort, {once: true});
      this.waiters.push(waiter);
    });
  }

  /** Runs `task` holding the lock; rejects without running it when `signal` fires first. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await task();
    } finally {
      release();
    }
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next.grant(this.releaser());
      else this.held = false;
    };
  }
}

/** An error is an abort when a signal's default reason or a caller's DOMException says so. */
export function isAbortError(error: unknown): boolean {
  return (error as {name?: string})?.name === "AbortError";
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("aborted", "AbortError");
}
