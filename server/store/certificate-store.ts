import { ENVELOPE_FORMAT, createAnchoredEnvelope, type AnchorProof, type Envelope, type EnvelopeVersion, type Hex } from "@certchain/sdk";
import { isErased, type CertificateRecord, type ErasedCertificate, type FollowedStatusChange, type KeptCertificate } from "../domain/certificate";
import type { PersonalDataCipher, SealedData } from "../lib/personal-data-cipher";
import type { Database, WriteOp } from "./database";

/**
 * A record as written: all but the credential in clear (none of it personal: id, agency, type,
 * status, leaf, times, the anchor), the credential sealed under a data key of its own
 * (lib/personal-data-cipher.ts), and nothing of it once erased. Records written before
 * encryption at rest held their envelope in clear; they are sealed at the next start.
 */
interface StoredCertificate extends Omit<CertificateRecord, "envelope"> {
  /** The envelope's version (absent once erased). */
  version?: EnvelopeVersion;
  anchor: Envelope["anchor"];
  credential?: SealedData;
  erasedAt?: string;
  /** Only in records written before encryption at rest. */
  envelope?: Envelope;
}

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
const SEALED = "sealed-v1";

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
function withAnchor(record: KeptCertificate, path: { root: Hex; proof: Hex[] }, anchor: BatchAnchor): KeptCertificate {
  const status = record.status === "pending" ? "anchored" : record.status;
  if (isErased(record)) return { ...record, status, anchoredAt: anchor.anchoredAt, anchor: createAnchoredEnvelope("", { ...anchor, ...path }).anchor };
  return { ...record, status, anchoredAt: anchor.anchoredAt, envelope: createAnchoredEnvelope(record.envelope.credential, { ...anchor, ...path }, record.envelope.version) };
}

/** The record as written: its credential sealed for its id (or none, erased). */
function toStored(record: KeptCertificate, cipher: PersonalDataCipher): StoredCertificate {
  if (isErased(record)) {
    const { envelope: _none, ...rest } = record;
    return rest;
  }
  const { envelope, ...rest } = record;
  return { ...rest, version: envelope.version, anchor: envelope.anchor, credential: cipher.seal(record.id, envelope.credential) };
}

