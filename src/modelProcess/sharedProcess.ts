// The shared model process (docs/sharing.md): one per user, machine and extension version, started
// detached by the first window that finds none. Every window that passes the handshake gets an
// EngineHost of its own (its own contexts, statistics and learned state) on weights all windows
// share (ModelPool); generations take turns (GenerationTurns). With no window left it waits
// `idleExitMs`, then exits.
import {ModelPool} from "../engine";
import {SHARED_SERVING_LINE, type SharedMachine, type SharedPreload} from "../protocol";
import {rendezvousDirectory} from "../transport/rendezvous";
import {EngineHost, serve} from "./host";
import {GenerationTurns} from "./generationTurns";
import {listenShared} from "./socketServer";

export interface SharedArguments {
  directory: string;
  version: string;
  /** How long the process outlives its last window. */
  idleExitMs: number;
  /** Models to load at once, before any window asks (the starting window's last working ones, after a crash). */
  preload?: SharedPreload;
}

/** How long the process outlives its last window unless told otherwise (the setting's default: 5 minutes). */
export const DEFAULT_IDLE_EXIT_MS = 5 * 60_000;
/** What the log says when the process loads models before its windows ask (a test reads it). */
export const PRELOAD_LINE = "loading its windows' last working models ahead:";
/** The window that started the process connects within its start timeout; a process nobody joins by then leaves. */
const FIRST_WINDOW_MS = 30_000;

/** `--shared --version V [--directory D] [--idle-exit-ms N]`, or undefined for a process forked by one window. */
export function sharedArguments(argv: readonly string[]): SharedArguments | undefined {
  if (!argv.includes("--shared")) return undefined;
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const version = value("--version");
  if (!version) throw new Error("--shared needs --version: the extension version names the process's socket");
  const idle = Number(value("--idle-exit-ms") ?? DEFAULT_IDLE_EXIT_MS);
  if (!(idle >= 0)) throw new Error(`--idle-exit-ms ${value("--idle-exit-ms")} is not a number of milliseconds`);
  const preload = value("--preload");
  return {directory: value("--directory") ?? rendezvousDirectory(), version, idleExitMs: idle, ...(preload === undefined ? {} : {preload: parsePreload(preload)})};
}

function parsePreload(text: string): SharedPreload {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`--preload ${text.slice(0, 200)} is not JSON`);
  }
  const models = parsed as Partial<Record<keyof SharedPreload, unknown>> | null;
  if (typeof models !== "object" || models === null || typeof models.targetPath !== "string" || (models.draftPath !== undefined && typeof models.draftPath !== "string"))
    throw new Error(`--preload needs {"targetPath": …, "draftPath"?: …}; got ${text.slice(0, 200)}`);
  return {targetPath: models.targetPath, draftPath: models.draftPath, gpu: models.gpu as SharedPreload["gpu"], threads: models.threads as SharedPreload["threads"]};
}

/** Listens until no window has been connected for idleExitMs; throws LockHeldError when another process serves already. */
export async function serveShared(options: SharedArguments): Promise<void> {
  const pool = new ModelPool();
  const turns = new GenerationTurns();
  const hosts = new Set<EngineHost>();
  const log = (line: string) => console.error(`${new Date().toISOString()} ${line}`);
  let idleTimer: NodeJS.Timeout | undefined;
  const machine = (): SharedMachine => {
    const report = pool.report();
    const totals = [...hosts].map(host => host.totals);
    return {windows: hosts.size, queuedGenerations: turns.queued, heldBytes: report.heldBytes, budgetBytes: report.budgetBytes,
      pairs: report.pairs.map(({targetPath, draftPath, bytes, holders}) => ({targetPath, draftPath, bytes, holders})),
      completions: totals.reduce((sum, t) => sum + t.completions, 0), tokens: totals.reduce((sum, t) => sum + t.tokens, 0)};
  };
  const server = await listenShared({
    directory: options.directory, version: options.version, log,
    onConnection({window, channel}) {
      clearTimeout(idleTimer);
      const host = new EngineHost({pool, holder: window}, machine);
      hosts.add(host);
      serve(host, channel, {turns});
      channel.once("close", () => {
        hosts.delete(host);
        // The window's engine goes; the weights stay while another window holds them.
        host.unload().catch(error => log(`window ${window}: unloading failed: ${(error as Error)?.message ?? error}`));
        if (hosts.size === 0) idleTimer = setTimeout(stop, options.idleExitMs);
      });
    }
  });
  log(`${SHARED_SERVING_LINE} ${options.version} on ${server.paths.socket} (pid ${process.pid})`);
  if (options.preload) {
    const {targetPath, draftPath} = options.preload;
    log(`${PRELOAD_LINE} ${targetPath}${draftPath ? ` and ${draftPath}` : ""}`);
    // A bad pair is the windows' to report: each one's own load of it fails with the message.
    pool.preload(options.preload, FIRST_WINDOW_MS).catch(error => log(`loading ahead failed: ${(error as Error)?.message ?? error}`));
  }
  const stop = () => {
    log(`no window for ${Math.round(options.idleExitMs / 1000)} s: exiting`);
    server.close().finally(() => process.exit(0));
  };
  idleTimer = setTimeout(stop, Math.max(options.idleExitMs, FIRST_WINDOW_MS));
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => server.close().finally(() => process.exit(0)));
  process.on("unhandledRejection", reason => log(`unhandled rejection: ${(reason as Error)?.message ?? reason}`));
}
