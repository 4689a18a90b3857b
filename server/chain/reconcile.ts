import { silentLogger, type Logger } from "../lib/logger";
import { ChainDivergedError, type ChainFollower } from "./chain-follower";
import type { Journal, TxRecord } from "./journal";
import { JsonRpcError, toQuantity, type JsonRpc } from "./json-rpc";
import { replayBlocks } from "./replay";

export interface ReconcileReport {
  /** Journaled blocks mined again on a node that lacked them. */
  replayed: number;
  /** Blocks the node had and the journal did not (now journaled). */
  adopted: number;
  /** Journaled transactions the node lacked, sent again. */
  rebroadcast: number;
  /** Journaled transactions whose nonce another transaction took: never to be sent. */
  superseded: number;
}

export interface ReconcileOptions {
  logger?: Logger;
  /** Called before the first replayed block (the caller reports the phase). */
  onReplayStart?: (blocks: number) => void;
  onProgress?: (replayed: number, total: number) => void;
  now?: () => number;
}

/**
 * Brings a dev node and the journal into agreement, in both directions, or throws
 * ChainDivergedError when the node holds another chain (then neither is touched):
 *
 *   1. the genesis block must be the journal's (a first start records it);
 *   2. where the node is behind, the journal's blocks are replayed onto it (hash-checked), and
 *      one more block brings its clock to now — before anything new is mined, so no new block
 *      can carry a time from the past;
 *      where the node is ahead, its extra blocks are journaled (adopted);
 *   3. journaled transactions the node lacks are sent again when their nonce is the sender's
 *      next one, in (sender, nonce) order; one whose nonce another transaction took is marked
 *      superseded.
 */
export async function reconcileWithNode(rpc: JsonRpc, journal: Journal, follower: ChainFollower, options: ReconcileOptions = {}): Promise<ReconcileReport> {
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const state = journal.state;
  const report: ReconcileReport = { replayed: 0, adopted: 0, rebroadcast: 0, superseded: 0 };

  const genesis = await rpc.call("eth_getBlockByNumber", ["0x0", false]);
  if (state.genesis === undefined) {
    const chainId = Number(await rpc.call("eth_chainId"));
    journal.append([{ type: "genesis", hash: genesis.hash, timestamp: Number(genesis.timestamp), chainId }]);
  } else if (genesis.hash !== state.genesis.hash) {
    throw new ChainDivergedError(0, state.genesis.hash, genesis.hash);
  }

  const head = Number(await rpc.call("eth_blockNumber"));
  const common = Math.min(head, state.height);
  if (common > 0) {
    const block = await rpc.call("eth_getBlockByNumber", [toQuantity(common), false]);
    if (block?.hash !== state.hashAt(common)) throw new ChainDivergedError(common, state.hashAt(common), block?.hash);
  }

  if (head < state.height) {
    report.replayed = state.height - head;
    options.onReplayStart?.(report.replayed);
    await replayBlocks(rpc, state, { from: head + 1, onProgress: options.onProgress });
    const last = state.lastBlock!;
    await rpc.call("evm_mine", [Math.max(Math.floor(now() / 1000), last.timestamp + 1)]);
    await follower.syncToHead();
  } else if (head > state.height) {
    report.adopted = head - state.height;
    await follower.syncTo(head);
  }

  const next = new Map<string, number>();
  for (const tx of state.pendingTxs()) {
    const sender = tx.from.toLowerCase();
    const known = await rpc.call("eth_getTransactionByHash", [tx.hash]);
    if (known) continue; // mined (the follower journals it) or waiting in the node's pool
    if (!next.has(sender)) next.set(sender, Number(await rpc.call("eth_getTransactionCount", [tx.from, "pending"])));
    const nonce = next.get(sender)!;
    if (tx.nonce < nonce) {
      journal.append([{ type: "abandoned", hash: tx.hash, reason: "superseded" }]);
      report.superseded += 1;
    } else if (tx.nonce === nonce) {
      await rebroadcast(rpc, journal, tx, logger);
      next.set(sender, nonce + 1);
      report.rebroadcast += 1;
    } else {
      logger.warn(`journaled transaction ${tx.hash} has nonce ${tx.nonce} but ${tx.from} is at ${nonce}: kept for later`);
    }
  }
  if (report.rebroadcast > 0) await follower.syncToHead();
  return report;
}

async function rebroadcast(rpc: JsonRpc, journal: Journal, tx: TxRecord, logger: Logger): Promise<void> {
  try {
    await rpc.call("eth_sendRawTransaction", [tx.raw]);
  } catch (error) {
    if (!(error instanceof JsonRpcError)) throw error;
    // A Hardhat node answers a reverted transaction with an error but mines it all the same.
    if (await rpc.call("eth_getTransactionByHash", [tx.hash])) return;
    logger.warn(`journaled transaction ${tx.hash} was refused by the node (${error.message}); it will not be sent again`);
    journal.append([{ type: "abandoned", hash: tx.hash, reason: "not-sent" }]);
  }
}
