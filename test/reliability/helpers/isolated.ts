// Runs a command in a Linux namespace of its own, without real root (`unshare -r` maps the caller
// to root inside): no network at all (`-n`: not even loopback is up), or a private mount table
// where a tiny tmpfs stands in for a folder (`-m`), so the disk really fills up.
import {spawn} from "node:child_process";

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `timeoutMs` only ends a hung child (it then reports code null); `ms` is a figure for the report. */
export function run(command: string, args: string[], timeoutMs = 60_000): Promise<Finished> {
  const started = Date.now(); // for `ms`, a figure for the report
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {stdio: ["ignore", "pipe", "pipe"]});
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", chunk => (stdout += chunk));
    child.stderr.on("data", chunk => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs); // only ends a hung child
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({code, signal, stdout, stderr, ms: Date.now() - started}); // ms: a figure for the report
    });
  });
}

/** `node script args` with no network. */
export function runWithoutNetwork(script: string, args: string[], timeoutMs?: number): Promise<Finished> {
  return run("unshare", ["-rn", process.execPath, script, ...args], timeoutMs);
}

/** `node script args` where `directory` is a fresh tmpfs of `size` (e.g. "64k"). */
export function runOnTinyDisk(directory: string, size: string, script: string, args: string[], timeoutMs?: number): Promise<Finished> {
  return run("unshare", ["-rm", "sh", "-c", 'mount -t tmpfs -o "size=$1" tmpfs "$2" && shift 2 && exec "$@"',
    "sh", size, directory, process.execPath, script, ...args], timeoutMs);
}
