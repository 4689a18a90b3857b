import { createMutex } from "../lib/mutex";
import type { Journal, JournalRecord } from "./journal";
import { resultOf, toQuantity, type JsonRpc } from "./json-rpc";
import { rawTransactionOf, type RpcTransaction } from "./raw-transaction";

/** The node's chain is not the journal's: at `height` the two disagree. */
export class ChainDivergedError extends Error {
  constructor(
    readonly height: number,
    readonly journaled: string | undefined,
    readonly found: string | undefined,
  ) {
    super(`the node's block ${height} is ${found ?? "missing"}, the journal's is ${journaled ?? "missing"}: the node holds a different chain`);
  }
}

const BLOCKS_PER_READ = 50;

export interface ChainFollower {
  /** Journals every block up to `blockNumber` (inclusive) that is not journaled yet, in order. */
  syncTo(blockNumber: number): Promise<void>;
  /** Journals up to the node's current head; returns it. */
  syncToHead(): Promise<number>;
}

/**
 * Appends the node's blocks to the journal in block order, each after the blocks before it,
 * checking that every block's parent is the block the journal already holds. A transaction the
 * journal has no `tx` record for (sent to the node by someone else) is adopted: its signed bytes
 * are rebuilt and journaled before the block that holds it.
 */
export function createChainFollower(journal: Journal, rpc: JsonRpc): ChainFollower {
  const exclusive = createMutex();

  async function readBlocks(from: number, to: number): Promise<void> {
    const answers = await rpc.batch(Array.from({ length: to - from + 1 }, (_, i) => ({ method: "eth_getBlockByNumber", params: [toQuantity(from + i), true] })));
    const records: JournalRecord[] = [];
    const adopted = new Set<string>();
    let parentHash = journal.state.hashAt(from - 1);
    for (const [i, answer] of answers.entries()) {
      const number = from + i;
      const block = resultOf(answer, "eth_getBlockByNumber");
      if (!block) throw new Error(`block ${number} is not on the node (yet)`);
      if (block.parentHash.toLowerCase() !== parentHash?.toLowerCase()) throw new ChainDivergedError(number - 1, parentHash, block.parentHash);
      for (const tx of block.transactions as RpcTransaction[]) {
        if (journal.state.tx(tx.hash) || adopted.has(tx.hash.toLowerCase())) continue;
        const { raw, from: sender, nonce } = rawTransactionOf(tx);
        records.push({ type: "tx", hash: tx.hash as `0x${string}`, raw, from: sender, nonce });
        adopted.add(tx.hash.toLowerCase());
      }
      records.push({ type: "block", number, hash: block.hash, timestamp: Number(block.timestamp), txs: (block.transactions as RpcTransaction[]).map((tx) => tx.hash as `0x${string}`) });
      parentHash = block.hash;
    }
    journal.append(records);
  }

  const syncTo = (blockNumber: number): Promise<void> =>
    journal.state.height >= blockNumber
      ? Promise.resolve()
      : exclusive(async () => {
          if (!journal.state.genesis) throw new Error("the journal has no genesis record: the chain was not opened through openDevChain");
          while (journal.state.height < blockNumber) {
            const from = journal.state.height + 1;
            await readBlocks(from, Math.min(blockNumber, from + BLOCKS_PER_READ - 1));
          }
        });

  return {
    syncTo,
    async syncToHead() {
      const head = Number(await rpc.call("eth_blockNumber"));
      await syncTo(head);
      return head;
    },
  };
}
