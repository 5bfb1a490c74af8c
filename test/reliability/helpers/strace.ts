// Runs a Node script with no network (`unshare -rn`) under strace, following every process it
// starts (-f), and reads back every network system call (strace's %network class: socket,
// socketpair, connect, bind, sendto, sendmsg, …) and every execve. With no network a connection
// attempt fails at once (ENETUNREACH) but still shows in the trace, so the tests can assert that
// nothing was even attempted, not just that nothing got through.
import {spawnSync} from "node:child_process";
import {readFileSync} from "node:fs";
import {Finished, run} from "./isolated";

/** Address families that reach beyond this machine. AF_UNIX (local sockets: Node's IPC channel and
 * stdio pipes) and AF_NETLINK (the kernel) never leave it. */
export const NETWORK_FAMILIES = new Set(["AF_INET", "AF_INET6", "AF_PACKET"]);

export interface TracedCall {
  pid: number;
  call: string;
  /** The socket's family for socket()/socketpair(), else the family of the address passed, if any. */
  family?: string;
  line: string;
}

export interface Trace {
  /** Every traced process that ran a program: pid → its argv as strace printed it. */
  programs: Map<number, string>;
  calls: TracedCall[];
}

/** Throws a clear error when strace is missing: CI installs it (.ci/run), and these tests must not skip. */
export function requireStrace(): void {
  const probe = spawnSync("strace", ["-V"], {encoding: "utf8"});
  if (probe.error || probe.status !== 0)
    throw new Error(`strace is required for the offline tests but cannot run (${probe.error?.message ?? probe.stderr}); ` +
      "install it: apt-get install strace (it is in .ci/run's apt package list)");
}

export async function runTracedOffline(traceFile: string, script: string, args: string[], timeoutMs = 120_000): Promise<Finished & {trace: Trace}> {
  const finished = await run("unshare", ["-rn", "strace", "-f", "-qq", "-s", "256", "-e", "trace=%network,execve",
    "-o", traceFile, process.execPath, script, ...args], timeoutMs);
  return {...finished, trace: parseTrace(readFileSync(traceFile, "utf8"))};
}

export function parseTrace(text: string): Trace {
  const trace: Trace = {programs: new Map(), calls: []};
  for (const line of text.split("\n")) {
    const match = /^(\d+)\s+(\w+)\((.*)$/.exec(line);
    if (!match) continue; // signals, "<... resumed>" halves (the arguments are on the first half)
    const [, pid, call, rest] = match as unknown as [string, string, string, string];
    if (call === "execve") {
      trace.programs.set(Number(pid), /\[(.*?)\]/.exec(rest)?.[1] ?? rest);
      continue;
    }
    const family = call === "socket" || call === "socketpair" ? /^(AF_\w+)/.exec(rest)?.[1] : /sa_family=(AF_\w+)/.exec(rest)?.[1];
    trace.calls.push({pid: Number(pid), call, family, line});
  }
  return trace;
}

/** Calls that made a network socket or used a network address. */
export function networkCalls(trace: Trace): TracedCall[] {
  return trace.calls.filter(c => c.family !== undefined && NETWORK_FAMILIES.has(c.family));
}

/** connect() calls to local (AF_UNIX) sockets: not network, but worth listing. */
export function localConnects(trace: Trace): TracedCall[] {
  return trace.calls.filter(c => c.call === "connect" && c.family === "AF_UNIX");
}