/** The record as read: its credential opened, or what stays of an erased one. */
function fromStored(stored: StoredCertificate, cipher: PersonalDataCipher): KeptCertificate {
  const { version, anchor, credential, envelope, erasedAt, ...rest } = stored;
  if (envelope !== undefined) return { ...rest, envelope };
  if (erasedAt !== undefined || credential === undefined) return { ...rest, erasedAt: erasedAt ?? rest.createdAt, anchor } as ErasedCertificate;
  return { ...rest, envelope: { format: ENVELOPE_FORMAT, version: version ?? 2, credential: cipher.open(stored.id, credential), anchor } };
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
 *
 * Each record's credential (its claims and disclosures) is encrypted at rest under a data key of
 * its own; `erase` destroys that key and the ciphertext, and compacts the record's files so that
 * no older copy stays behind (crypto-shredding). Reads of an erased certificate return an
 * ErasedCertificate: id, leaf, anchor and status, no credential.
 */
/** Whether any certificate was ever stored (no key needed: nothing is opened). */
export async function anyCertificates(db: Database): Promise<boolean> {
  return (await db.sublevel("certificates").keys({ limit: 1 }).all()).length > 0;
}

export function createCertificateStore(db: Database, cipher: PersonalDataCipher) {
  const records = db.sublevel<StoredCertificate>("certificates");
  const pending = db.sublevel<PendingEntry>("pending");
  const leaves = db.sublevel<string>("leaves");
  const meta = db.sublevel<boolean>("meta");
  const proofs = db.sublevel<Uint8Array>("proofs", "view");
  const batchAnchors = db.sublevel<BatchAnchor>("batch-anchors");
  // Holder copies whose status on chain may not follow their certificate's yet (not anchored, or
  // anchored but not brought in line): copy id → certificate id. Written with the copy, deleted
  // once the copy's leaf is anchored and in the certificate's state on chain.
  const copiesToSettle = db.sublevel<string>("holder-copies-to-settle");
  // Status changes not settled on chain yet (record.statusChange), or settled within the reorganisation window, by certificate id.
  const followedStatuses = db.sublevel<FollowedStatusChange>("status-changes-followed");

  /** A new pending certificate (or holder copy): the record, its credential sealed, plus its pending-index and leaf entries. */
  function insertOps(record: CertificateRecord, acceptedAt: number): WriteOp[] {
    return [
      { type: "put", sublevel: records, key: record.id, value: toStored(record, cipher) },
      { type: "put", sublevel: pending, key: pendingKey(record.agency, record.id), value: { id: record.id, agency: record.agency, leaf: record.leaf, at: acceptedAt } },
      { type: "put", sublevel: leaves, key: leafKey(record.leaf), value: record.id },
    ];
  }

  /** Stored records with their proofs put in (where stored). */
  async function merged(stored: (StoredCertificate | undefined)[], ids: readonly string[]): Promise<(KeptCertificate | undefined)[]> {
    const found = stored.map((record) => (record === undefined ? undefined : fromStored(record, cipher)));
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
    async get(id: string): Promise<KeptCertificate | undefined> {
      const [record] = await merged([await records.get(id)], [id]);
      return record;
    },

    async getMany(ids: readonly string[]): Promise<(KeptCertificate | undefined)[]> {
      return merged(await records.getMany(ids as string[]), ids);
    },

    /** The record as written, its credential opened, without its stored proof (pending until its batch's anchor was written into it). */
    async getStored(id: string): Promise<KeptCertificate | undefined> {
      const stored = await records.get(id);
      return stored === undefined ? undefined : fromStored(stored, cipher);
    },

    /**
     * The anchors as written, without the stored proofs: a record anchored before proofs were
     * kept apart holds its own, which re-anchoring rewrites (`anchorRewriteOps`).
     */
    async storedAnchors(ids: readonly string[]): Promise<(Envelope["anchor"] | undefined)[]> {
      return (await records.getMany(ids as string[])).map((stored) => stored?.envelope?.anchor ?? stored?.anchor);
    },

    /** A record's own anchor replaced (re-anchoring of records that hold theirs); its credential stays as sealed. */
    async anchorRewriteOps(id: string, anchor: AnchorProof): Promise<WriteOp[]> {
      const stored = await records.get(id);
      if (stored === undefined) return [];
      const value: StoredCertificate = stored.envelope ? { ...stored, envelope: { ...stored.envelope, anchor } } : { ...stored, anchor };
      return [{ type: "put", sublevel: records, key: id, value: { ...value, anchoredAt: anchor.anchoredAt } }];
    },

    /** A new pending certificate: the record (its credential sealed) plus its pending-index entry. */
    insertOps,

    /** The certificate whose issuer-signed JWT hashes to `leaf` (0x-prefixed or not, any case). */
    async getByLeaf(leaf: string): Promise<KeptCertificate | undefined> {
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

    /**
     * Rewrites a record (a status change), sealing its credential again (under a new data key),
     * or without one if erased. A stored proof still wins over the anchor it holds: anchors are
     * read from beside it.
     */
    updateOps(record: KeptCertificate): WriteOp[] {
      return [{ type: "put", sublevel: records, key: record.id, value: toStored(record, cipher) }];
    },

    /** The record without its credential (its data key and ciphertext gone), marked erased at `at`. */
    eraseOps(record: KeptCertificate, at: string): WriteOp[] {
      const { envelope, ...rest } = record as CertificateRecord;
      const erased: ErasedCertificate = isErased(record) ? record : { ...rest, erasedAt: at, anchor: envelope.anchor };
      return [{ type: "put", sublevel: records, key: record.id, value: toStored(erased, cipher) }];
    },

    /**
     * Around an erasure's write, so that no copy of the record's sealed credential (nor, for a
     * record written before encryption at rest, its plaintext) stays in any file. LevelDB keeps
     * overwritten values in older files until a compaction merges them with the newer one, and
     * it writes its memory table out with every version in it; a file on the deepest level is
     * never compacted by range. So: before the write, the older versions go out to a table of
     * their own; after it, the erasure goes out above them (it overlaps them) and the range is
     * compacted down through them, which keeps only the newest version.
     */
    async purge(id: string): Promise<void> {
      await db.compact(records, id, id);
    },

    /**
     * Seals the credentials of records written before encryption at rest, in synced slices, then
     * compacts the records' files so the plaintext is gone from disk; a no-op once done.
     */
    async ensureSealed(slice = 1_000): Promise<number> {
      if ((await meta.get(SEALED)) === true) return 0;
      // As for an erasure (purge): the plaintext versions go out to tables of their own first, so the final compaction merges them away.
      await db.compact(records);
      let sealed = 0;
      let ops: WriteOp[] = [];
      for await (const [id, stored] of records.iterator()) {
        if (stored.envelope === undefined) continue;
        const { envelope, ...rest } = stored;
        ops.push({ type: "put", sublevel: records, key: id, value: { ...rest, version: envelope.version, anchor: envelope.anchor, credential: cipher.seal(id, envelope.credential) } });
        sealed += 1;
        if (ops.length >= slice) {
          await db.write(ops);
          ops = [];
        }
      }
      await db.write([...ops, { type: "put", sublevel: meta, key: SEALED, value: true }]);
      if (sealed > 0) await db.compact(records);
      return sealed;
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
    async copiesOf(id: string): Promise<KeptCertificate[]> {
      const ids = await records.keys({ gt: `${id}.`, lt: `${id}/` }).all();
      const found = await merged(await records.getMany(ids), ids);
      // Erased copies too (their status follows the certificate's; they have no credential).
      const copies = found.filter((record): record is KeptCertificate => record !== undefined && record.copyOf === id);
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

    /** The record written (if given), with its status change followed as `followed` says (undefined: no longer). */
    statusChangeOps(id: string, record: KeptCertificate | undefined, followed: FollowedStatusChange | undefined): WriteOp[] {
      return [
        ...(record === undefined ? [] : [{ type: "put", sublevel: records, key: record.id, value: toStored(record, cipher) } as WriteOp]),
        followed === undefined ? { type: "del", sublevel: followedStatuses, key: id } : { type: "put", sublevel: followedStatuses, key: id, value: followed },
      ];
    },

    async followedStatusChange(id: string): Promise<FollowedStatusChange | undefined> {
      return followedStatuses.get(id);
    },

    /** The status changes not settled on chain yet, or settled within the reorganisation window: [certificate id, change]. */
    async followedStatusChanges(): Promise<[string, FollowedStatusChange][]> {
      return followedStatuses.iterator().all();
    },

    /** Whether any certificate was ever stored. */
    any: (): Promise<boolean> => anyCertificates(db),

    async pendingEntries(): Promise<PendingEntry[]> {
      return pending.values().all();
    },
  };
}

export type CertificateStore = ReturnType<typeof createCertificateStore>;
