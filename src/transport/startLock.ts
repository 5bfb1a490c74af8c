// The lock that lets exactly one process serve a version: a file naming its holder (pid, start
// time, a nonce), created atomically, taken over when its holder is dead. proper-lockfile is in
// node_modules only as node-llama-cpp's dependency, not one of ours, and its staleness is by mtime
// (a holder must keep touching the file); a pid test needs no timer in the serving process.
//
// Created with link(2) from a complete temporary file rather than open(O_EXCL) and a write, so a
// holder killed mid-creation never leaves an empty lock that names no one.
import {randomBytes} from "node:crypto";
import {linkSync, readFileSync, rmSync, unlinkSync, writeFileSync} from "node:fs";
import {DraftstopError} from "../engine/errors";

export interface LockOwner {
  pid: number;
  /** The process's start time (Linux: /proc/<pid>/stat), so that a reused pid does not look like the holder. */
  start?: string;
  nonce: string;
}

/** The lock is held by a running process (or one is taking over a stale lock right now). */
export class LockHeldError extends DraftstopError {
  override readonly name = "LockHeldError";
  constructor(readonly path: string, readonly holder: number) {
    super(`${path} is held by process ${holder}, which is running: it serves (or is starting) the shared model process; ` +
      "connect to it instead of starting another", "shared.lockHeld");
  }
}

export interface StartLock {
  readonly path: string;
  readonly owner: LockOwner;
  /** Removes the lock if it is still this one. Releasing twice does nothing. */
  release(): void;
}

export interface StartLockOptions {
  /** The process whose life the lock lasts. Default: this process. */
  pid?: number;
}

/** Takes the lock or throws LockHeldError; a lock whose holder is dead is removed and taken. */
export function acquireStartLock(path: string, options: StartLockOptions = {}): StartLock {
  const pid = options.pid ?? process.pid;
  const owner: LockOwner = {pid, start: startTime(pid), nonce: randomBytes(8).toString("hex")};
  // A few rounds: a takeover or a release by another process can change the file between two steps.
  for (let round = 0; round < 5; round++) {
    if (createExclusive(path, owner)) return handle(path, owner);
    const holder = readOwner(path);
    if (holder === "missing") continue;
    if (holder !== "malformed" && isAlive(holder)) throw new LockHeldError(path, holder.pid);
    removeStale(path, holder);
  }
  throw new DraftstopError(`${path} kept changing while this process tried to take it; try again`, "shared.lockContended");
}

/** Whether the process a lock names is running (and is the same process, where its start time is known). */
export function isAlive(owner: Pick<LockOwner, "pid" | "start">): boolean {
  // pid 0 and negative pids signal whole process groups: never a holder.
  if (!Number.isSafeInteger(owner.pid) || owner.pid <= 0) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: it runs, as another user; ESRCH: there is no such process.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const start = owner.start === undefined ? undefined : startTime(owner.pid);
  return start === undefined || start === owner.start;
}

function handle(path: string, owner: LockOwner): StartLock {
  let released = false;
  return {
    path,
    owner,
    release() {
      if (released) return;
      released = true;
      const current = readOwner(path);
      if (typeof current === "object" && current.nonce === owner.nonce) rmSync(path, {force: true});
    }
  };
}

/**
 * Removes a stale lock, under a second lock (`.takeover`) so that two processes that both found it
 * stale cannot have the slower one delete the lock the faster one has made since. A takeover lock
 * left by a process killed inside these few lines is removed when its holder is dead; two
 * processes doing that at the same instant is the one race left.
 */
function removeStale(path: string, stale: LockOwner | "malformed"): void {
  const guardPath = `${path}.takeover`;
  const guard: LockOwner = {pid: process.pid, start: startTime(process.pid), nonce: randomBytes(8).toString("hex")};
  if (!createExclusive(guardPath, guard)) {
    const taker = readOwner(guardPath);
    if (taker === "missing") return; // that takeover just ended: look at the lock again
    if (taker !== "malformed" && isAlive(taker)) throw new LockHeldError(path, taker.pid);
    rmSync(guardPath, {force: true});
    return;
  }
  try {
    const current = readOwner(path);
    const same = current === "malformed" ? stale === "malformed" : typeof current === "object" && typeof stale === "object" && current.nonce === stale.nonce;
    if (same) rmSync(path, {force: true});
  } finally {
    rmSync(guardPath, {force: true});
  }
}

function createExclusive(path: string, owner: LockOwner): boolean {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  writeFileSync(temporary, JSON.stringify(owner), {mode: 0o600, flag: "wx"});
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    unlinkSync(temporary);
  }
}

function readOwner(path: string): LockOwner | "missing" | "malformed" {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid === "number" && typeof value.nonce === "string" && (value.start === undefined || typeof value.start === "string"))
      return {pid: value.pid, start: value.start, nonce: value.nonce};
  } catch {
    // a lock not written by this code: nobody can be shown to hold it
  }
  return "malformed";
}

/** The start time of a process in clock ticks since boot (Linux), or undefined where it cannot be read. */
function startTime(pid: number): string | undefined {
  if (process.platform !== "linux") return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses; the fields after its last ")" do not.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}
