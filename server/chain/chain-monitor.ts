import type { Hex } from "@certchain/sdk";
import type { Logger } from "../lib/logger";
import { ChainDivergedError, type ChainFollower } from "./chain-follower";
import type { ChainGateControl } from "./chain-gate";
import { checkChainIdentity, DEFAULT_REORG_WINDOW, type ExpectedChain, type RecordedAnchor } from "./chain-identity";
import { JournalCorruptError, LegacyJournalError, type Journal } from "./journal";
import type { JsonRpc } from "./json-rpc";
import { ForeignNodeError, type DevNodeSupervisor } from "./node-supervisor";
import { ReplayMismatchError } from "./replay";

export interface ChainMonitorOptions {
  gate: ChainGateControl;
  rpc: JsonRpc;
  expected: () => ExpectedChain;
  /**
   * The service's latest settled anchors (a few per agency, in blocks up to `settledBelow`, the
   * head less the reorganisation window); checked on chain with every identity check.
   */
  recordedAnchors?: (settledBelow: number) => Promise<RecordedAnchor[]>;
  /** Blocks under the head where anchors may still move: not this check's business. Default 64. */
  reorgWindow?: number;
  /** Told the registry's code hash when the deployment record lacks one. */
  onCodeHash?: (codeHash: Hex) => void;
  /** The sentence telling the operator the way out of a mismatch. */
  wayOut: () => string;
  logger: Logger;
  probeIntervalMs?: number;
  probeTimeoutMs?: number;
  /** Identity check period while ready. */
  checkIntervalMs?: number;
  /** Dev chain: the node we supervise. */
  devNode?: { supervisor: DevNodeSupervisor; follower: ChainFollower; journal: Journal; restartAfterMs: number };
}

export interface ChainMonitor {
  /** Runs the identity check now; true when the chain is ready. */
  checkIdentity(): Promise<boolean>;
  /** Dev chain: restarts (or starts) the node and rebuilds it; the phase tells how it went. */
  recover(reason: string): Promise<void>;
  /** Puts the gate in mismatch for an error that means "not our chain" (returns false), or in unreachable. */
  explain(error: unknown): void;
  start(): void;
  stop(): Promise<void>;
}

/** Errors that mean "this is not (or cannot become) our chain", as opposed to "down for now". */
const isMismatch = (error: unknown) =>
  error instanceof ForeignNodeError || error instanceof ChainDivergedError || error instanceof ReplayMismatchError || error instanceof JournalCorruptError || error instanceof LegacyJournalError;

/** A node that keeps computing but does not answer for this long is replaced anyway. */
const BUSY_LIMIT_MS = 120_000;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Keeps the chain gate honest. Every `probeIntervalMs` it asks the node for its head (with a
 * short deadline): no answer makes the chain unreachable; the answer coming back triggers an
 * identity check. While ready, the identity check runs every `checkIntervalMs`. For the dev
 * chain it also journals blocks others mined, and restarts the node when it exits or stops
 * answering for `restartAfterMs` (a frozen node is killed first), then replays the journal.
 */
