import type { JsonRpcProvider } from "ethers";
import type { JournalEntry } from "./journal";

/**
 * Rebuilds a fresh dev chain from the journal: each transaction is sent again, signed bytes
 * unchanged, in a block carrying its original timestamp (the node must have been started with
 * `initialDate` at or before the first entry). Then the clock is brought to now.
 */
export async function replayJournal(provider: JsonRpcProvider, entries: readonly JournalEntry[], onProgress?: (done: number) => void): Promise<void> {
  let done = 0;
  for (const entry of entries) {
    await provider.send("evm_setNextBlockTimestamp", [entry.timestamp]);
    const hash = await provider.send("eth_sendRawTransaction", [entry.raw]);
    const receipt = await provider.waitForTransaction(hash);
    if (!receipt || receipt.status !== 1) throw new Error(`replay of ${entry.hash} failed`);
    onProgress?.(++done);
  }
  const latest = await provider.getBlock("latest");
  const now = Math.floor(Date.now() / 1000);
  if (latest && latest.timestamp < now) {
    await provider.send("evm_setNextBlockTimestamp", [now]);
    await provider.send("evm_mine", []);
  }
}

/** The `initialDate` a node must start at to accept the journal's first block. */
export const initialDateFor = (entries: readonly JournalEntry[]): string | undefined =>
  entries.length === 0 ? undefined : new Date((entries[0].timestamp - 60) * 1000).toISOString();
