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
/** Leaves are keyed as lowercase hex without 0x, however a caller spells them. */
const leafKey = (leaf: string): string => leaf.toLowerCase().replace(/^0x/, "");
const LEAF_INDEX_BUILT = "leaf-index-v1";

/**
 * Certificate records by id, a secondary index of the ids still waiting for an anchor, and an
 * index leaf → id (the public proof lookup, GET /v1/proofs/<leaf>, knows only the leaf).
 * Methods returning `WriteOp[]` do not write: the caller commits them with the audit entries.
 */
export function createCertificateStore(db: Database) {
  const records = db.sublevel<CertificateRecord>("certificates");
  const pending = db.sublevel<PendingEntry>("pending");
  const leaves = db.sublevel<string>("leaves");
  const meta = db.sublevel<boolean>("meta");

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
        { type: "put", sublevel: leaves, key: leafKey(record.leaf), value: record.id },
      ];
    },

    /** The certificate whose issuer-signed JWT hashes to `leaf` (0x-prefixed or not, any case). */
    async getByLeaf(leaf: string): Promise<CertificateRecord | undefined> {
      const id = await leaves.get(leafKey(leaf));
      return id === undefined ? undefined : records.get(id);
    },

    /**
     * Builds the leaf index over records written before it existed; a no-op once done. Runs at
     * start, before any request, in synced slices (a crash midway just starts it again).
     */
    async ensureLeafIndex(slice = 1_000): Promise<void> {
      if ((await meta.get(LEAF_INDEX_BUILT)) === true) return;
      let ops: WriteOp[] = [];
      for await (const record of records.values()) {
        ops.push({ type: "put", sublevel: leaves, key: leafKey(record.leaf), value: record.id });
        if (ops.length >= slice) {
          await db.write(ops);
          ops = [];
        }
      }
      await db.write([...ops, { type: "put", sublevel: meta, key: LEAF_INDEX_BUILT, value: true }]);
    },

    updateOps(record: CertificateRecord): WriteOp[] {
      return [{ type: "put", sublevel: records, key: record.id, value: record }];
    },

    /** Taking a certificate into a batch removes it from the index in the same write, so it can join one batch only. */
    unpendOps(entries: readonly Pick<PendingEntry, "agency" | "id">[]): WriteOp[] {
      return entries.map((e) => ({ type: "del", sublevel: pending, key: pendingKey(e.agency, e.id) }));
    },

    async pendingEntries(): Promise<PendingEntry[]> {
      return pending.values().all();
    },
  };
}

export type CertificateStore = ReturnType<typeof createCertificateStore>;
