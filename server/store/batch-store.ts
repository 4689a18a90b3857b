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
  anchoredAt?: string;
}

/** An anchored batch as the chain-identity check needs it. */
export interface AnchoredRoot {
  root: Hex;
  agency: string;
  anchoredAt: string;
}

// Agency, then anchor time: a reverse scan of one agency's range yields its latest anchors.
const anchoredKey = (a: AnchoredRoot) => `${a.agency}!${a.anchoredAt}!${a.root}`;

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

  /** Data directories from before the anchored-roots index get it built once. */
  async function ensureAnchoredIndex(): Promise<void> {
    if (await meta.get("anchored-index")) return;
    const ops: WriteOp[] = [];
    for await (const batch of batches.values()) {
      if (batch.state === "anchored" && batch.anchoredAt) ops.push({ type: "put", sublevel: anchored, key: anchoredKey(batch as AnchoredRoot), value: { root: batch.root, agency: batch.agency, anchoredAt: batch.anchoredAt } });
    }
    await db.write([...ops, { type: "put", sublevel: meta, key: "anchored-index", value: true }]);
  }

  return {
    get: (root: Hex): Promise<BatchRecord | undefined> => batches.get(root),

    /** `previous`: the record being replaced, when its anchor changes (re-anchoring). */
    putOps(batch: BatchRecord, previous?: BatchRecord): WriteOp[] {
      const ops: WriteOp[] = [{ type: "put", sublevel: batches, key: batch.root, value: batch }];
      ops.push(batch.state === "anchored" ? { type: "del", sublevel: open, key: batch.root } : { type: "put", sublevel: open, key: batch.root, value: batch.agency });
      if (previous?.anchoredAt && previous.anchoredAt !== batch.anchoredAt) ops.push({ type: "del", sublevel: anchored, key: anchoredKey(previous as AnchoredRoot) });
      if (batch.state === "anchored" && batch.anchoredAt) {
        ops.push({ type: "put", sublevel: anchored, key: anchoredKey(batch as AnchoredRoot), value: { root: batch.root, agency: batch.agency, anchoredAt: batch.anchoredAt } });
      }
      return ops;
    },

    /** The latest `perAgency` anchored roots of each agency. */
    async latestAnchored(agencies: readonly string[], perAgency = 3): Promise<AnchoredRoot[]> {
      await ensureAnchoredIndex();
      const found = await Promise.all(agencies.map((agency) => anchored.values({ gt: `${agency}!`, lt: `${agency}!\xff`, reverse: true, limit: perAgency }).all()));
      return found.flat();
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
