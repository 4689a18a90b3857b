import { closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from "node:fs";
import path from "node:path";

type Hex = `0x${string}`;

/**
 * The dev chain's write-ahead log. A Hardhat node keeps nothing across restarts; this file lets
 * a fresh node be rebuilt block for block, with identical block hashes:
 *
 *   genesis    the chain it belongs to; restarts start the node at exactly this timestamp
 *   tx         a signed transaction, written (fsync) BEFORE it is broadcast
 *   block      every block of the chain in number order, empty ones included, naming its
 *              transactions in order; appended by the follower (chain-follower.ts) once mined
 *   abandoned  a tx that will never be mined: its nonce went to another transaction
 *              ("superseded"), or the node never received it ("not-sent")
 *
 * One JSON object per line, each line synced. A line torn by a crash is the last one, and its
 * write never returned to anyone: it is cut off when the file is opened.
 */
export interface GenesisRecord {
  type: "genesis";
  hash: Hex;
  timestamp: number;
  chainId: number;
}
export interface TxRecord {
  type: "tx";
  hash: Hex;
  raw: Hex;
  from: string;
  nonce: number;
}
export interface BlockRecord {
  type: "block";
  number: number;
  hash: Hex;
  timestamp: number;
  txs: Hex[];
}
export interface AbandonedRecord {
  type: "abandoned";
  hash: Hex;
  reason: "superseded" | "not-sent";
}
export type JournalRecord = GenesisRecord | TxRecord | BlockRecord | AbandonedRecord;

/** The file is damaged somewhere other than its last line, or breaks the journal's rules. */
export class JournalCorruptError extends Error {}

/** A journal written by certchain before the write-ahead format (entries without a `type`). */
export class LegacyJournalError extends Error {}

/** The in-memory view of a journal: pure, so replay and reconcile logic can be tested without files. */
export class JournalState {
  genesis: GenesisRecord | undefined;
  readonly blocks: BlockRecord[] = [];
  private readonly txs = new Map<string, TxRecord>();
  private readonly mined = new Set<string>();
  private readonly abandoned = new Map<string, AbandonedRecord["reason"]>();

  /** Applies one record, enforcing the journal's rules; returns false for a harmless duplicate. */
  apply(record: JournalRecord): boolean {
    switch (record.type) {
      case "genesis":
        if (this.genesis) {
          if (this.genesis.hash === record.hash) return false;
          throw new JournalCorruptError(`a second genesis record (${record.hash}, first was ${this.genesis.hash})`);
        }
        this.genesis = record;
        return true;
      case "tx":
        if (this.txs.has(record.hash.toLowerCase())) return false;
        this.txs.set(record.hash.toLowerCase(), record);
        return true;
      case "block": {
        const expected = this.blocks.length + 1;
        if (record.number < expected) {
          if (this.blocks[record.number - 1].hash === record.hash) return false;
          throw new JournalCorruptError(`block ${record.number} recorded twice with different hashes`);
        }
        if (record.number !== expected) throw new JournalCorruptError(`block ${record.number} follows block ${expected - 1}: blocks must be journaled in order`);
        for (const hash of record.txs) {
          if (!this.txs.has(hash.toLowerCase())) throw new JournalCorruptError(`block ${record.number} names transaction ${hash}, which has no tx record before it`);
        }
        this.blocks.push(record);
        for (const hash of record.txs) this.mined.add(hash.toLowerCase());
        return true;
      }
      case "abandoned":
        if (this.abandoned.has(record.hash.toLowerCase())) return false;
        this.abandoned.set(record.hash.toLowerCase(), record.reason);
        return true;
      default:
        throw new JournalCorruptError(`unknown record type ${JSON.stringify((record as { type?: unknown }).type)}`);
    }
  }

  get lastBlock(): BlockRecord | undefined {
    return this.blocks[this.blocks.length - 1];
  }

  /** Number of the last journaled block; 0 when only genesis (or nothing) is known. */
  get height(): number {
    return this.blocks.length;
  }

  /** The journaled hash of block `n` (0: genesis). */
  hashAt(n: number): Hex | undefined {
    return n === 0 ? this.genesis?.hash : this.blocks[n - 1]?.hash;
  }

  tx(hash: string): TxRecord | undefined {
    return this.txs.get(hash.toLowerCase());
  }

  isMined(hash: string): boolean {
    return this.mined.has(hash.toLowerCase());
  }

  /** Transactions written but neither in a journaled block nor abandoned, in (sender, nonce) order. */
  pendingTxs(): TxRecord[] {
    return [...this.txs.values()]
      .filter((tx) => !this.mined.has(tx.hash.toLowerCase()) && !this.abandoned.has(tx.hash.toLowerCase()))
      .sort((a, b) => (a.from.toLowerCase() < b.from.toLowerCase() ? -1 : a.from.toLowerCase() > b.from.toLowerCase() ? 1 : a.nonce - b.nonce));
  }

  get txCount(): number {
    return this.txs.size;
  }
}

/** Parses journal text; returns the records and the length of the intact prefix (a torn last line is left out). */
export function parseJournal(text: string): { records: JournalRecord[]; intactLength: number } {
  const records: JournalRecord[] = [];
  let offset = 0;
  let lineNumber = 0;
  while (offset < text.length) {
    const end = text.indexOf("\n", offset);
    lineNumber += 1;
    if (end === -1) break; // a torn last line: its append never returned
    const line = text.slice(offset, end);
    offset = end + 1;
    if (line.trim() === "") continue;
    let parsed: any;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new JournalCorruptError(`line ${lineNumber} is not JSON, and it is not the last line: the journal is damaged`);
    }
    if (parsed && typeof parsed === "object" && parsed.type === undefined && typeof parsed.raw === "string" && typeof parsed.blockNumber === "number") {
      throw new LegacyJournalError("legacy journal entry");
    }
    records.push(parsed as JournalRecord);
  }
  return { records, intactLength: offset };
}

