import type { Hex } from "@certchain/sdk";
import { canonicalJson } from "../lib/canonical-json";
import { sha256Hex } from "../lib/sha256-hex";
import type { Database, WriteOp } from "./database";

export type StoredItemResult = { index: number; ok: true; id: string } | { index: number; ok: false; error: { code: string; message: string; details?: unknown } };

/** What a request produced, kept so that a retry with the same key gets the same answer. */
export interface IdempotencyRecord {
  /**
   * Which body the key came with. Since v 2 a keyed hash (HMAC-SHA256 under a key derived from the
   * node's personal-data key): the bodies hold personal data, and a plain hash of one could be
   * confirmed by anyone guessing it. Records without `v` hold the plain SHA-256 (requestHashOf).
   */
  v?: 2;
  requestHash: Hex | string;
  results: StoredItemResult[];
  at: string;
}

/** The same key names a request only together with the body it came with (and per agency). Records without `v` hold this; newer ones a keyed hash of the same text (requestTextOf). */
export const requestHashOf = (kind: string, body: unknown): Hex => sha256Hex(requestTextOf(kind, body));

/** The canonical text of a request, which the idempotency record's hash covers. */
export const requestTextOf = (kind: string, body: unknown): string => canonicalJson({ kind, body });

export function createIdempotencyStore(db: Database) {
  const records = db.sublevel<IdempotencyRecord>("idempotency");
  const keyOf = (agency: string, key: string) => `${agency}!${key}`;
  return {
    get: (agency: string, key: string): Promise<IdempotencyRecord | undefined> => records.get(keyOf(agency, key)),
    putOps: (agency: string, key: string, record: IdempotencyRecord): WriteOp[] => [{ type: "put", sublevel: records, key: keyOf(agency, key), value: record }],
  };
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;
