import type { Provider } from "ethers";
import type { Hex } from "@certchain/sdk";
import type { ChainGate } from "../chain/chain-gate";
import { DEFAULT_REORG_WINDOW } from "../chain/chain-identity";
import type { AnchorLog, RegistryReads } from "../chain/registry-reads";
import type { Finality } from "../domain/finality";
import type { Logger } from "../lib/logger";
import type { BatchRecord, BatchStore } from "../store/batch-store";
import type { Batcher } from "./batcher";
import { createBackgroundLoop, errorSummary } from "../lib/background-loop";

export interface AnchorFollowerOptions {
  provider: Provider;
  registry: RegistryReads;
  batches: BatchStore;
  batcher: Pick<Batcher, "reopen" | "moved">;
  gate: ChainGate;
  logger: Logger;
  /** Blocks behind the head that are followed; a batch anchored deeper is settled. Default 64. */
  reorgWindow?: number;
  confirmations?: number;
  finality?: Finality;
  intervalMs?: number;
}

export interface AnchorFollowerStats {
  /** Anchors within the window compared with the chain's logs at the last pass. */
  followed: number;
  /** Anchors found dropped by a reorganisation (and sent again) since the start. */
  dropped: number;
  /** Anchors found moved to another block by a reorganisation since the start. */
  moved: number;
  lastPassAt: string | null;
  lastError?: string;
}

/** What became of an anchored batch on the canonical chain now. */
export type AnchorFate = { kind: "unchanged" } | { kind: "dropped" } | { kind: "moved"; log: AnchorLog } | { kind: "unsure" };

/**
 * The fate of `batch` given the registry's RootAnchored logs of the window (`logs`, by root) and
 * whether the state at the head (read by its hash) holds the root: a pure decision, so each case
 * is tested alone.
 */
export function fateOf(batch: BatchRecord, logs: ReadonlyMap<string, AnchorLog>, atHead: { blockNumber: number } | undefined): AnchorFate {
  const log = logs.get(batch.root.toLowerCase());
  if (log !== undefined && batch.blockHash !== undefined && log.blockHash === batch.blockHash.toLowerCase()) return { kind: "unchanged" };
  if (atHead === undefined) return { kind: "dropped" };
  // The state holds it in the block the log names: it was re-included there (or its hash was never recorded).
  if (log !== undefined && atHead.blockNumber === log.blockNumber) return { kind: "moved", log };
  // The logs and the state disagree: the head moved between the two reads. Look again next pass.
  return { kind: "unsure" };
}

/**
 * Follows the registry's anchors over the last `reorgWindow` blocks, so that an anchor a
 * reorganisation removes is noticed and repaired without an operator:
 *
 *   - each time the head changes, one `eth_getLogs` over the window (RootAnchored, with the hash
 *     of each log's block) is compared with the block hash recorded for every batch anchored in
 *     the window;
 *   - a batch whose root is gone from the state at the head (read by the head's hash) goes back
 *     to pending and is anchored again (same root, new transaction);
 *   - a batch whose root a reorganisation put in another block is updated (block, transaction,
 *     time) when that block is deep enough, and otherwise goes back to pending until it is.
 *
 * Deeper than the window an anchor is settled: a root missing there means the chain lost its
 * state, which the identity check reports (CHAIN_STATE_MISMATCH).
 */
export function createAnchorFollower(options: AnchorFollowerOptions) {
  const { provider, registry, batches, batcher, gate, logger } = options;
  const window = Math.max(1, options.reorgWindow ?? DEFAULT_REORG_WINDOW);
  const confirmations = Math.max(1, options.confirmations ?? 1);
  const intervalMs = options.intervalMs ?? 1_000;
  let lastHead: string | undefined;
  const stats: AnchorFollowerStats = { followed: 0, dropped: 0, moved: 0, lastPassAt: null };

  async function pass(): Promise<void> {
    if (gate.status().phase !== "ready") return;
    const head = await provider.getBlock("latest");
    if (head === null || head.hash === null || head.hash === lastHead) return;
    const recent = await batches.anchoredSince(head.number - window + 1);
    let settled = true;
    if (recent.length > 0) {
      const from = Math.min(...recent.map((b) => b.block!));
      const logs = new Map<string, AnchorLog>((await registry.anchorLogs(from, head.number)).map((log) => [log.root, log]));
      for (const batch of recent) {
        if (loop.stopped()) return;
        const known = logs.get(batch.root.toLowerCase());
        if (known !== undefined && known.blockHash === batch.blockHash?.toLowerCase()) continue;
        // The state at the head, named by its hash: a head that vanished meanwhile makes the node refuse (next pass).
        const atHead = await registry.anchorAtBlock(batch.root, head.hash as Hex);
        const fate = fateOf(batch, logs, atHead);
        if (fate.kind === "dropped") {
          logger.warn(`the anchor of batch ${batch.root} (${batch.agency}, block ${batch.block}) left the canonical chain in a reorganisation: its certificates are pending again and it is anchored again`);
          await batcher.reopen(batch, `block ${batch.block} (${batch.blockHash ?? "hash not recorded"}) left the canonical chain`);
          stats.dropped += 1;
        } else if (fate.kind === "moved") {
          const deep = options.finality === "finalized" ? ((await provider.getBlock("finalized"))?.number ?? -1) >= fate.log.blockNumber : head.number - fate.log.blockNumber + 1 >= confirmations;
          if (!deep) {
            await batcher.reopen(batch, `re-included in block ${fate.log.blockNumber}, not deep enough yet`);
            continue;
          }
          const block = await provider.getBlock(fate.log.blockHash);
          if (block === null) {
            settled = false;
            continue;
          }
          if (batch.blockHash !== undefined) logger.info(`the anchor of batch ${batch.root} (${batch.agency}) moved from block ${batch.block} to block ${fate.log.blockNumber} in a reorganisation`);
          await batcher.moved(batch, { transaction: fate.log.transaction, block: fate.log.blockNumber, blockHash: fate.log.blockHash, anchoredAt: new Date(block.timestamp * 1000).toISOString() });
          if (batch.blockHash !== undefined) stats.moved += 1;
        } else if (fate.kind === "unsure") settled = false;
      }
    }
    stats.followed = recent.length;
    stats.lastPassAt = new Date().toISOString();
    delete stats.lastError;
    // Only a pass that settled everything lets the next one skip an unchanged head.
    if (settled) lastHead = head.hash;
  }

  const loop = createBackgroundLoop(pass, { intervalMs, onError: (error) => (stats.lastError = errorSummary(error)) });

  return {
    /** One pass now (tests; the timer runs them in the background). */
    pass,
    stats: (): AnchorFollowerStats => ({ ...stats }),
    start: loop.start,
    stop: loop.stop,
  };
}

export type AnchorFollower = ReturnType<typeof createAnchorFollower>;
