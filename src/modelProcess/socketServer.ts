// The shared model process's listening end (docs/sharing.md): one Unix domain socket (a named pipe
// on Windows) in the user's private rendezvous directory, never a TCP port. A connection must open
// with a hello carrying the token from the directory; anything else is refused, logged, and closed,
// and no refusal touches another connection.
import {createHash, timingSafeEqual} from "node:crypto";
import {chmodSync, lstatSync, rmSync} from "node:fs";
import {connect, createServer, Server, Socket} from "node:net";
import {DraftstopError} from "../engine/errors";
import {MAX_FRAME_BYTES} from "../transport/framing";
import type {MessageChannel} from "../transport/messageChannel";
import {ensurePrivateDirectory, SharedPaths, sharedPaths} from "../transport/rendezvous";
import {SocketChannel} from "../transport/socketChannel";
import {acquireStartLock} from "../transport/startLock";
import {writeTokenFile} from "../transport/tokenFile";
import type {ClientMessage, HandshakeReply, HelloMessage, HostMessage, RefusalReason} from "../protocol";
import {clientMessageProblem, helloProblem} from "./clientMessageShape";

/** Largest first frame: a hello is about 200 bytes, and nobody is owed more before proving the token. */
export const HELLO_MAX_BYTES = 4096;

export interface SharedServerOptions {
  /** The rendezvous directory (rendezvousDirectory()); created 0700 if missing, refused if not private. */
  directory: string;
  /** The extension version: names the socket, token and lock, and a hello must carry the same. */
  version: string;
  /** A window that passed the handshake; its channel speaks the same messages as the IPC channel. */
  onConnection(connection: SharedConnection): void;
  /** Refusals and closed connections, one line each. */
  log(line: string): void;
  /** Largest incoming frame after the handshake. Default MAX_FRAME_BYTES (8 MiB). */
  maxFrameBytes?: number;
  /** How long a new connection may take to send its hello. Default 5000 ms. */
  helloTimeoutMs?: number;
}

export interface SharedConnection {
  /** The name the window gave in its hello (for logs). */
  window: string;
  channel: MessageChannel<ClientMessage, HostMessage>;
}

export interface SharedServer {
  readonly paths: SharedPaths;
  /** Windows connected now. */
  readonly connections: number;
  /** Stops listening, closes every connection, removes the socket and the token, releases the lock. */
  close(): Promise<void>;
}

/**
 * Starts serving: takes the start lock (LockHeldError when another live process holds it), writes
 * a fresh token, removes a stale socket file and listens on the socket path.
 */
export async function listenShared(options: SharedServerOptions): Promise<SharedServer> {
  const paths = sharedPaths(options.directory, options.version);
  ensurePrivateDirectory(paths.directory);
  const lock = acquireStartLock(paths.lock);
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let tokenWritten = false;
  try {
    // Before the token: a live socket found here means another server, whose token must stay.
    if (process.platform !== "win32") await removeStaleSocket(paths.socket);
    const token = writeTokenFile(paths.token);
    tokenWritten = true;
    server = createServer(socket => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
      handshake(socket, token, options);
    });
    await listen(server, paths.socket);
    // The directory already keeps others out; this keeps the socket itself owner-only too.
    if (process.platform !== "win32") chmodSync(paths.socket, 0o600);
  } catch (error) {
    server?.close();
    if (tokenWritten) rmSync(paths.token, {force: true});
    lock.release();
    throw error;
  }
  const listening = server;
  let closing: Promise<void> | undefined;
  return {
    paths,
    get connections() {
      return sockets.size;
    },
    close() {
      closing ??= new Promise<void>(resolve => {
        listening.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }).finally(() => {
        if (process.platform !== "win32") rmSync(paths.socket, {force: true});
        rmSync(paths.token, {force: true});
        lock.release();
      });
      return closing;
    }
  };
}

function handshake(socket: Socket, token: string, options: SharedServerOptions): void {
  const channel = new SocketChannel<HelloMessage | ClientMessage, HostMessage | HandshakeReply>(socket,
    {validate: helloProblem, maxFrameBytes: HELLO_MAX_BYTES});
  let window: string | undefined;
  const refuse = (reason: RefusalReason, detail?: string) => {
    clearTimeout(timer);
    options.log(`refused a connection: ${reason}${detail ? ` (${detail})` : ""}`);
    channel.close({kind: "event", event: "refused", reason});
  };
  const timer = setTimeout(() => refuse("no hello in time", `${options.helloTimeoutMs ?? 5000} ms`), options.helloTimeoutMs ?? 5000);
  timer.unref();
  channel.on("violation", violation => {
    if (window === undefined) refuse(violation.kind === "oversized" ? "oversized frame" : "malformed first message", violation.detail);
    else options.log(`window ${window}: closed its connection: ${violation.kind} message (${violation.detail})`);
  });
  channel.on("close", closed => {
    clearTimeout(timer);
    if (window !== undefined && closed.by === "peer") options.log(`window ${window}: disconnected`);
  });
  channel.once("message", message => {
    const hello = message as HelloMessage;
    if (hello.token === undefined || hello.token === "") return refuse("missing token");
    if (!sameToken(hello.token, token)) return refuse("wrong token");
    if (hello.version !== options.version) return refuse("wrong version", `${hello.version}, this process serves ${options.version}`);
    clearTimeout(timer);
    window = hello.window;
    channel.validate = clientMessageProblem;
    channel.maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    channel.send({kind: "event", event: "welcome"});
    options.log(`window ${window}: connected`);
    options.onConnection({window, channel: channel as MessageChannel<ClientMessage, HostMessage>});
  });
}

/** Compares in constant time: hashing first makes the lengths equal, so nothing returns early. */
function sameToken(offered: string, token: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(offered), digest(token));
}

/**
 * A socket file left by a killed process refuses connections (ECONNREFUSED): it is removed so that
 * listen can bind the path again. One that accepts belongs to a live server, though this process
 * holds the lock: it is left alone and reported.
 */
async function removeStaleSocket(path: string): Promise<void> {
  let stat;
  try {
    stat = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  if (!stat.isSocket())
    throw new DraftstopError(`${path} is in the way of the shared model process's socket and is not a socket; remove it`, "shared.notASocket");
  const answer = await new Promise<"refused" | "accepted">((resolve, reject) => {
    const probe = connect({path});
    probe.once("connect", () => {
      probe.destroy();
      resolve("accepted");
    });
    probe.once("error", error => (error as NodeJS.ErrnoException).code === "ECONNREFUSED" ? resolve("refused") : reject(error));
  });
  if (answer === "accepted")
    throw new DraftstopError(`another process already listens on ${path} without holding the start lock; stop it or remove the socket`,
      "shared.alreadyServing");
  rmSync(path, {force: true});
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    // A path, never a port: the shared process opens no Internet socket.
    server.listen({path, exclusive: true}, () => {
      server.off("error", reject);
      resolve();
    });
  });
}
