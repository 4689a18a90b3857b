import type { Hex } from "@certchain/sdk";
import type { Database, WriteOp } from "./database";

export type BatchState = "prepared" | "sent" | "anchored";

/** One anchoring batch: which certificates, which root, and how far it got. Keyed by root. */
export interface BatchRecord {
  root: Hex;
  agency: string;
  ids: string[];
  leaves: Hex[];
  auditHead: Hex;
  state: BatchState;
  preparedAt: string;
  transaction?: Hex;
  block?: number;
  /** The hash of the block holding the anchor when it was found deep enough (a reorganisation changes it). */
  blockHash?: Hex;
  anchoredAt?: string;
}

/** An anchored batch as the chain-identity check needs it. */
export interface AnchoredRoot {
  root: Hex;
  agency: string;
  anchoredAt: string;
  /** The block holding the anchor (absent in entries written before it was kept). */
  block?: number;
}

// Agency, then anchor time: a reverse scan of one agency's range yields its latest anchors.
const anchoredKey = (a: AnchoredRoot) => `${a.agency}!${a.anchoredAt}!${a.root}`;
// Block first (fixed width, so keys sort as numbers): the anchors of the latest blocks are one range scan.
const byBlockKey = (block: number, root: Hex) => `${block.toString().padStart(12, "0")}!${root}`;
const anchoredValue = (batch: BatchRecord): AnchoredRoot => ({ root: batch.root, agency: batch.agency, anchoredAt: batch.anchoredAt!, ...(batch.block !== undefined ? { block: batch.block } : {}) });

/**
 * Batch records, plus an index of the open ones (prepared or sent) so a restart finds the
 * unfinished batches without reading every batch ever anchored, and an index of anchored roots
 * by agency and time, so the latest can be checked on chain cheaply.
 */
export function createBatchStore(db: Database) {
  const batches = db.sublevel<BatchRecord>("batches");
  const open = db.sublevel<string>("open-batches");
  const anchored = db.sublevel<AnchoredRoot>("anchored-roots");
  const meta = db.sublevel<boolean>("meta-batches");
  const byBlock = db.sublevel<Hex>("anchored-by-block");

  /** Data directories from before the anchored-roots index get it built once. */
  async function ensureAnchoredIndex(): Promise<void> {
    if (await meta.get("anchored-index")) return;
    const ops: WriteOp[] = [];
    for await (const batch of batches.values()) {
      if (batch.state === "anchored" && batch.anchoredAt) ops.push({ type: "put", sublevel: anchored, key: anchoredKey(batch as AnchoredRoot), value: anchoredValue(batch) });
    }
    await db.write([...ops, { type: "put", sublevel: meta, key: "anchored-index", value: true }]);
  }

  /** Data directories from before the by-block index get it built once. */
  async function ensureByBlockIndex(): Promise<void> {
    if (await meta.get("anchored-by-block-index")) return;
    const ops: WriteOp[] = [];
    for await (const batch of batches.values()) {
      if (batch.state === "anchored" && batch.block !== undefined) ops.push({ type: "put", sublevel: byBlock, key: byBlockKey(batch.block, batch.root), value: batch.root });
    }
    await db.write([...ops, { type: "put", sublevel: meta, key: "anchored-by-block-index", value: true }]);
  }

  return {
    get: (root: Hex): Promise<BatchRecord | undefined> => batches.get(root),

    /** `previous`: the record being replaced, when its anchor changes (re-anchoring). */
    putOps(batch: BatchRecord, previous?: BatchRecord): WriteOp[] {
      const ops: WriteOp[] = [{ type: "put", sublevel: batches, key: batch.root, value: batch }];
      ops.push(batch.state === "anchored" ? { type: "del", sublevel: open, key: batch.root } : { type: "put", sublevel: open, key: batch.root, value: batch.agency });
      if (previous?.anchoredAt && previous.anchoredAt !== batch.anchoredAt) ops.push({ type: "del", sublevel: anchored, key: anchoredKey(previous as AnchoredRoot) });
      if (previous?.block !== undefined && previous.block !== batch.block) ops.push({ type: "del", sublevel: byBlock, key: byBlockKey(previous.block, previous.root) });
      if (batch.state === "anchored" && batch.anchoredAt) {
        ops.push({ type: "put", sublevel: anchored, key: anchoredKey(batch as AnchoredRoot), value: anchoredValue(batch) });
      }
      if (batch.state === "anchored" && batch.block !== undefined) ops.push({ type: "put", sublevel: byBlock, key: byBlockKey(batch.block, batch.root), value: batch.root });
      return ops;
    },

    /**
     * The latest `perAgency` anchored roots of each agency whose block is at most `maxBlock` (those
     * above it are within the reorganisation window: the anchor follower's, not the identity check's).
     */
    async latestAnchored(agencies: readonly string[], perAgency = 3, maxBlock = Infinity): Promise<AnchoredRoot[]> {
      await ensureAnchoredIndex();
      const found = await Promise.all(
        agencies.map(async (agency) => {
          const settled: AnchoredRoot[] = [];
          for await (const entry of anchored.values({ gt: `${agency}!`, lt: `${agency}!\xff`, reverse: true })) {
            if ((entry.block ?? 0) <= maxBlock) settled.push(entry);
            if (settled.length >= perAgency) break;
          }
          return settled;
        }),
      );
      return found.flat();
    },

    /** Up to `limit` batches after root `after` (any state; in root order), for a walk over all of them a page at a time. */
    page: (after: Hex | undefined, limit: number): Promise<BatchRecord[]> => batches.values({ ...(after !== undefined ? { gt: after } : {}), limit }).all(),

    /** Anchored batches whose block is `fromBlock` or later, oldest block first. */
    async anchoredSince(fromBlock: number): Promise<BatchRecord[]> {
      await ensureByBlockIndex();
      const roots = await byBlock.values({ gte: byBlockKey(Math.max(0, fromBlock), "" as Hex) }).all();
      return (await batches.getMany(roots)).filter((b): b is BatchRecord => b !== undefined && b.state === "anchored");
    },

    /** Every batch ever anchored (for re-anchoring), oldest first by anchor time. */
    async anchoredBatches(): Promise<BatchRecord[]> {
      await ensureAnchoredIndex();
      const roots = (await anchored.values().all()).sort((a, b) => a.anchoredAt.localeCompare(b.anchoredAt)).map((a) => a.root);
      return (await batches.getMany(roots)).filter((b): b is BatchRecord => b !== undefined);
    },

    /** Whether any batch was ever prepared. */
    async any(): Promise<boolean> {
      return (await batches.keys({ limit: 1 }).all()).length > 0;
    },

    async openBatches(): Promise<BatchRecord[]> {
      const roots = await open.keys().all();
      const found = await batches.getMany(roots);
      return found.filter((b): b is BatchRecord => b !== undefined);
    },
  };
}

export type BatchStore = ReturnType<typeof createBatchStore>;
