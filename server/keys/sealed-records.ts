import type { Database, WriteOp } from "../store/database";
import { open, seal, type SealedBox } from "./sealed-box";

/**
 * Where sealed secrets live: signing keys, operator keys, and `meta` (the bearer tokens' secret,
 * and any other node-wide key). A passphrase change, `keys export` and `keys import` cover these
 * sublevels and no others: a secret sealed anywhere else must be added here
 * (test/server/sealed-records.test.ts scans a whole data directory and fails until it is).
 */
export const SEALED_SUBLEVELS = ["signing-keys", "operator-wallets", "meta"] as const;

export const isSealedBox = (value: unknown): value is SealedBox => {
  const v = value as Partial<SealedBox> | null;
  return typeof v === "object" && v !== null && v.kdf === "scrypt" && typeof v.salt === "string" && typeof v.iv === "string" && typeof v.tag === "string" && typeof v.data === "string";
};

/** `value` with every sealed box in it (at any depth) replaced by `replace(box)`. */
export function mapSealedBoxes(value: unknown, replace: (box: SealedBox) => SealedBox): unknown {
  if (isSealedBox(value)) return replace(value);
  if (Array.isArray(value)) return value.map((item) => mapSealedBoxes(item, replace));
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapSealedBoxes(v, replace)]));
  return value;
}

const containsBox = (value: unknown): boolean => {
  let found = false;
  mapSealedBoxes(value, (box) => ((found = true), box));
  return found;
};

export interface SealedEntry {
  sublevel: (typeof SEALED_SUBLEVELS)[number];
  key: string;
  value: unknown;
}

/** Every stored record that holds a sealed secret. */
export async function sealedEntries(db: Database): Promise<SealedEntry[]> {
  const entries: SealedEntry[] = [];
  for (const sublevel of SEALED_SUBLEVELS) {
    for (const [key, value] of await db.sublevel<unknown>(sublevel).iterator().all()) {
      if (containsBox(value)) entries.push({ sublevel, key, value });
    }
  }
  return entries;
}

/** `entries` with every box opened under `from` and sealed again under `to`. @throws Error on a wrong `from` (before anything is written). */
export function reseal<T extends { value: unknown }>(entries: readonly T[], from: string, to: string): T[] {
  // Each box keeps its cipher (AES-256-GCM or SM4, SEAL_CIPHER): only the passphrase changes.
  return entries.map((entry) => ({ ...entry, value: mapSealedBoxes(entry.value, (box) => seal(open(box, from), to, { cipher: box.cipher })) }));
}

/**
 * The writes that seal every secret of the database under `to` instead of `from`, in one batch
 * for the caller's one atomic write: a crash leaves all of them under the old passphrase or all
 * under the new, never a mix.
 */
export async function resealOps(db: Database, from: string, to: string): Promise<WriteOp[]> {
  return reseal(await sealedEntries(db), from, to).map((entry): WriteOp => ({ type: "put", sublevel: db.sublevel(entry.sublevel), key: entry.key, value: entry.value }));
}
