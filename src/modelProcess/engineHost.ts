// The model process: the extension forks it so that llama.cpp, which can abort the process on a
// hostile model file, never runs inside the user's extension host. Forked by one window it serves
// that window over IPC; started with --shared it serves every window of this user, machine and
// extension version over a Unix socket (sharedProcess.ts, docs/sharing.md).
import type {ClientMessage, HostMessage} from "../protocol";
import {IpcChannel} from "../transport/ipcChannel";
import {LockHeldError} from "../transport/startLock";
import {EngineHost, serve} from "./host";
import {serveShared, sharedArguments} from "./sharedProcess";

export {EngineHost} from "./host";

function main(): void {
  const shared = sharedArguments(process.argv.slice(2));
  if (shared) {
    serveShared(shared).catch(error => {
      console.error(`the shared model process could not start: ${(error as Error)?.message ?? error}`);
      // Another process holds the start lock: it serves; this one is not needed.
      process.exit(error instanceof LockHeldError ? 0 : 1);
    });
    return;
  }
  const channel = new IpcChannel<ClientMessage, HostMessage>(process);
  serve(new EngineHost(), channel);
  // The extension is gone: nothing left to serve.
  channel.on("close", () => process.exit(0));
  // A stray rejection in a library (the downloader's background writes do this on a full disk)
  // must not end the process that holds the user's models; it is reported instead.
  process.on("unhandledRejection", reason =>
    channel.send({kind: "event", event: "log", level: "error", message: `unhandled rejection in the model process: ${(reason as Error)?.message ?? reason}`}));
  channel.send({kind: "event", event: "ready"});
}

if (require.main === module || process.send) main();
