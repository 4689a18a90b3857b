import type { Hex } from "@certchain/sdk";
import { canonicalJson } from "../lib/canonical-json";
import { sha256Hex } from "../lib/sha256-hex";
import type { Database, WriteOp } from "./database";

export type StoredItemResult = { index: number; ok: true; id: string } | { index: number; ok: false; error: { code: string; message: string; details?: unknown } };

/** What a request produced, kept so that a retry with the same key gets the same answer. */
export interface IdempotencyRecord {
  requestHash: Hex;
  results: StoredItemResult[];
  at: string;
}

/** The same key names a request only together with the body it came with (and per agency). */
export const requestHashOf = (kind: string, body: unknown): Hex => sha256Hex(canonicalJson({ kind, body }));

export function createIdempotencyStore(db: Database) {
  const records = db.sublevel<IdempotencyRecord>("idempotency");
  const keyOf = (agency: string, key: string) => `${agency}!${key}`;
  return {
    get: (agency: string, key: string): Promise<IdempotencyRecord | undefined> => records.get(keyOf(agency, key)),
    putOps: (agency: string, key: string, record: IdempotencyRecord): WriteOp[] => [{ type: "put", sublevel: records, key: keyOf(agency, key), value: record }],
  };
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;
