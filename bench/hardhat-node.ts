import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { waitForRpc } from "../server/chain/dev-node";
import { freePort } from "../test/support/ports";

/** A `hardhat node` running as a child process, its console output discarded. */
export interface HardhatNode {
  rpcUrl: string;
  pid: number;
  /** Kills the node (its whole process group). Safe to call more than once, and synchronous. */
  kill(): void;
}

const ROOT = path.join(__dirname, "..");
// `npx hardhat` runs this file; calling it directly makes the child's pid the node's own pid,
// so its peak memory can be read from /proc.
const HARDHAT_CLI = path.join(ROOT, "node_modules", "hardhat", "internal", "cli", "bootstrap.js");

/**
 * Starts `hardhat node` on a free port and waits until it answers. Unlike the service's dev node
 * (server/chain/dev-node.ts) it runs in its own process group and is killed synchronously, so an
 * interrupted benchmark never leaves it behind.
 */
export async function startHardhatNode(options: { timeoutMs?: number } = {}): Promise<HardhatNode> {
  const port = await freePort();
  const rpcUrl = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [HARDHAT_CLI, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: ROOT,
    // The node logs every JSON-RPC request; under load that log slows it (TOOLCHAIN.md).
    stdio: ["ignore", "ignore", "ignore"],
    detached: true,
  });
  let killed = false;
  const node: HardhatNode = {
    rpcUrl,
    pid: child.pid ?? -1,
    kill() {
      if (killed || child.pid === undefined) return;
      killed = true;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    },
  };
  const exited = new Promise<never>((_, reject) => {
    child.once("exit", (code, signal) => reject(new Error(`hardhat node exited with ${signal ?? `code ${code}`} before answering on ${rpcUrl}`)));
    child.once("error", (error) => reject(new Error(`hardhat node failed to start: ${error.message}`)));
  });
  try {
    const chainId = await Promise.race([waitForRpc(rpcUrl, options.timeoutMs ?? 60_000), exited]);
    if (chainId !== 31337) throw new Error(`hardhat node on ${rpcUrl} serves chain ${chainId}, expected 31337`);
    return node;
  } catch (error) {
    node.kill();
    throw error;
  } finally {
    exited.catch(() => undefined);
  }
}
