import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Logger } from "../lib/logger";
import { commandLineOf, cpuTicksOf, describeProcess, isAlive, pidListeningOn, stateOf } from "../lib/process-info";
import type { ChainFollower } from "./chain-follower";
import type { ChainGateControl } from "./chain-gate";
import { isHardhatNodeCommand, startDevNode } from "./dev-node";
import type { Journal } from "./journal";
import type { JsonRpc } from "./json-rpc";
import { reconcileWithNode, type ReconcileReport } from "./reconcile";
import { initialDateOf } from "./replay";

/** The dev-chain port is held by a node that is not this data directory's (nor a node certchain started). */
export class ForeignNodeError extends Error {
  constructor(
    readonly port: number,
    readonly pid: number | undefined,
    firstStart: boolean,
  ) {
    const who = pid !== undefined ? describeProcess(pid) : "a process certchain did not start";
    super(
      firstStart
        ? `port ${port} is already used by ${who}. certchain starts its own Hardhat node there: stop that process or set DEV_CHAIN_PORT to a free port.`
        : `port ${port} is held by ${who}, whose chain is not this data directory's. Stop it (or set DEV_CHAIN_PORT to a free port): certchain then rebuilds the chain from its journal by itself.`,
    );
  }
}

export interface DevNodeSupervisorOptions {
  dataDir: string;
  port: number;
  journal: Journal;
  follower: ChainFollower;
  rpc: JsonRpc;
  gate: ChainGateControl;
  logger: Logger;
  /** How long in-flight chain writes get to finish before the node is replaced. */
  drainMs: number;
}

export interface DevNodeSupervisor {
  /** Starts a node, or adopts ours left running by a previous run, then reconciles it with the journal. */
  open(): Promise<ReconcileReport>;
  /** Kills the node if it is ours (frozen or not), starts a fresh one and rebuilds it from the journal. */
  restart(): Promise<ReconcileReport>;
  /** True when the node we manage has exited. */
  exited(): boolean;
  /** What /proc says of the node we manage: its state letter (T: stopped) and CPU time used. */
  processHealth(): { state?: string; cpuTicks?: number };
  /** Whether we manage (may stop and restart) the node on the port. */
  readonly managed: boolean;
  readonly pid: number | undefined;
  /** Stops the node if it is ours. */
  stop(): Promise<void>;
}

const waitUntil = async (condition: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
};

/**
 * Owns the dev chain's Hardhat process. The node is recognised across service restarts by the
 * pid in `<data dir>/hardhat-node.pid` and its command line; a node on the port that is neither
 * ours nor holding the journal's chain is never touched.
 */