export function createChainMonitor(options: ChainMonitorOptions): ChainMonitor {
  const { gate, rpc, logger } = options;
  const probeIntervalMs = options.probeIntervalMs ?? 1_000;
  const probeTimeoutMs = options.probeTimeoutMs ?? 2_000;
  const checkIntervalMs = options.checkIntervalMs ?? 30_000;
  let lastAnswerAt = Date.now();
  let lastCheckAt = 0;
  let lastMismatch: string | undefined;
  let nextRecoveryAt = 0;
  let recoveryBackoffMs = 1_000;
  /** Our own node holds a chain other than the journal's (someone reverted or reset it): rebuild it. */
  let rebuildDiverged = false;
  /** CPU time of the silent node, sampled at each failed probe: a busy node is not a frozen one. */
  let cpuSamples: { at: number; ticks: number }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  function mismatch(detail: string): void {
    const wayOut = options.wayOut();
    gate.set("mismatch", { detail: `${detail}. ${wayOut}` });
    if (detail !== lastMismatch) logger.error(`CHAIN STATE MISMATCH: ${detail}. ${wayOut}`);
    lastMismatch = detail;
  }

  function explain(error: unknown): void {
    if (error instanceof ChainDivergedError && options.devNode?.supervisor.managed) rebuildDiverged = true;
    if (isMismatch(error)) return mismatch(messageOf(error));
    if (gate.status().phase !== "unreachable") logger.warn(`the chain is unreachable: ${messageOf(error)}`);
    gate.set("unreachable", { detail: messageOf(error) });
  }

  /** Stopped (SIGSTOP), or no CPU used over the last `windowMs` of silence. */
  function isFrozen(health: { state?: string; cpuTicks?: number }, windowMs: number): boolean {
    if (health.state === "T" || health.state === "t") return true;
    if (health.cpuTicks === undefined) return true; // nothing to go by: silence is all we know
    const now = Date.now();
    const old = [...cpuSamples].reverse().find((sample) => now - sample.at >= windowMs);
    return old !== undefined && old.ticks === health.cpuTicks;
  }

  async function checkIdentity(): Promise<boolean> {
    lastCheckAt = Date.now();
    try {
      // Anchors within the reorganisation window may move or be re-sent (the anchor follower's work):
      // only one missing deeper means the chain lost its state.
      const head = options.recordedAnchors ? Number(await rpc.call("eth_blockNumber", [], { timeoutMs: probeTimeoutMs })) : 0;
      const anchors = options.recordedAnchors ? await options.recordedAnchors(head - (options.reorgWindow ?? DEFAULT_REORG_WINDOW)) : [];
      const verdict = await checkChainIdentity(rpc, options.expected(), anchors);
      if (!verdict.ok) {
        if (verdict.problem === "journal-tip" && options.devNode?.supervisor.managed) rebuildDiverged = true;
        mismatch(verdict.message);
        return false;
      }
      if (!options.expected().codeHash) options.onCodeHash?.(verdict.codeHash);
      if (gate.status().phase !== "ready") logger.info("chain ready");
      lastMismatch = undefined;
      gate.set("ready");
      return true;
    } catch (error) {
      explain(error);
      return false;
    }
  }

  async function recover(reason: string): Promise<void> {
    const dev = options.devNode;
    if (!dev) return;
    logger.warn(reason);
    gate.set("restarting", { detail: reason });
    try {
      await dev.supervisor.restart();
      lastAnswerAt = Date.now();
      recoveryBackoffMs = 1_000;
      await checkIdentity();
    } catch (error) {
      explain(error);
      nextRecoveryAt = Date.now() + recoveryBackoffMs;
      recoveryBackoffMs = Math.min(60_000, recoveryBackoffMs * 2);
    }
  }

  async function tick(): Promise<void> {
    const dev = options.devNode;
    if (dev?.supervisor.exited()) return recover(`the Hardhat node (pid ${dev.supervisor.pid}) exited: restarting it and rebuilding the chain from the journal`);
    if (dev && rebuildDiverged && Date.now() >= nextRecoveryAt) {
      rebuildDiverged = false;
      return recover(`the Hardhat node (pid ${dev.supervisor.pid}) no longer holds the journal's chain: replacing it and rebuilding the chain from the journal`);
    }
    let head: number;
    try {
      head = Number(await rpc.call("eth_blockNumber", [], { timeoutMs: probeTimeoutMs }));
    } catch (error) {
      const phase = gate.status().phase;
      if (phase === "ready" || phase === "starting") explain(error);
      const health = dev?.supervisor.processHealth();
      if (health?.cpuTicks !== undefined) cpuSamples = [...cpuSamples.slice(-300), { at: Date.now(), ticks: health.cpuTicks }];
      if (dev && Date.now() >= nextRecoveryAt) {
        const silentMs = Date.now() - lastAnswerAt;
        if (!dev.supervisor.managed) await recover(`nothing answers on the dev-chain port: starting a Hardhat node and rebuilding the chain from the journal`);
        else if (silentMs >= dev.restartAfterMs) {
          const frozen = isFrozen(health ?? {}, dev.restartAfterMs);
          // A node busy with a large read (its CPU time grows) is waited for, up to a limit.
          if (frozen || silentMs >= BUSY_LIMIT_MS) {
            await recover(`the Hardhat node (pid ${dev.supervisor.pid}) has not answered for ${Math.round(silentMs / 1000)} s (${frozen ? "stopped, or using no CPU" : "busy"}): killing it, starting a fresh one and rebuilding the chain from the journal`);
          }
        }
      }
      return;
    }
    cpuSamples = [];
    lastAnswerAt = Date.now();
    gate.update({ blockNumber: head });
    // Journaled blocks come only from the node: a node behind the journal lost blocks (a revert, a reset).
    if (dev && head < dev.journal.state.height && gate.status().phase !== "mismatch") {
      return explain(new ChainDivergedError(head + 1, dev.journal.state.hashAt(head + 1), undefined));
    }
    if (dev && head > dev.journal.state.height && gate.status().phase !== "mismatch") {
      try {
        await dev.follower.syncTo(head);
      } catch (error) {
        return explain(error);
      }
    }
    const phase = gate.status().phase;
    if (phase === "unreachable" || phase === "starting" || Date.now() - lastCheckAt >= checkIntervalMs) await checkIdentity();
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick()
        .catch((error) => logger.error(`chain monitor: ${messageOf(error)}`))
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, probeIntervalMs);
    timer.unref();
  }

  return {
    checkIdentity,
    recover,
    explain,
    start() {
      stopped = false;
      lastAnswerAt = Date.now();
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
