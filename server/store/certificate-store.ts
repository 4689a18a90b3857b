import type { CertificateRecord } from "../service/types";
import type { Database, WriteOp } from "./database";

/** What the batcher needs of a pending certificate, without reading the whole record. */
export interface PendingEntry {
  id: string;
  agency: string;
  leaf: string;
  at: number; // ms since epoch, when it was accepted
}

// Agency first, then the time-ordered id: a per-agency scan returns the oldest first.
const pendingKey = (agency: string, id: string): string => `${agency}!${id}`;

/**
 * Certificate records by id, and a secondary index of the ids still waiting for an anchor.
 * Methods returning `WriteOp[]` do not write: the caller commits them with the audit entries.
 */
export function createCertificateStore(db: Database) {
  const records = db.sublevel<CertificateRecord>("certificates");
  const pending = db.sublevel<PendingEntry>("pending");

  return {
    async get(id: string): Promise<CertificateRecord | undefined> {
      return records.get(id);
    },

    async getMany(ids: readonly string[]): Promise<(CertificateRecord | undefined)[]> {
      return records.getMany(ids as string[]);
    },

    /** A new pending certificate: the record plus its pending-index entry. */
    insertOps(record: CertificateRecord, acceptedAt: number): WriteOp[] {
      return [
        { type: "put", sublevel: records, key: record.id, value: record },
        { type: "put", sublevel: pending, key: pendingKey(record.agency, record.id), value: { id: record.id, agency: record.agency, leaf: record.leaf, at: acceptedAt } },
      ];
    },

    updateOps(record: CertificateRecord): WriteOp[] {
      return [{ type: "put", sublevel: records, key: record.id, value: record }];
    },

    /** Taking a certificate into a batch removes it from the index in the same write, so it can join one batch only. */
    unpendOps(entries: readonly Pick<PendingEntry, "agency" | "id">[]): WriteOp[] {
      return entries.map((e) => ({ type: "del", sublevel: pending, key: pendingKey(e.agency, e.id) }));
    },

    /** Whether any certificate was ever stored. */
    async any(): Promise<boolean> {
      return (await records.keys({ limit: 1 }).all()).length > 0;
    },

    async pendingEntries(): Promise<PendingEntry[]> {
      return pending.values().all();
    },
  };
}

export type CertificateStore = ReturnType<typeof createCertificateStore>;