export function createDevNodeSupervisor(options: DevNodeSupervisorOptions): DevNodeSupervisor {
  const { port, journal, rpc, gate, logger } = options;
  const pidFile = path.join(options.dataDir, "hardhat-node.pid");
  const logFile = path.join(options.dataDir, "hardhat-node.log");
  let child: ChildProcess | undefined;
  let pid: number | undefined;
  let managed = false;
  let childExited = false;

  const ours = (candidate: number | undefined): candidate is number =>
    candidate !== undefined && isAlive(candidate) && isHardhatNodeCommand(commandLineOf(candidate), port);

  const answers = async (): Promise<boolean> => {
    try {
      await rpc.call("eth_chainId", [], { timeoutMs: 2_000 });
      return true;
    } catch {
      return false;
    }
  };

  async function killOurs(): Promise<void> {
    if (!managed || pid === undefined) return;
    const victim = pid;
    if (isAlive(victim)) {
      try {
        process.kill(victim, "SIGKILL");
      } catch {
        // gone meanwhile
      }
      await waitUntil(() => !isAlive(victim), 10_000);
    }
    child = undefined;
    pid = undefined;
    managed = false;
  }

  async function spawnNode(): Promise<void> {
    const genesis = journal.state.genesis;
    const node = await startDevNode({ port, logFile, initialDate: genesis ? initialDateOf(genesis) : undefined, detached: true });
    child = node.process;
    pid = child.pid;
    managed = true;
    childExited = false;
    child.once("exit", () => {
      if (child === node.process) childExited = true;
    });
    // If this process dies hard, the node outlives it; the next start adopts it by this pid.
    writeFileSync(pidFile, String(pid));
    logger.info(`started a Hardhat node at http://127.0.0.1:${port}, pid ${pid} (log: ${logFile})`);
  }

  async function open(): Promise<ReconcileReport> {
    const recorded = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").trim()) : undefined;
    if (!managed && ours(recorded)) {
      pid = recorded;
      managed = true;
      logger.warn(`adopting the Hardhat node left running by an earlier run (pid ${pid})`);
    }
    if (await answers()) {
      if (!managed) {
        const holder = pidListeningOn(port);
        const genesis = await rpc.call("eth_getBlockByNumber", ["0x0", false]);
        if (journal.state.genesis === undefined || genesis?.hash !== journal.state.genesis.hash) throw new ForeignNodeError(port, holder, journal.state.genesis === undefined);
        // It holds our chain (say, our node whose pid file was lost): use it, and manage it if it is a plain hardhat node.
        if (ours(holder)) {
          pid = holder;
          managed = true;
          writeFileSync(pidFile, String(pid));
        }
        logger.info(`using the Hardhat node already at port ${port}${holder ? ` (pid ${holder})` : ""}: it holds this data directory's chain`);
      }
    } else {
      // Ours but silent (frozen, or still starting after a crash): replace it.
      if (managed) {
        logger.warn(`the Hardhat node (pid ${pid}, state ${stateOf(pid!) ?? "?"}) does not answer: killing it`);
        await killOurs();
      }
      await spawnNode();
    }
    return reconcile();
  }

  async function reconcile(): Promise<ReconcileReport> {
    let lastLog = 0;
    const started = Date.now();
    const report = await reconcileWithNode(rpc, journal, options.follower, {
      logger,
      onReplayStart: (blocks) => {
        gate.set("replaying", { progress: { replayed: 0, total: blocks } });
        logger.info(`the dev node is fresh: replaying ${blocks} journaled blocks…`);
      },
      onProgress: (replayed, total) => {
        gate.update({ progress: { replayed, total } });
        if (Date.now() - lastLog > 2_000 || replayed === total) {
          lastLog = Date.now();
          logger.info(`replaying: block ${replayed} of ${total}`);
        }
      },
    });
    if (report.replayed > 0) logger.info(`chain rebuilt from the journal: ${report.replayed} blocks in ${((Date.now() - started) / 1000).toFixed(1)} s, identical hashes`);
    if (report.adopted > 0) logger.warn(`journaled ${report.adopted} blocks the node mined while no journal was watching`);
    if (report.rebroadcast > 0 || report.superseded > 0) logger.warn(`journaled transactions: ${report.rebroadcast} sent again, ${report.superseded} superseded`);
    return report;
  }

  return {
    open,
    async restart() {
      await gate.drainWrites(options.drainMs);
      await killOurs();
      return open();
    },
    exited: () => managed && (child ? childExited : pid !== undefined && !isAlive(pid)),
    processHealth: () => (managed && pid !== undefined ? { state: stateOf(pid), cpuTicks: cpuTicksOf(pid) } : {}),
    get managed() {
      return managed;
    },
    get pid() {
      return pid;
    },
    async stop() {
      if (!managed || pid === undefined) return;
      const victim = pid;
      if (isAlive(victim)) {
        try {
          process.kill(victim, stateOf(victim) === "T" ? "SIGKILL" : "SIGTERM");
        } catch {
          // gone
        }
        await waitUntil(() => !isAlive(victim), 5_000);
        if (isAlive(victim)) {
          process.kill(victim, "SIGKILL");
          await waitUntil(() => !isAlive(victim), 5_000);
        }
      }
      rmSync(pidFile, { force: true });
      managed = false;
      pid = undefined;
    },
  };
}
