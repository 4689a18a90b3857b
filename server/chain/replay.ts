import type { BlockRecord, GenesisRecord, JournalState } from "./journal";
import { JsonRpcError, toQuantity, type JsonRpc, type RpcCall } from "./json-rpc";

/** A replayed block came out different from the journaled one: the journal cannot rebuild this chain. */
export class ReplayMismatchError extends Error {
  constructor(
    readonly number: number,
    readonly expected: string,
    readonly found: string | undefined,
    detail?: string,
  ) {
    super(
      `replayed block ${number} has hash ${found ?? "(not mined)"}, the journal recorded ${expected}` +
        (detail ? ` (${detail})` : "") +
        `: the node does not rebuild this chain exactly (another Hardhat version or configuration, or something else sending to the node during the replay)`,
    );
  }
}

/** The `initialDate` a fresh node needs so its genesis block is the journal's, byte for byte. */
export const initialDateOf = (genesis: GenesisRecord): string => new Date(genesis.timestamp * 1000).toISOString();

/** The JSON-RPC calls that mine one journaled block again, at its original timestamp, with its transactions in order. */
export function callsForBlock(block: BlockRecord, rawOf: (hash: string) => string): RpcCall[] {
  if (block.txs.length === 0) return [{ method: "evm_mine", params: [block.timestamp] }];
  if (block.txs.length === 1) {
    return [
      { method: "evm_setNextBlockTimestamp", params: [block.timestamp] },
      { method: "eth_sendRawTransaction", params: [rawOf(block.txs[0])] },
    ];
  }
  return [
    { method: "evm_setAutomine", params: [false] },
    ...block.txs.map((hash) => ({ method: "eth_sendRawTransaction", params: [rawOf(hash)] })),
    { method: "evm_mine", params: [block.timestamp] },
    { method: "evm_setAutomine", params: [true] },
  ];
}

// Blocks between hash checks: block hashes chain, so one equal hash proves every block before it.
const BLOCKS_PER_CHECK = 100;

/**
 * Mines the journal's blocks `from`..last on a dev node whose head is block `from - 1` of the
 * same chain, checking every 100 blocks (and at the end) that the last block's hash is the
 * journaled one. Calls go one at a time: a Hardhat node runs the calls of a JSON-RPC batch
 * concurrently, so a batch could mine a block before its timestamp is set.
 */
export async function replayBlocks(
  rpc: JsonRpc,
  state: JournalState,
  options: { from: number; timeoutMs?: number; onProgress?: (replayed: number, total: number) => void },
): Promise<void> {
  const last = state.height;
  const total = last - options.from + 1;
  const rawOf = (hash: string) => state.tx(hash)!.raw;
  const timeoutMs = options.timeoutMs ?? 60_000;
  let firstUnchecked = options.from;
  let firstError: string | undefined;
  for (let number = options.from; number <= last; number++) {
    for (const call of callsForBlock(state.blocks[number - 1], rawOf)) {
      try {
        await rpc.call(call.method, call.params, { timeoutMs });
      } catch (error) {
        // A reverted transaction is mined but answered with an error; the hash check decides.
        if (!(error instanceof JsonRpcError)) throw error;
        firstError ??= error.message;
        if (call.method !== "eth_sendRawTransaction") break;
      }
    }
    if (number === last || number - firstUnchecked + 1 >= BLOCKS_PER_CHECK) {
      await checkReplayed(rpc, state, firstUnchecked, number, firstError);
      firstUnchecked = number + 1;
      firstError = undefined;
      options.onProgress?.(number - options.from + 1, total);
    }
  }
}

async function checkReplayed(rpc: JsonRpc, state: JournalState, from: number, to: number, error: string | undefined): Promise<void> {
  const tail = await rpc.call("eth_getBlockByNumber", [toQuantity(to), false]);
  if (tail?.hash === state.hashAt(to)) return;
  const answers = await rpc.batch(Array.from({ length: to - from + 1 }, (_, i) => ({ method: "eth_getBlockByNumber", params: [toQuantity(from + i), false] })));
  const hashes = answers.map((a) => ("result" in a ? (a.result?.hash as string | undefined) : undefined));
  const bad = Math.max(0, hashes.findIndex((hash, i) => hash !== state.hashAt(from + i)));
  throw new ReplayMismatchError(from + bad, state.hashAt(from + bad)!, hashes[bad], error);
}
