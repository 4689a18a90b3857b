import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, statSync, writeSync } from "node:fs";

/**
 * The data directory holds sealed keys, bearer tokens and the chain's journal: only its owner
 * may read it. The directory is 0700 and what the service creates in it 0600, in every mode:
 * the process's umask (077) covers the files LevelDB and the dev node create themselves.
 */
export const PRIVATE_UMASK = 0o077;

/** Whether group or others may read, write or enter `file` (a directory or a file). */
export function openToOthers(file: string): boolean {
  const stat = statSync(file, { throwIfNoEntry: false });
  return stat !== undefined && (stat.mode & 0o077) !== 0;
}

/** The mode bits of `file` (0o700, …); undefined when it does not exist. */
export const modeOf = (file: string): number | undefined => {
  const stat = statSync(file, { throwIfNoEntry: false });
  return stat === undefined ? undefined : stat.mode & 0o777;
};

/**
 * Creates `dir` (and its parents) as 0700; an existing `dir` open to others is closed to them
 * when `tighten` (the caller says so in its log). Returns whether it was tightened.
 */
export function ensurePrivateDir(dir: string, tighten = true): boolean {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (tighten && openToOthers(dir)) {
    chmodSync(dir, 0o700);
    return true;
  }
  return false;
}

/**
 * Writes `content` to a new file readable by the owner only (0600), synced; never over an
 * existing one. @returns false when the file already exists.
 */
export function writePrivateOnce(file: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Runs `work` with the process's umask at 077, then puts the previous one back (commands run in process). */
export async function withPrivateUmask<T>(work: () => Promise<T>): Promise<T> {
  const previous = process.umask(PRIVATE_UMASK);
  try {
    return await work();
  } finally {
    process.umask(previous);
  }
}
