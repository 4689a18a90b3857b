import { spawn, type ChildProcess } from "node:child_process";
import { openSync } from "node:fs";
import path from "node:path";
import { JsonRpcProvider } from "ethers";

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
        signal: AbortSignal.timeout(2_000),
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

/**
 * Starts `hardhat node` as its own process on 127.0.0.1. Its per-request log goes to `logFile`
 * (it is large and slows the node when sent to a terminal).
 */
export async function startDevNode(options: { port: number; logFile: string; initialDate?: string }): Promise<DevNode> {
  const out = openSync(options.logFile, "a");
  const child = spawn(process.execPath, [require.resolve("hardhat/internal/cli/cli"), "node", "--hostname", "127.0.0.1", "--port", String(options.port)], {
    cwd: ROOT,
    env: { ...process.env, ...(options.initialDate ? { CERTCHAIN_CHAIN_INITIAL_DATE: options.initialDate } : {}) },
    stdio: ["ignore", out, out],
  });
  const rpcUrl = `http://127.0.0.1:${options.port}`;
  const exited = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`hardhat node exited with code ${code}; see ${options.logFile}`))));
  await Promise.race([waitForRpc(rpcUrl), exited]);
  exited.catch(() => undefined);
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

export const devProvider = (rpcUrl: string, chainId = 31337) =>
  new JsonRpcProvider(rpcUrl, chainId, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 250 });
