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

function sublevelOf<V>(root: Root, name: string) {
  return root.sublevel<string, V>(name, { valueEncoding: "json" });
}

export interface Database {
  readonly root: Root;
  sublevel<V>(name: string): Sublevel<V>;
  /** Atomic and synced (fsync) unless `sync: false`; nothing acknowledged is ever only in memory. */
  write(ops: readonly WriteOp[], options?: { sync?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export async function openDatabase(dir: string): Promise<Database> {
  const root: Root = new Level<string, unknown>(dir, { valueEncoding: "json" });
  await root.open();
  const subs = new Map<string, Sublevel<any>>();
  return {
    root,
    sublevel<V>(name: string): Sublevel<V> {
      let sub = subs.get(name);
      if (sub === undefined) subs.set(name, (sub = sublevelOf<V>(root, name)));
      return sub as Sublevel<V>;
    },
    async write(ops, options = {}) {
      if (ops.length === 0) return;
      await root.batch(ops as any, { sync: options.sync ?? true } as any);
    },
    close: () => root.close(),
  };
}
