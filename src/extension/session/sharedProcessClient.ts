// How a window reaches the shared model process (docs/sharing.md): join the one serving this user
// and extension version, or start it and then join. Several windows that find none at once agree on
// one starter through a lock beside the socket (the others wait and join); the process itself holds
// the serving lock, so two can never serve one version.
import {spawn} from "node:child_process";
import {closeSync, openSync, readSync, renameSync, statSync} from "node:fs";
import {DraftstopError} from "../../engine/errors";
import {SHARED_SERVING_LINE, type SharedPreload, type ClientMessage, type HostMessage, type ProcessResources, type ResponseMessage} from "../../protocol";
import type {MessageChannel} from "../../transport/messageChannel";
import {ensurePrivateDirectory, rendezvousDirectory, SharedPaths, sharedPaths} from "../../transport/rendezvous";
import {acquireStartLock, LockHeldError, StartLock} from "../../transport/startLock";
import {connectShared, SharedConnectError} from "./socketConnect";

export interface SharedProcessOptions {
  /** The extension's version: one process per version, so an update starts its own. */
  version: string;
  /** This window's name in the process's log and in its report of who holds which models. */
  window: string;
  /** Default rendezvousDirectory(): $XDG_RUNTIME_DIR/draftstop-<uid>, else the temp directory's. */
  directory?: string;
  /** How long a process this window starts outlives the last window. Default: the process's own (5 minutes). */
  idleExitMs?: number;
  /** How long to wait for a process to start serving. Default 30 s. */
  startTimeoutMs?: number;
  /** How long one try waits for a serving process's welcome before trying again. Default connectShared's (5 s). */
  welcomeTimeoutMs?: number;
  /** Models a process this window starts loads at once (after a crash: the window's last working ones). */
  preload?: SharedPreload;
}

/** A log kept under this size: a larger one is moved aside (one old copy) when a process starts. */
const LOG_LIMIT_BYTES = 1 << 20;
const POLL_MS = 100;

export interface SharedJoin {
  channel: MessageChannel<HostMessage, ClientMessage>;
  pid: number;
}

/** The paths of the process serving `options.version`. */
function pathsOf(options: SharedProcessOptions): SharedPaths {
  return sharedPaths(options.directory ?? rendezvousDirectory(), options.version);
}

/** The log the shared process writes (its stdout and stderr): beside its socket, private like it. */
export function sharedLogPath(options: SharedProcessOptions): string {
  return pathsOf(options).log;
}

/** The last `bytes` of the shared process's log: what a crash report shows in place of a child's stderr. */
export function sharedLogTail(options: SharedProcessOptions, bytes: number): string {
  try {
    const path = sharedLogPath(options);
    const size = statSync(path).size, length = Math.min(bytes, size);
    const buffer = Buffer.alloc(length), fd = openSync(path, "r");
    try {
      readSync(fd, buffer, 0, length, size - length);
    } finally {
      closeSync(fd);
    }
    return buffer.toString("utf8");
  } catch {
    return "";
  }
}

/**
 * Why the shared process went away, as a forked child's exit says it: the process is no child of
 * this window, so its log (stdout and stderr) tells. llama.cpp writes its assertion there before
 * it aborts; only what the latest process wrote counts.
 */
export function sharedExitReason(logTail: string, closed: string): string {
  const latest = logTail.slice(Math.max(0, logTail.lastIndexOf(SHARED_SERVING_LINE)));
  return /GGML_ASSERT|GGML_ABORT|terminate called|Aborted/.test(latest) ? "llama.cpp aborted (SIGABRT)" : `the shared model process went away (${closed})`;
}

/**
 * Joins the process serving `options.version`, starting it (detached from this window, running
 * `hostScript` with `env`) when none does. Throws SharedConnectError for a process that refuses
 * this window, UnsafeDirectoryError for a rendezvous directory that is not this user's alone, and a
 * DraftstopError (shared.startTimeout) naming the log when no process serves in time.
 */
