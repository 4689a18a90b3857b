import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { waitForRpc } from "../../server/chain/dev-node";
import { freePort } from "./ports";

const ANVIL = path.join(__dirname, "..", "..", "node_modules", ".bin", "anvil");

export interface Anvil {
  rpcUrl: string;
  child: ChildProcess;
  /** A JSON-RPC call (anvil_setBalance, evm_mine, …). */
  send(method: string, params?: unknown[]): Promise<any>;
  stop(): Promise<void>;
}

/**
 * Foundry's anvil (the npm package ships the binary) on a free port: an EVM chain that is not
 * Hardhat, as an external chain (CHAIN_RPC_URL) of the service. `mnemonic` funds its accounts.
 */
export async function startAnvil(options: { mnemonic?: string; blockTime?: number } = {}): Promise<Anvil> {
  const port = await freePort();
  const args = ["--port", String(port), "--host", "127.0.0.1", "--quiet", ...(options.mnemonic ? ["--mnemonic", options.mnemonic] : []), ...(options.blockTime ? ["--block-time", String(options.blockTime)] : [])];
  const child = spawn(ANVIL, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const rpcUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForRpc(rpcUrl, 30_000);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`anvil did not start: ${stderr || String(error)}`);
  }
  let id = 0;
  return {
    rpcUrl,
    child,
    async send(method, params = []) {
      const response = await fetch(rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }) });
      const body = (await response.json()) as { result?: unknown; error?: { message: string } };
      if (body.error) throw new Error(`${method}: ${body.error.message}`);
      return body.result;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
