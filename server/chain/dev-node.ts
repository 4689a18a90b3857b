import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import path from "node:path";
import { FetchRequest, JsonRpcProvider } from "ethers";

export interface DevNode {
  rpcUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

const ROOT = path.join(__dirname, "..", "..");

/** Answers eth_chainId within the timeout, or rejects. */
export async function waitForRpc(rpcUrl: string, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
        signal: AbortSignal.timeout(Math.min(2_000, Math.max(250, timeoutMs))),
      });
      const body = (await response.json()) as { result?: string };
      if (body.result) return Number(body.result);
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`no JSON-RPC answer at ${rpcUrl} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The arguments `hardhat node` runs with; the supervisor recognises its node by them (/proc/<pid>/cmdline). */
export const hardhatNodeArgs = (port: number): string[] => [require.resolve("hardhat/internal/cli/cli"), "node", "--hostname", "127.0.0.1", "--port", String(port)];

/** Whether a command line is `hardhat node` on `port` (as started by startDevNode). */
export const isHardhatNodeCommand = (commandLine: string | undefined, port: number): boolean =>
  commandLine !== undefined && /hardhat/.test(commandLine) && / node( |$)/.test(commandLine) && commandLine.includes(`--port ${port}`);

/**
 * Starts `hardhat node` as its own process on 127.0.0.1. Its per-request log goes to `logFile`
 * (it is large and slows the node when sent to a terminal). `detached` puts it in its own
 * process group, so a Ctrl-C in the terminal reaches only the service, which stops it in order.
 */
export async function startDevNode(options: { port: number; logFile: string; initialDate?: string; detached?: boolean }): Promise<DevNode> {
  const out = openSync(options.logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, hardhatNodeArgs(options.port), {
      cwd: ROOT,
      env: { ...process.env, ...(options.initialDate ? { CERTCHAIN_CHAIN_INITIAL_DATE: options.initialDate } : {}) },
      stdio: ["ignore", out, out],
      detached: options.detached ?? false,
    });
  } finally {
    closeSync(out);
  }
  const rpcUrl = `http://127.0.0.1:${options.port}`;
  const exited = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`hardhat node exited with code ${code}; see ${options.logFile}`))));
  exited.catch(() => undefined);
  try {
    await Promise.race([waitForRpc(rpcUrl), exited]);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    rpcUrl,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
      }),
  };
}

export const DEFAULT_CHAIN_TIMEOUT_MS = 5_000;

/**
 * The ethers provider the service reads and writes through: every request has a deadline
 * (FetchRequest.timeout), so a frozen node costs a caller `timeoutMs`, never a hang.
 */
export function devProvider(rpcUrl: string, chainId = 31337, timeoutMs = DEFAULT_CHAIN_TIMEOUT_MS): JsonRpcProvider {
  const request = new FetchRequest(rpcUrl);
  request.timeout = timeoutMs;
  return new JsonRpcProvider(request, chainId, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 250 });
}