export async function joinSharedProcess(options: SharedProcessOptions, hostScript: string, env: NodeJS.ProcessEnv,
  log: (line: string) => void): Promise<SharedJoin> {
  const paths = pathsOf(options);
  const {directory} = paths;
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  let starting: StartLock | undefined;
  try {
    for (;;) {
      let serving = false;
      try {
        const channel = await connectShared({directory, version: options.version, window: options.window, timeoutMs: options.welcomeTimeoutMs});
        return {channel, pid: await processId(channel)};
      } catch (error) {
        // Worth another try until the deadline: nobody serves yet, or a process is starting and
        // its socket or token are not all there (start one); a process answers but slowly (busy
        // loading another window's models), or a successor replaced the token between this
        // window's read of it and its hello (one serves: start none). Each would otherwise make
        // the window fork a process of its own beside the shared one.
        serving = isSharedConnect(error, "timeout") || isSharedConnect(error, "refused", "wrong token") || isNoPid(error);
        const retry = serving || isSharedConnect(error, "noServer") || isSharedConnect(error, "closed");
        if (!retry || Date.now() > deadline) {
          if (!retry) throw error;
          throw new DraftstopError(`no shared model process served ${paths.socket} within ${Math.round((options.startTimeoutMs ?? 30_000) / 1000)} s; ` +
            `its log is ${paths.log}. Set draftstop.shareModelProcess to false to run one per window.`, "shared.startTimeout", {cause: error});
        }
      }
      if (!starting && !serving) {
        starting = startLock(paths.starting, directory);
        if (starting) {
          log(`starting the shared model process for version ${options.version} (${paths.socket})`);
          start(options, paths, hostScript, env);
        }
      }
      await new Promise(resolve => setTimeout(resolve, POLL_MS));
    }
  } finally {
    starting?.release();
  }
}

const isSharedConnect = (error: unknown, problem: SharedConnectError["problem"], reason?: string) =>
  error instanceof SharedConnectError && error.problem === problem && (reason === undefined || error.reason === reason);
const isNoPid = (error: unknown) => error instanceof DraftstopError && error.code === "shared.noPid";

/** The starter's lock, or undefined while another window is starting the process (or the lock changed hands as this one looked). */
function startLock(path: string, directory: string): StartLock | undefined {
  ensurePrivateDirectory(directory);
  try {
    return acquireStartLock(path);
  } catch (error) {
    if (error instanceof LockHeldError || (error instanceof DraftstopError && error.code === "shared.lockContended")) return undefined;
    throw error;
  }
}

function start(options: SharedProcessOptions, paths: SharedPaths, hostScript: string, env: NodeJS.ProcessEnv): void {
  const logPath = paths.log;
  try {
    if (statSync(logPath).size > LOG_LIMIT_BYTES) renameSync(logPath, `${logPath}.old`);
  } catch {
    // no log yet
  }
  const logFd = openSync(logPath, "a", 0o600);
  try {
    const args = [hostScript, "--shared", "--version", options.version, "--directory", paths.directory,
      ...(options.idleExitMs === undefined ? [] : ["--idle-exit-ms", String(options.idleExitMs)]),
      ...(options.preload === undefined ? [] : ["--preload", JSON.stringify(options.preload)])];
    // Detached: it serves other windows after this one closes, and a window's end must not end it.
    const child = spawn(process.execPath, args, {detached: true, stdio: ["ignore", logFd, logFd], env});
    child.unref();
  } finally {
    closeSync(logFd);
  }
}

/** Asks the process its pid before the client's own requests (whose ids start at 1). */
function processId(channel: MessageChannel<HostMessage, ClientMessage>): Promise<number> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: HostMessage) => {
      if (message.kind !== "response" || message.id !== 0) return;
      channel.off("message", onMessage);
      channel.off("close", onClose);
      const response = message as ResponseMessage;
      if (response.ok) resolve((response.result as ProcessResources).pid);
      else reject(new DraftstopError(`the shared model process did not say its pid: ${response.error.message}`, "shared.noPid"));
    };
    const onClose = () => reject(new SharedConnectError("closed", "the shared model process closed the connection after its welcome"));
    channel.on("message", onMessage);
    channel.once("close", onClose);
    channel.send({kind: "request", id: 0, name: "resources", params: undefined});
  });
}
