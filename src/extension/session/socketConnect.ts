// A window's way into the shared model process (docs/sharing.md): check that the rendezvous
// directory is this user's and private, connect to the socket, read the token, say hello, and wait
// for the welcome. The directory is checked before the token is read, so a token is never taken
// from (or a hello sent to) a directory someone else controls.
import type {EventEmitter} from "node:events";
import {connect, Socket} from "node:net";
import {DraftstopError} from "../../engine/errors";
import {MAX_FRAME_BYTES} from "../../transport/framing";
import type {MessageChannel} from "../../transport/messageChannel";
import {checkPrivateDirectory, sharedPaths} from "../../transport/rendezvous";
import {SocketChannel} from "../../transport/socketChannel";
import {readTokenFile, TokenFileError} from "../../transport/tokenFile";
import type {ClientMessage, HandshakeReply, HelloMessage, HostMessage, RefusalReason} from "../../protocol";
import {handshakeReplyProblem, hostMessageProblem} from "./hostMessageShape";

export type SharedConnectProblem = "noServer" | "refused" | "closed" | "timeout";

/**
 * The window could not join a shared model process. `noServer` (code shared.noServer): none is
 * serving this version (no directory, no socket, a stale socket, no token), so the caller may start
 * one; the others mean one is there and would not take this window.
 */
export class SharedConnectError extends DraftstopError {
  override readonly name = "SharedConnectError";
  constructor(readonly problem: SharedConnectProblem, detail: string, readonly reason?: RefusalReason, options?: {cause?: unknown}) {
    super(`could not join the shared model process: ${detail}`, `shared.${problem}`, options);
  }
}

export interface ConnectSharedOptions {
  /** The rendezvous directory (rendezvousDirectory()); never created here. */
  directory: string;
  /** This extension's version: only a process of the same version is joined. */
  version: string;
  /** This window's name in the process's log. */
  window: string;
  /** Most time for connecting and the welcome together. Default 5000 ms. */
  timeoutMs?: number;
  /** Largest incoming frame. Default MAX_FRAME_BYTES (8 MiB). */
  maxFrameBytes?: number;
}

/**
 * Joins the process serving this version and returns the channel after its welcome. Throws
 * SharedConnectError (problem noServer: start one), UnsafeDirectoryError (the directory is not
 * this user's private one: nothing was read from it) or TokenFileError (the token file is unsafe).
 *
 * Messages that arrive before the caller listens are held, and flow once a "message" listener is added.
 */
export async function connectShared(options: ConnectSharedOptions): Promise<MessageChannel<HostMessage, ClientMessage>> {
  const paths = sharedPaths(options.directory, options.version);
  if (!checkPrivateDirectory(paths.directory))
    throw new SharedConnectError("noServer", `${paths.directory} does not exist`);
  const timeoutMs = options.timeoutMs ?? 5000;
  const deadline = Date.now() + timeoutMs;
  const socket = await open(paths.socket, timeoutMs);
  let token: string;
  try {
    // Read after connecting: a process writes its token before it listens, so the token read now is the listening process's.
    token = readTokenFile(paths.token);
  } catch (error) {
    socket.destroy();
    if (error instanceof TokenFileError && error.problem === "missing")
      throw new SharedConnectError("noServer", `${paths.token} is gone: the process is stopping`, undefined, {cause: error});
    throw error;
  }
  const channel = new SocketChannel<HandshakeReply | HostMessage, ClientMessage | HelloMessage>(socket,
    {validate: handshakeReplyProblem, maxFrameBytes: options.maxFrameBytes ?? MAX_FRAME_BYTES});
  channel.send({kind: "hello", token, window: options.window, version: options.version});
  await new Promise<void>((resolve, reject) => {
    const onClose = (closed: {reason: string}) => {
      clearTimeout(timer);
      reject(new SharedConnectError("closed", `${paths.socket} closed the connection before its welcome (${closed.reason})`));
    };
    const timer = setTimeout(() => {
      // Closed by this side: a timeout, not the process closing (close() reports it at once).
      channel.off("close", onClose);
      channel.close();
      reject(new SharedConnectError("timeout", `no welcome from ${paths.socket} within ${timeoutMs} ms`));
    }, Math.max(0, deadline - Date.now()));
    channel.once("close", onClose);
    channel.once("message", message => {
      clearTimeout(timer);
      channel.off("close", onClose);
      const reply = message as HandshakeReply;
      if (reply.event === "refused") {
        channel.close();
        reject(new SharedConnectError("refused", `the process refused this window: ${reply.reason}`, reply.reason));
        return;
      }
      // Held until the caller listens: the process may send right after its welcome, in the same chunk.
      channel.pause();
      channel.validate = hostMessageProblem;
      resolve();
    });
  });
  // "newListener" fires before the listener is added; the microtask lets it be added first.
  const untyped = channel as unknown as EventEmitter;
  const onListener = (event: string | symbol) => {
    if (event !== "message") return;
    untyped.off("newListener", onListener);
    queueMicrotask(() => channel.resume());
  };
  untyped.on("newListener", onListener);
  return channel as MessageChannel<HostMessage, ClientMessage>;
}

function open(path: string, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({path});
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new SharedConnectError("timeout", `connecting to ${path} took over ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", error => {
      clearTimeout(timer);
      const code = (error as NodeJS.ErrnoException).code;
      // ENOENT: nobody has listened here; ECONNREFUSED: a socket file whose process is gone;
      // ECONNRESET: one whose process went while this window connected (seen after kill -9, when
      // the window then forked a process of its own beside the successor).
      if (code === "ENOENT" || code === "ECONNREFUSED" || code === "ECONNRESET")
        reject(new SharedConnectError("noServer", `nothing listens on ${path} (${code})`, undefined, {cause: error}));
      else reject(error);
    });
  });
}
