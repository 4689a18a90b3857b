import { Level } from "level";

/**
 * The issuing node's LevelDB: one database, one sublevel per concept, JSON values. Every state
 * change goes through `write`, one atomic batch across sublevels, synced to disk before it
 * resolves: an acknowledged certificate survives a crash (DESIGN.md, "Durability and scale").
 */
export type Root = Level<string, unknown>;
export type Sublevel<V = unknown> = ReturnType<typeof sublevelOf<V>>;

export type WriteOp =
  | { type: "put"; sublevel: Sublevel<any>; key: string; value: unknown }
  | { type: "del"; sublevel: Sublevel<any>; key: string };

/** "json" for records; "view" (Uint8Array) for fixed-layout binary values such as Merkle proofs. */
export type ValueEncoding = "json" | "view";

function sublevelOf<V>(root: Root, name: string, valueEncoding: ValueEncoding = "json") {
  return root.sublevel<string, V>(name, { valueEncoding });
}

export interface Database {
  readonly root: Root;
  /** One sublevel per name; its encoding is fixed by the first call. */
  sublevel<V>(name: string, valueEncoding?: ValueEncoding): Sublevel<V>;
  /** Atomic and synced (fsync) unless `sync: false`; nothing acknowledged is ever only in memory. */
  write(ops: readonly WriteOp[], options?: { sync?: boolean }): Promise<void>;
  /**
   * Rewrites the files holding `sublevel`'s keys from `first` to `last` (all of it when absent),
   * so that overwritten and deleted values of those keys no longer sit in any file (LevelDB keeps
   * them in older log and table files until a compaction reaches them).
   */
  compact(sublevel: Sublevel<any>, first?: string, last?: string): Promise<void>;
  close(): Promise<void>;
}

export async function openDatabase(dir: string): Promise<Database> {
  const root: Root = new Level<string, unknown>(dir, { valueEncoding: "json" });
  await root.open();
  const subs = new Map<string, Sublevel<any>>();
  return {
    root,
    sublevel<V>(name: string, valueEncoding?: ValueEncoding): Sublevel<V> {
      let sub = subs.get(name);
      if (sub === undefined) subs.set(name, (sub = sublevelOf<V>(root, name, valueEncoding)));
      return sub as Sublevel<V>;
    },
    async write(ops, options = {}) {
      if (ops.length === 0) return;
      // A chained batch: each op is encoded into LevelDB's write batch as it is added, skipping
      // the array form's clone and reshaping of every op (a batch request writes ~40,000 ops).
      const batch = root.batch();
      try {
        for (const op of ops) {
          if (op.type === "put") batch.put(op.key, op.value, { sublevel: op.sublevel } as object);
          else batch.del(op.key, { sublevel: op.sublevel } as object);
        }
      } catch (error) {
        await batch.close();
        throw error;
      }
      await batch.write({ sync: options.sync ?? true } as object);
    },
    async compact(sublevel, first, last) {
      // The sublevel's own range in the root's key space (prefix "!name!"); its end is just below the next prefix.
      const prefix = sublevel.prefix;
      // `level` types the browser's database too; in Node it is classic-level, which compacts.
      await (root as unknown as { compactRange(start: string, end: string): Promise<void> }).compactRange(first === undefined ? prefix : prefix + first, last === undefined ? `${prefix}\xff` : prefix + last);
    },
    close: () => root.close(),
  };
}
