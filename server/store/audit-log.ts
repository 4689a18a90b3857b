import type { Hex } from "@certchain/sdk";
import { canonicalJson } from "../lib/canonical-json";
import { createMutex } from "../lib/mutex";
import { sha256Hex } from "../lib/sha256-hex";
import type { AuditEntry } from "../domain/audit-entry";
import type { Database, WriteOp } from "./database";

export const GENESIS_HASH: Hex = `0x${"00".repeat(32)}`;

export type NewAuditEntry = Omit<AuditEntry, "seq" | "prevHash" | "hash">;

// Zero-padded so LevelDB's byte order is sequence order.
const keyOf = (seq: number): string => String(seq).padStart(15, "0");

/** The entry's hash covers every field but itself, prevHash included: that is the chain. */
export const hashOfEntry = ({ hash: _hash, ...rest }: Omit<AuditEntry, "hash"> & { hash?: Hex }): Hex => sha256Hex(canonicalJson(rest));

/**
 * Append-only, hash-chained audit log. It is also the single serialised writer of the node's
 * state: callers hand their own writes to `append`, which commits them atomically with the
 * entries, so the log can never disagree with the data it describes.
 */
export function createAuditLog(db: Database) {
  const entries = db.sublevel<AuditEntry>("audit");
  const exclusive = createMutex();
  let head: { seq: number; hash: Hex } | undefined;

  async function loadHead(): Promise<{ seq: number; hash: Hex }> {
    if (head === undefined) {
      const [last] = await entries.values({ reverse: true, limit: 1 }).all();
      head = last === undefined ? { seq: 0, hash: GENESIS_HASH } : { seq: last.seq, hash: last.hash };
    }
    return head;
  }

  return {
    /**
     * Appends `newEntries` and commits them with `ops` in one synced batch. `ops` may be a
     * function: it then runs inside the lock, for writes whose value depends on commit order
     * (counters).
     */
    append(newEntries: readonly NewAuditEntry[], ops: readonly WriteOp[] | (() => readonly WriteOp[]) = []): Promise<AuditEntry[]> {
      return exclusive(async () => {
        let { seq, hash } = await loadHead();
        const written: AuditEntry[] = [];
        const batch: WriteOp[] = [...(typeof ops === "function" ? ops() : ops)];
        for (const entry of newEntries) {
          const unsigned = { ...entry, seq: seq + 1, prevHash: hash };
          const full: AuditEntry = { ...unsigned, hash: hashOfEntry(unsigned) };
          ({ seq, hash } = full);
          written.push(full);
          batch.push({ type: "put", sublevel: entries, key: keyOf(full.seq), value: full });
        }
        await db.write(batch);
        head = { seq, hash };
        return written;
      });
    },

    async head(): Promise<{ seq: number; hash: Hex }> {
      return { ...(await loadHead()) };
    },

    /** Every entry of one action, oldest first (a full scan: for rare, offline uses). */
    async *withAction(action: string): AsyncGenerator<AuditEntry> {
      for await (const entry of entries.values()) if (entry.action === action) yield entry;
    },

    list(options: { after?: number; limit?: number } = {}): Promise<AuditEntry[]> {
      return entries.values({ gt: keyOf(options.after ?? 0), limit: Math.min(options.limit ?? 100, 1000) }).all();
    },

    /** Recomputes every hash from the stored entries; `brokenAt` is the first bad sequence number. */
    async verify(): Promise<{ intact: boolean; head: Hex; count: number; brokenAt?: number }> {
      let prev = GENESIS_HASH;
      let expectedSeq = 1;
      for await (const entry of entries.values()) {
        if (entry.seq !== expectedSeq || entry.prevHash !== prev || hashOfEntry(entry) !== entry.hash) {
          return { intact: false, head: prev, count: expectedSeq - 1, brokenAt: expectedSeq };
        }
        prev = entry.hash;
        expectedSeq += 1;
      }
      return { intact: true, head: prev, count: expectedSeq - 1 };
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
