import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { commandLineOf, isAlive, startTimeOf } from "./process-info";

/** Who holds a data directory: written into `<data dir>/service.lock`. */
export interface LockHolder {
  pid: number;
  /** ISO time the lock was taken. */
  since: string;
  /** /proc start time of the holder, so a pid reused after a crash is not mistaken for it. */
  startTime?: string;
  /** What holds it: "npm start", "certchain chain reanchor". */
  purpose: string;
}

export const LOCK_FILE = "service.lock";

/** The data directory is held by a live process. */
export class DataDirLockedError extends Error {
  readonly code = "DATA_DIR_LOCKED";
  constructor(
    readonly file: string,
    readonly holder: LockHolder,
  ) {
    super(
      `${path.dirname(file)} is in use by pid ${holder.pid} (${holder.purpose}, since ${holder.since}${commandLineOf(holder.pid) ? `: ${commandLineOf(holder.pid)}` : ""}). ` +
        `Stop that process first, or use another DATA_DIR.`,
    );
  }
}

export interface DataDirLock {
  file: string;
  holder: LockHolder;
  /** Removes the lock if it is still ours. Idempotent and synchronous (safe in an exit handler). */
  release(): void;
}

function readHolder(file: string): LockHolder | undefined | "unreadable" {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    return Number.isSafeInteger(holder.pid) ? holder : "unreadable";
  } catch {
    return "unreadable";
  }
}

const holds = (holder: LockHolder): boolean =>
  isAlive(holder.pid) && (holder.startTime === undefined || startTimeOf(holder.pid) === undefined || startTimeOf(holder.pid) === holder.startTime);

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Takes `<dataDir>/service.lock` atomically (O_EXCL), or throws DataDirLockedError naming the
 * live holder. A lock left by a dead process (or by a pid now reused by another program) is
 * taken over, and `onTakeover` is told whose it was. Nothing else in the directory is touched.
 */
export function acquireDataDirLock(dataDir: string, options: { purpose: string; onTakeover?: (stale: LockHolder) => void }): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  const holder: LockHolder = { pid: process.pid, since: new Date().toISOString(), startTime: startTimeOf(process.pid), purpose: options.purpose };

  for (let attempt = 0; attempt < 50; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, "wx", 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const existing = readHolder(file);
      if (existing === undefined) continue; // released meanwhile
      if (existing === "unreadable") {
        // Another starter between its open and its write, or a lock torn by a crash: wait for a
        // young one, take over an old one.
        const stat = statSync(file, { throwIfNoEntry: false });
        if (stat === undefined) continue;
        if (Date.now() - stat.mtimeMs < 2_000) {
          sleepSync(50);
          continue;
        }
      } else if (holds(existing)) {
        throw new DataDirLockedError(file, existing);
      }
      takeOver(file, existing === "unreadable" ? undefined : existing, options.onTakeover);
      continue;
    }
    try {
      writeSync(fd, `${JSON.stringify(holder)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    let released = false;
    return {
      file,
      holder,
      release() {
        if (released) return;
        released = true;
        const current = readHolder(file);
        if (current !== undefined && current !== "unreadable" && current.pid === holder.pid && current.since === holder.since) {
          try {
            unlinkSync(file);
          } catch {
            // already gone
          }
        }
      },
    };
  }
  throw new Error(`could not take ${file}: it keeps changing (another process is starting on this data directory?)`);
}

/**
 * Moves a stale lock aside. Two starters may both find the same stale lock; renaming is atomic,
 * so only one moves it, and one that finds it has moved someone's fresh lock instead puts it
 * back (link fails if a lock exists again).
 */
function takeOver(file: string, stale: LockHolder | undefined, onTakeover?: (stale: LockHolder) => void): void {
  const aside = `${file}.stale-${process.pid}`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const moved = readHolder(aside);
  const same = stale === undefined ? moved === "unreadable" : moved !== undefined && moved !== "unreadable" && moved.pid === stale.pid && moved.since === stale.since;
  if (!same) {
    try {
      linkSync(aside, file);
    } catch {
      // a newer lock is already in place
    }
  } else if (stale) {
    onTakeover?.(stale);
  }
  try {
    unlinkSync(aside);
  } catch {
    // gone
  }
}
