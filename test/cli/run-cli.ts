/**
 * Running `certchain` in the tests: in this process (`main(argv, io)`, most tests), or as a
 * process of its own where only a process shows what is tested.
 */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { main } from "../../scripts/cli/main";
import { cliBundle } from "../support/bundles";

const BIN = path.join(__dirname, "..", "..", "scripts", "cli", "bin.js");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** The working directory the CLI sees [the system's temp dir]. */
  cwd?: string;
  /** Added to the environment the CLI sees. */
  env?: Record<string, string>;
}

/** What the CLI's language and demo-file discovery read: set by each test, never inherited. */
const LOCALE_KEYS = ["LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE", "DATA_DIR"];

/**
 * The environment a test's CLI run sees: this process's, without any CERTCHAIN_* or locale
 * variable of the person running the tests, in English (LANG=en_US.UTF-8) unless the test sets
 * the language, plus the test's own.
 */
function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { LANG: "en_US.UTF-8" };
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("CERTCHAIN_") && !key.startsWith("TS_NODE_") && !LOCALE_KEYS.includes(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

/**
 * `certchain <args>` run to its end in this process (`main(argv, io)`): its output captured,
 * with the environment above, from a directory outside the repository unless the test names one
 * (so a ./data/demo.json of someone's `npm start` is never found). The run's language, progress
 * and Ctrl-C clean-ups are its own (scripts/cli/run-context.ts): nothing carries over to the next
 * run or to the test. Relative paths in `args` resolve against this process's directory as fs
 * resolves them: tests give absolute ones.
 */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: cliEnv(options.env),
    cwd: options.cwd ?? tmpdir(),
  });
  return { code, stdout, stderr };
}

/**
 * The CLI as its own process, for what only a process shows (exit status, signals, a terminal):
 * `node <bundle> <args>` (test/support/bundles.ts: the same code, started in a fraction of the
 * time), or with `viaBin` scripts/cli/bin.js, the launcher `npx certchain` runs, through ts-node.
 */
export async function spawnCli(args: string[], options: CliOptions & { viaBin?: boolean } = {}): Promise<ChildProcessByStdio<null, Readable, Readable>> {
  const program = options.viaBin ? BIN : await cliBundle();
  return spawn(process.execPath, [program, ...args], { cwd: options.cwd ?? tmpdir(), env: cliEnv(options.env), stdio: ["ignore", "pipe", "pipe"] });
}

/** {@link spawnCli} to its end; killed after `timeoutMs`. */
export async function runCliProcess(args: string[], options: CliOptions & { viaBin?: boolean; timeoutMs?: number } = {}): Promise<CliRun & { signal: NodeJS.Signals | null }> {
  const child = await spawnCli(args, options);
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 180_000);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
