// Where the windows of one user find the shared model process: a directory only that user can
// open, and in it, per extension version, the socket, the token file and the start lock. The
// directory's permissions are what keep other users out (the kernel refuses them at the directory,
// before any token is read), so a directory that is not exactly ours and private is refused, never
// repaired: someone else may have made it.
import {lstatSync, mkdirSync, chmodSync} from "node:fs";
import {tmpdir, userInfo} from "node:os";
import {join} from "node:path";
import {DraftstopError, InvalidOptionError} from "../engine/errors";

export type DirectoryProblem = "notDirectory" | "symlink" | "notOwned" | "permissions";

/** The rendezvous directory exists but is not a private directory of this user. */
export class UnsafeDirectoryError extends DraftstopError {
  override readonly name = "UnsafeDirectoryError";
  constructor(readonly path: string, readonly problem: DirectoryProblem, detail: string) {
    super(`the shared model process's directory ${path} ${detail}; it is not used. ` +
      `Remove it (as its owner or root) and reload the window, or point XDG_RUNTIME_DIR at a directory of your own`,
      "shared.unsafeDirectory");
  }
}

export interface RendezvousOptions {
  /** Default: $XDG_RUNTIME_DIR when set (per user, on tmpfs, cleared at logout), else os.tmpdir(). */
  runtimeDir?: string;
  /** Default: this process's uid (the user name on Windows, which has no uids). */
  user?: number | string;
}

/** `<runtime dir>/draftstop-<uid>`: one per user, so that users never share or fight over a directory. */
export function rendezvousDirectory(options: RendezvousOptions = {}): string {
  const runtimeDir = options.runtimeDir ?? (process.env.XDG_RUNTIME_DIR || tmpdir());
  return join(runtimeDir, `draftstop-${options.user ?? currentUser()}`);
}

function currentUser(): number | string {
  return process.getuid?.() ?? safeName(userInfo().username);
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_");
}

export interface SharedPaths {
  directory: string;
  /** The Unix domain socket (a named pipe on Windows, outside the directory: pipes live in their own namespace). */
  socket: string;
  /** The token file: 64 hex digits, mode 0600. */
  token: string;
  /** The start lock: exactly one process serves a version at a time. */
  lock: string;
  /** The starter's lock: of the windows that find no process, exactly one starts it. */
  starting: string;
  /** The shared process's output (stdout and stderr). */
  log: string;
}

/**
 * Longest socket path, in bytes: sun_path holds 104 bytes on macOS (108 on Linux), the
 * terminating NUL included. A longer path fails at listen with an error that does not say why.
 */
export const MAX_SOCKET_PATH_BYTES = 103;

/** The paths of one extension version: an update starts its own process beside an older one. */
export function sharedPaths(directory: string, version: string, platform: NodeJS.Platform = process.platform): SharedPaths {
  // The version becomes part of file names: no separators, no dot-dot.
  if (!/^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$/.test(version) || version.includes(".."))
    throw new InvalidOptionError("version", version, "an extension version such as 0.1.0 (letters, digits, . + _ -)");
  const socket = platform === "win32" ? `\\\\.\\pipe\\draftstop-${safeName(userInfo().username)}-v${version}`
    : join(directory, `v${version}.sock`);
  if (platform !== "win32" && Buffer.byteLength(socket) > MAX_SOCKET_PATH_BYTES)
    throw new DraftstopError(`the socket path ${socket} is ${Buffer.byteLength(socket)} bytes, over the ${MAX_SOCKET_PATH_BYTES} a ` +
      "Unix domain socket allows; set XDG_RUNTIME_DIR (or TMPDIR) to a shorter directory", "shared.socketPathTooLong");
  const file = (suffix: string) => join(directory, `v${version}.${suffix}`);
  return {directory, socket, token: file("token"), lock: file("lock"), starting: file("lock.start"), log: file("log")};
}

/**
 * Creates the directory with mode 0700 when it is missing, then checks it as checkPrivateDirectory
 * does. Throws UnsafeDirectoryError when it exists and is not private and ours.
 */
export function ensurePrivateDirectory(path: string): void {
  let created: string | undefined;
  try {
    created = mkdirSync(path, {recursive: true, mode: 0o700});
  } catch (error) {
    // Something not a directory is in the way: the check below names it.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  // The umask can only take bits away from 0700; chmod makes it exactly 0700 (the owner needs all three).
  if (created !== undefined && process.platform !== "win32") chmodSync(path, 0o700);
  if (!checkPrivateDirectory(path)) throw new DraftstopError(`${path} vanished right after it was created`, "shared.directoryVanished");
}

/**
 * Whether the directory exists (false: no process has served yet); throws UnsafeDirectoryError
 * when it is a symbolic link, not a directory, not owned by this uid, or open to group or others.
 * On Windows, which has neither uids nor mode bits, only the first two are checked.
 */
export function checkPrivateDirectory(path: string): boolean {
  let stat;
  try {
    stat = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
  if (stat.isSymbolicLink()) throw new UnsafeDirectoryError(path, "symlink", "is a symbolic link (someone may have planted it)");
  if (!stat.isDirectory()) throw new UnsafeDirectoryError(path, "notDirectory", "is not a directory");
  const uid = process.getuid?.();
  if (uid === undefined) return true;
  if (stat.uid !== uid) throw new UnsafeDirectoryError(path, "notOwned", `belongs to uid ${stat.uid}, not to you (uid ${uid})`);
  if ((stat.mode & 0o077) !== 0)
    throw new UnsafeDirectoryError(path, "permissions", `has mode ${(stat.mode & 0o777).toString(8).padStart(4, "0")}: group or others may open it (it must be 0700)`);
  return true;
}
