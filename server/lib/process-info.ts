import { readFileSync, readdirSync, readlinkSync } from "node:fs";

/**
 * What Linux says about another process, read from /proc. Every function answers `undefined`
 * (or false) where /proc is missing or the process is gone, never throws: callers use these to
 * decide whether a pid in a file still means what it meant when it was written.
 */

/** Whether a process with this pid exists (a zombie counts as gone). */
export function isAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  return stateOf(pid) !== "Z";
}

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may contain spaces: split after it.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** One-letter state: R running, S sleeping, T stopped (SIGSTOP), Z zombie, … */
export function stateOf(pid: number): string | undefined {
  return statFields(pid)?.[0];
}

/** CPU time the process has used (user + system), in clock ticks: a busy process's grows, a stopped or hung one's does not. */
export function cpuTicksOf(pid: number): number | undefined {
  const fields = statFields(pid);
  return fields ? Number(fields[11]) + Number(fields[12]) : undefined;
}

/**
 * When the process started, in clock ticks since boot. With the pid it identifies one process
 * for good: a pid reused after a crash has another start time.
 */
export function startTimeOf(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** The command line, arguments separated by spaces. */
export function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
  } catch {
    return undefined;
  }
}

/** The pid listening on 127.0.0.1/0.0.0.0:`port` (TCP), if /proc lets us see it. */
export function pidListeningOn(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT; state 0A is LISTEN; field 9 is the socket inode.
      if (fields.length > 9 && fields[3] === "0A" && parseInt(fields[1].split(":")[1], 16) === port) inodes.add(fields[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match && inodes.has(match[1])) return Number(pid);
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

/** "pid 123 (node …/hardhat … node --port 8545)", or just "pid 123". */
export function describeProcess(pid: number): string {
  const command = commandLineOf(pid);
  return command ? `pid ${pid} (${command.length > 120 ? `${command.slice(0, 117)}…` : command})` : `pid ${pid}`;
}