export interface Journal {
  readonly file: string;
  readonly state: JournalState;
  /** Appends records in one write and fsyncs before returning; duplicates are skipped. */
  append(records: readonly JournalRecord[]): void;
  close(): void;
}

/** Opens (or creates) the journal file, cutting off a torn last line. */
export function openJournal(file: string): Journal {
  const state = new JournalState();
  const existed = existsSync(file);
  if (existed) {
    const text = readFileSync(file, "utf8");
    let parsed;
    try {
      parsed = parseJournal(text);
    } catch (error) {
      if (error instanceof LegacyJournalError) {
        throw new LegacyJournalError(
          `${file} was written by an earlier certchain, whose journal cannot be replayed block for block. ` +
            `Move it aside (with the data directory's db/ and deployment.json) to start a fresh dev chain.`,
        );
      }
      throw error;
    }
    for (const record of parsed.records) state.apply(record);
    if (Buffer.byteLength(text.slice(0, parsed.intactLength)) !== Buffer.byteLength(text)) truncateSync(file, Buffer.byteLength(text.slice(0, parsed.intactLength)));
  }
  const fd = openSync(file, "a");
  if (!existed) {
    // The new file's directory entry must survive a crash too.
    const dir = openSync(path.dirname(file), "r");
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  }
  let closed = false;
  let failed: Error | undefined;
  return {
    file,
    state,
    append(records) {
      if (closed) throw new Error("the chain journal is closed");
      // After a failed write the file and the in-memory view may disagree: refuse every later write.
      if (failed) throw new Error(`the chain journal ${file} could not be written (${failed.message}); restart the service`);
      const fresh = records.filter((record) => state.apply(record));
      if (fresh.length === 0) return;
      try {
        writeSync(fd, fresh.map((record) => `${JSON.stringify(record)}\n`).join(""));
        fsyncSync(fd);
      } catch (error) {
        failed = error as Error;
        throw error;
      }
    },
    close() {
      if (!closed) closeSync(fd);
      closed = true;
    },
  };
}
