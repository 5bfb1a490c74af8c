// Which Internet sockets a process listens on, read from /proc (Linux): the TCP sockets in state
// LISTEN (v4 and v6) whose inodes the process holds open. A process that listens only on a Unix
// socket has none.
import {existsSync, readdirSync, readFileSync, readlinkSync} from "node:fs";

/** The inodes of the TCP sockets (v4 and v6) in state LISTEN on this machine. */
function listeningTcpInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, "utf8").split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === "0A") inodes.add(fields[9]!);
    }
  }
  return inodes;
}

/** The inodes of the sockets a process holds open. */
export function socketInodes(pid: number | "self"): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // closed between the listing and the read
    }
  }
  return inodes;
}

/** The inodes of the TCP sockets `pid` listens on. */
export function listeningTcpOf(pid: number | "self"): string[] {
  const own = socketInodes(pid);
  return [...listeningTcpInodes()].filter(inode => own.has(inode));
}
