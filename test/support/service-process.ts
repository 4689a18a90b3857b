import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { startBundle } from "./bundles";
import { freePort } from "./ports";

const ROOT = path.join(__dirname, "..", "..");

export interface Demo {
  apiUrl: string;
  rpcUrl: string;
  chainId: number;
  registry: string;
  rootToken: string;
  agencies: { id: string; name: string; token: string; types: string[] }[];
}

export interface ServiceProcess {
  child: ChildProcess;
  demo: Demo;
  output: () => string;
  /** Graceful stop (SIGINT, as Ctrl-C). */
  stop(): Promise<void>;
  /** kill -9: the Hardhat node it started survives, as it would in real life. */
  crash(): Promise<void>;
}

export interface ServiceProcessOptions {
  chainPort: number;
  env?: Record<string, string>;
  startTimeoutMs?: number;
  execArgv?: string[];
  /**
   * Run scripts/start.ts through ts-node instead of its esbuild bundle (test/support/bundles.ts),
   * which starts seconds sooner. The benchmarks measure the sources as `npm start` runs them.
   */
  viaTsNode?: boolean;
}

/** Runs `npm start`'s script as its own process and waits for its demo.json. */
export async function startServiceProcess(dataDir: string, options: ServiceProcessOptions): Promise<ServiceProcess> {
  const port = await freePort();
  const demoFile = path.join(dataDir, "demo.json");
  rmSync(demoFile, { force: true });
  let output = "";
  const script = options.viaTsNode ? ["-r", "ts-node/register/transpile-only", path.join(ROOT, "scripts", "start.ts")] : [await startBundle()];
  const child = spawn(process.execPath, [...(options.execArgv ?? []), ...script], {
    cwd: ROOT,
    env: {
      ...process.env,
      TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json"),
      DATA_DIR: dataDir,
      PORT: String(port),
      DEV_CHAIN_PORT: String(options.chainPort),
      LOG_LEVEL: "warn",
      BATCH_DELAY_MS: "300",
      // Tests poll hundreds of certificates; the limiter has its own tests.
      RATE_LIMIT_PER_MINUTE: "0",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  while (!existsSync(demoFile)) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}:\n${output}`);
    if (child.signalCode !== null) throw new Error(`service killed by ${child.signalCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`service did not start in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  let demo: Demo;
  try {
    demo = JSON.parse(readFileSync(demoFile, "utf8")) as Demo;
  } catch (error) {
    child.kill("SIGKILL"); // never leave a service behind a failed start
    throw error;
  }
  const exited = () => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve())));
  return {
    child,
    demo,
    output: () => output,
    async stop() {
      child.kill("SIGINT");
      await exited();
    },
    async crash() {
      child.kill("SIGKILL");
      await exited();
    },
  };
}

/** Stops a Hardhat node left behind by a crashed service. */
export function killLeftoverNode(dataDir: string) {
  const pidFile = path.join(dataDir, "hardhat-node.pid");
  if (!existsSync(pidFile)) return;
  try {
    process.kill(Number(readFileSync(pidFile, "utf8")), "SIGKILL");
  } catch {
    // already gone
  }
}

export async function api(demo: Demo, method: string, url: string, token: string | undefined, body?: unknown, timeoutMs = 60_000) {
  const response = await fetch(`${demo.apiUrl}${url}`, {
    method,
    signal: AbortSignal.timeout(timeoutMs),
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Polls `condition` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, condition: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** GET /readyz: status and body. */
export async function readiness(demo: Demo): Promise<{ status: number; body: any }> {
  const response = await fetch(`${demo.apiUrl}/readyz`, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.json() };
}

/** The pid of the Hardhat node the service in `dataDir` runs (from its pid file). */
export function nodePidOf(dataDir: string): number | undefined {
  const pidFile = path.join(dataDir, "hardhat-node.pid");
  return existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8")) : undefined;
}
