import { createAnchoredEnvelope, type AnchorProof, type Hex } from "@certchain/sdk";
import type { CertificateRecord } from "../domain/certificate";
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

/** What every certificate of an anchored batch shares: where and when its root was anchored. Keyed by root. */
export type BatchAnchor = Omit<AnchorProof, "status" | "root" | "proof">;

/** A certificate's Merkle path, as stored beside its record: root, then the sibling hashes, 32 bytes each. */
export function encodeProof(root: Hex, proof: readonly Hex[]): Uint8Array {
  const bytes = Buffer.allocUnsafe(32 * (proof.length + 1));
  bytes.write(root.slice(2), 0, "hex");
  for (let i = 0; i < proof.length; i++) bytes.write(proof[i].slice(2), 32 * (i + 1), "hex");
  return bytes;
}

export function decodeProof(bytes: Uint8Array): { root: Hex; proof: Hex[] } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hexAt = (i: number): Hex => `0x${buffer.toString("hex", 32 * i, 32 * (i + 1))}`;
  const proof: Hex[] = [];
  for (let i = 1; i < buffer.length / 32; i++) proof.push(hexAt(i));
  return { root: hexAt(0), proof };
}

/**
 * The record as the API shows it once its batch is anchored: "pending" becomes "anchored" (a
 * revoked or suspended record keeps its state), the envelope gets its proof.
 */
function withAnchor(record: CertificateRecord, path: { root: Hex; proof: Hex[] }, anchor: BatchAnchor): CertificateRecord {
  return {
    ...record,
    status: record.status === "pending" ? "anchored" : record.status,
    anchoredAt: anchor.anchoredAt,
    envelope: createAnchoredEnvelope(record.envelope.credential, { ...anchor, ...path }, record.envelope.version),
  };
}

/**
 * Certificate records by id, a secondary index of the ids still waiting for an anchor, an index
 * leaf → id (the public proof lookup, GET /v1/proofs/<leaf>, knows only the leaf), and each
 * anchored certificate's proof beside its record. Methods returning `WriteOp[]` do not write: the
 * caller commits them with the audit entries.
 *
 * A record is written once, when issued (pending), and again only when its status changes.
 * Anchoring does not rewrite it: the batcher stores each certificate's Merkle path (binary, keyed
 * by id) and its batch's anchor once (keyed by root), and reads put the three together, so a
 * record with a stored proof reads as anchored. Records anchored before proofs were kept apart
 * hold their anchored envelope themselves and read as stored.
 */
