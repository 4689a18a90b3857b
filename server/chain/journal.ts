import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from "node:fs";
import { Wallet, type Provider, type TransactionRequest, type TransactionResponse } from "ethers";

/** One mined chain write, enough to replay it byte for byte on a fresh dev chain. */
export interface JournalEntry {
  raw: string;
  hash: string;
  blockNumber: number;
  timestamp: number;
}

/**
 * Append-only, fsync'd log of every transaction this service got mined. A Hardhat node keeps no
 * state across restarts; replaying these signed transactions at their original timestamps
 * rebuilds the same contract addresses, roots, anchor times and revocations.
 */
export function openChainJournal(file: string) {
  const read = (): JournalEntry[] =>
    existsSync(file)
      ? readFileSync(file, "utf8")
          .split("\n")
          .filter((line) => line.trim() !== "")
          .flatMap((line) => {
            try {
              return [JSON.parse(line) as JournalEntry];
            } catch {
              return []; // a line torn by a crash mid-write: its transaction is replayed by the batcher's own recovery
            }
          })
      : [];
  return {
    file,
    entries: read,
    append(entry: JournalEntry) {
      const fd = openSync(file, "a");
      try {
        writeSync(fd, `${JSON.stringify(entry)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    },
  };
}

export type ChainJournal = ReturnType<typeof openChainJournal>;

const sendQueues = new Map<string, Promise<void>>();

/**
 * A wallet whose transactions are journaled once mined and before `sendTransaction` returns, so a
 * caller that records "anchored" after waiting can never get ahead of the journal. Meant for the
 * dev chain (instant mining); on a real network a plain wallet is used and nothing is replayed.
 */
export class JournalingWallet extends Wallet {
  constructor(privateKey: string, provider: Provider, private readonly journal: ChainJournal) {
    super(privateKey, provider);
  }

  override connect(provider: Provider | null): JournalingWallet {
    return new JournalingWallet(this.privateKey, provider!, this.journal);
  }

  override async sendTransaction(request: TransactionRequest): Promise<TransactionResponse> {
    // Sends from one account are serialised until broadcast, so each picks up the next nonce.
    const previous = sendQueues.get(this.address) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    sendQueues.set(this.address, previous.then(() => mine));
    await previous;
    let raw: string;
    let response: TransactionResponse;
    try {
      const populated = await this.populateTransaction(request);
      delete populated.from;
      raw = await this.signTransaction(populated);
      response = await this.provider!.broadcastTransaction(raw);
    } finally {
      release();
    }
    // Contract helpers wrap the response in new objects, so journaling cannot hook their
    // wait(): the write is journaled here, before the caller even sees the response.
    const receipt = await response.wait(1);
    if (receipt) {
      const block = await this.provider!.getBlock(receipt.blockNumber);
      this.journal.append({ raw, hash: receipt.hash, blockNumber: receipt.blockNumber, timestamp: block!.timestamp });
    }
    return response;
  }
}
