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

/**
 * Batch records, plus an index of the open ones (prepared or sent) so a restart finds the
 * unfinished batches without reading every batch ever anchored.
 */
export function createBatchStore(db: Database) {
  const batches = db.sublevel<BatchRecord>("batches");
  const open = db.sublevel<string>("open-batches");

  return {
    get: (root: Hex): Promise<BatchRecord | undefined> => batches.get(root),

    putOps(batch: BatchRecord): WriteOp[] {
      const ops: WriteOp[] = [{ type: "put", sublevel: batches, key: batch.root, value: batch }];
      ops.push(batch.state === "anchored" ? { type: "del", sublevel: open, key: batch.root } : { type: "put", sublevel: open, key: batch.root, value: batch.agency });
      return ops;
    },

    async openBatches(): Promise<BatchRecord[]> {
      const roots = await open.keys().all();
      const found = await batches.getMany(roots);
      return found.filter((b): b is BatchRecord => b !== undefined);
    },
  };
}

export type BatchStore = ReturnType<typeof createBatchStore>;