export function createCertificateStore(db: Database) {
  const records = db.sublevel<CertificateRecord>("certificates");
  const pending = db.sublevel<PendingEntry>("pending");
  const leaves = db.sublevel<string>("leaves");
  const meta = db.sublevel<boolean>("meta");
  const proofs = db.sublevel<Uint8Array>("proofs", "view");
  const batchAnchors = db.sublevel<BatchAnchor>("batch-anchors");
  // Holder copies whose status on chain may not follow their certificate's yet (not anchored, or
  // anchored but not brought in line): copy id → certificate id. Written with the copy, deleted
  // once the copy's leaf is anchored and in the certificate's state on chain.
  const copiesToSettle = db.sublevel<string>("holder-copies-to-settle");

  function insertOps(record: CertificateRecord, acceptedAt: number): WriteOp[] {
    return [
      { type: "put", sublevel: records, key: record.id, value: record },
      { type: "put", sublevel: pending, key: pendingKey(record.agency, record.id), value: { id: record.id, agency: record.agency, leaf: record.leaf, at: acceptedAt } },
      { type: "put", sublevel: leaves, key: leafKey(record.leaf), value: record.id },
    ];
  }

  /** Stored records with their proofs put in (where stored). */
  async function merged(found: (CertificateRecord | undefined)[], ids: readonly string[]): Promise<(CertificateRecord | undefined)[]> {
    const present = ids.filter((_, i) => found[i] !== undefined);
    if (present.length === 0) return found;
    const paths = await proofs.getMany(present);
    const decoded = new Map<string, { root: Hex; proof: Hex[] }>();
    present.forEach((id, i) => paths[i] !== undefined && decoded.set(id, decodeProof(paths[i]!)));
    if (decoded.size === 0) return found;
    const roots = [...new Set([...decoded.values()].map((p) => p.root))];
    const anchors = new Map(roots.map((root, i) => [root, i]));
    const anchorValues = await batchAnchors.getMany(roots);
    return found.map((record, i) => {
      const path = record && decoded.get(ids[i]);
      const anchor = path && anchorValues[anchors.get(path.root)!];
      // A proof without its batch's anchor cannot happen (both go in one write); read as stored if it did.
      return record && path && anchor ? withAnchor(record, path, anchor) : record;
    });
  }

  return {
    async get(id: string): Promise<CertificateRecord | undefined> {
      const [record] = await merged([await records.get(id)], [id]);
      return record;
    },

    async getMany(ids: readonly string[]): Promise<(CertificateRecord | undefined)[]> {
      return merged(await records.getMany(ids as string[]), ids);
    },

    /** The records as written, without their stored proofs (a record anchored before proofs were kept apart holds its own). */
    async getManyStored(ids: readonly string[]): Promise<(CertificateRecord | undefined)[]> {
      return records.getMany(ids as string[]);
    },

    /** A new pending certificate: the record plus its pending-index entry. */
    insertOps,

    /** The certificate whose issuer-signed JWT hashes to `leaf` (0x-prefixed or not, any case). */
    async getByLeaf(leaf: string): Promise<CertificateRecord | undefined> {
      const id = await leaves.get(leafKey(leaf));
      return id === undefined ? undefined : (await merged([await records.get(id)], [id]))[0];
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

    /** Rewrites a record (a status change). A stored proof still wins over the envelope it holds: anchors are read from beside it. */
    updateOps(record: CertificateRecord): WriteOp[] {
      return [{ type: "put", sublevel: records, key: record.id, value: record }];
    },

    /**
     * A batch's anchor and its certificates' proofs (`paths[i]` is `ids[i]`'s). Idempotent: a
     * batch always yields the same proofs, so a pass interrupted midway is simply written again;
     * its anchor comes with every slice, so no proof is ever on disk without it.
     */
    anchorOps(root: Hex, anchor: BatchAnchor, ids: readonly string[], paths: readonly (readonly Hex[])[]): WriteOp[] {
      const ops: WriteOp[] = [{ type: "put", sublevel: batchAnchors, key: root, value: anchor }];
      for (let i = 0; i < ids.length; i++) ops.push({ type: "put", sublevel: proofs, key: ids[i], value: encodeProof(root, paths[i]) });
      return ops;
    },

    /** A batch anchored again (re-anchoring): its certificates keep their proofs, the anchor changes. */
    async batchAnchorOf(root: Hex): Promise<BatchAnchor | undefined> {
      return batchAnchors.get(root);
    },
    reanchorOps(root: Hex, anchor: BatchAnchor): WriteOp[] {
      return [{ type: "put", sublevel: batchAnchors, key: root, value: anchor }];
    },

    /**
     * A batch whose anchor left the canonical chain: without its batch's anchor a stored proof is
     * not read, so every certificate of the batch reads as pending again, in this one write. The
     * proofs stay (the same root gets the same proofs when it is anchored again).
     */
    unanchorOps(root: Hex): WriteOp[] {
      return [{ type: "del", sublevel: batchAnchors, key: root }];
    },

    /** Taking a certificate into a batch removes it from the index in the same write, so it can join one batch only. */
    unpendOps(entries: readonly Pick<PendingEntry, "agency" | "id">[]): WriteOp[] {
      return entries.map((e) => ({ type: "del", sublevel: pending, key: pendingKey(e.agency, e.id) }));
    },

    /** A certificate's holder copies (records `<id>.<n>`), in the order they were made. */
    async copiesOf(id: string): Promise<CertificateRecord[]> {
      const ids = await records.keys({ gt: `${id}.`, lt: `${id}/` }).all();
      const found = await merged(await records.getMany(ids), ids);
      const copies = found.filter((record): record is CertificateRecord => record !== undefined && record.copyOf === id);
      return copies.sort((a, b) => Number(a.id.slice(id.length + 1)) - Number(b.id.slice(id.length + 1)));
    },

    /** A new holder copy (see CertificateRecord.copyOf): inserted as a pending certificate, and due to be settled. */
    insertCopyOps(copy: CertificateRecord, acceptedAt: number): WriteOp[] {
      return [...insertOps(copy, acceptedAt), { type: "put", sublevel: copiesToSettle, key: copy.id, value: copy.copyOf! }];
    },

    /** The holder copies whose status on chain may still have to follow their certificate's: [copy id, certificate id]. */
    async copiesToSettle(ids?: readonly string[]): Promise<[string, string][]> {
      if (ids === undefined) return copiesToSettle.iterator().all();
      const found = await copiesToSettle.getMany(ids as string[]);
      return ids.flatMap((id, i) => (found[i] === undefined ? [] : [[id, found[i]!] as [string, string]]));
    },

    settledOps(copyId: string): WriteOp[] {
      return [{ type: "del", sublevel: copiesToSettle, key: copyId }];
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
