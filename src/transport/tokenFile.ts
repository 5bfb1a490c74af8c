// The token beside the socket: a window proves it may use the shared model process by reading it.
// The directory's permissions keep other users from reading it; the token keeps out whatever reaches
// the socket without the directory (a leaked descriptor, a misconfigured path) and, on Windows,
// where a named pipe has no such directory, it is the check.
import {randomBytes} from "node:crypto";
import {closeSync, constants, fchmodSync, fstatSync, openSync, readSync, renameSync, rmSync, writeSync} from "node:fs";
import {DraftstopError} from "../engine/errors";

/** Random bytes in a token: 256 bits, written as 64 hex digits. */
export const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[0-9a-f]{64}$/;

export type TokenProblem = "missing" | "notFile" | "notOwned" | "permissions" | "malformed";

export class TokenFileError extends DraftstopError {
  override readonly name = "TokenFileError";
  constructor(readonly path: string, readonly problem: TokenProblem, detail: string) {
    super(`the shared model process's token file ${path} ${detail}`, `shared.token.${problem}`);
  }
}

/**
 * Writes a fresh token and returns it. The file is made under a unique name with O_EXCL and mode
 * 0600 and then renamed over the old one, so a reader sees the old token or the new one, never a
 * half-written file, and nothing planted at the temporary name is followed or reused.
 */
export function writeTokenFile(path: string): string {
  const token = randomBytes(TOKEN_BYTES).toString("hex");
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    try {
      // The umask may have taken bits from 0600; the owner must still read it.
      if (process.platform !== "win32") fchmodSync(fd, 0o600);
      writeSync(fd, token);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, {force: true});
    throw error;
  }
  return token;
}

/** Reads the token after checking the file itself (not a link; ours; 0600), through one descriptor. */
export function readTokenFile(path: string): string {
  let fd: number;
  try {
    // O_NOFOLLOW: a symbolic link planted at the path is refused, not followed (it is 0 on Windows).
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new TokenFileError(path, "missing", "does not exist: no shared model process is serving");
    if (code === "ELOOP") throw new TokenFileError(path, "notFile", "is a symbolic link");
    throw error;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new TokenFileError(path, "notFile", "is not a regular file");
    const uid = process.getuid?.();
    if (uid !== undefined && stat.uid !== uid) throw new TokenFileError(path, "notOwned", `belongs to uid ${stat.uid}, not to you (uid ${uid})`);
    if (uid !== undefined && (stat.mode & 0o077) !== 0)
      throw new TokenFileError(path, "permissions", `has mode ${(stat.mode & 0o777).toString(8).padStart(4, "0")}; it must be 0600`);
    const buffer = Buffer.alloc(TOKEN_BYTES * 2 + 1);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    const token = buffer.subarray(0, length).toString("latin1");
    if (!TOKEN_PATTERN.test(token)) throw new TokenFileError(path, "malformed", `does not hold ${TOKEN_BYTES * 2} hex digits`);
    return token;
  } finally {
    closeSync(fd);
  }
}
