import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { AbstractLevel } from "abstract-level";
import { apiError, type ApiErrorCode } from "../errors";
import { MAX_SHARE_CIPHERTEXT, MAX_SHARE_LIFETIME_MS } from "@certchain/sdk";

export type ShareErrorCode = Extract<ApiErrorCode, `SHARE_${string}`>;

export const shareError = (code: ShareErrorCode, message?: string, details?: unknown) => apiError(code, message, details);

/** A client clock a little ahead of ours should not turn "30 days" into a refusal: clamp within this. */
export const EXPIRY_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** What the store keeps: ciphertext (never a key, never plaintext) and the SHA-256 of the withdrawal token. */
interface StoredShare {
  /** Dropped on withdrawal: a withdrawn share is a tombstone until its expiry. */
  ciphertext?: string;
  expiresAt: string;
  createdAt: string;
  withdrawTokenSha256: string;
  withdrawnAt?: string;
}

export interface ShareRecord {
  ciphertext: string;
  expiresAt: string;
  createdAt: string;
}

export interface CreatedShare {
  id: string;
  /** Shown once to the holder; the store keeps only its SHA-256. */
  withdrawToken: string;
  expiresAt: string;
}

export interface ShareStore {
  /** @throws SHARE_TOO_LARGE, SHARE_CIPHERTEXT_INVALID, SHARE_EXPIRY_INVALID */
  create(input: { ciphertext: string; expiresAt: string | Date }): Promise<CreatedShare>;
  /** The live record, or why it is gone; undefined when unknown (or already purged). */
  get(id: string): Promise<ShareRecord | "expired" | "withdrawn" | undefined>;
  /** Idempotent for the right token. @throws SHARE_NOT_FOUND, SHARE_WITHDRAW_FORBIDDEN */
  withdraw(id: string, withdrawToken: string): Promise<void>;
  /** Deletes every share (live or withdrawn) whose expiry is at or before `now`; returns how many. */
  purgeExpired(now?: Date | number): Promise<number>;
}

/** A LevelDB (or sublevel) with string keys and JSON values. */
export type ShareDb = AbstractLevel<any, string, any>;

const ID_BYTES = 16; // 128 bits: unguessable, so listing shares is impossible
const TOKEN_BYTES = 32;
const ID = /^[A-Za-z0-9_-]{22}$/;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const B64URL = "[A-Za-z0-9_-]";
// header . (empty: no encrypted key with dir) . 96-bit IV . ciphertext . 128-bit tag
const JWE_DIR_A256GCM = new RegExp(`^(${B64URL}+)\\.\\.${B64URL}{16}\\.${B64URL}+\\.${B64URL}{22}$`);
const PURGE_CHUNK = 500;

const recordKey = (id: string) => `s:${id}`;
// Expiry index: keys sort by time, so a purge reads only what is due.
const expiryKey = (expiresAtMs: number, id: string) => `x:${String(expiresAtMs).padStart(15, "0")}:${id}`;
const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest();

function checkCiphertext(ciphertext: unknown): string {
  if (typeof ciphertext !== "string") throw shareError("SHARE_CIPHERTEXT_INVALID");
  if (ciphertext.length > MAX_SHARE_CIPHERTEXT) throw shareError("SHARE_TOO_LARGE", undefined, { limit: MAX_SHARE_CIPHERTEXT });
  const match = JWE_DIR_A256GCM.exec(ciphertext);
  let header: unknown;
  try {
    header = match ? JSON.parse(Buffer.from(match[1], "base64url").toString("utf8")) : undefined;
  } catch {
    header = undefined;
  }
  // Only ciphertext is stored: anything else (a client bug uploading the presentation itself) is refused.
  const h = header as { alg?: unknown; enc?: unknown; zip?: unknown } | undefined;
  if (!h || h.alg !== "dir" || h.enc !== "A256GCM" || h.zip !== undefined) throw shareError("SHARE_CIPHERTEXT_INVALID");
  return ciphertext;
}

function checkExpiry(expiresAt: unknown, now: number): number {
  const ms = expiresAt instanceof Date ? expiresAt.getTime() : typeof expiresAt === "string" && expiresAt.length <= 64 ? Date.parse(expiresAt) : NaN;
  if (!Number.isFinite(ms) || ms <= now) throw shareError("SHARE_EXPIRY_INVALID", "expiresAt must be a date-time in the future.");
  const cap = now + MAX_SHARE_LIFETIME_MS;
  if (ms > cap + EXPIRY_CLOCK_SKEW_MS) throw shareError("SHARE_EXPIRY_INVALID", "A share link lives at most 30 days.", { latest: new Date(cap).toISOString() });
  return Math.min(ms, cap);
}

/**
 * Share links' ciphertexts in LevelDB. Records are keyed by a random 128-bit id; withdrawal
 * tokens are kept as SHA-256 only and compared in constant time. Writes are synced.
 *
 * @example
 * const shares = createShareStore(db.sublevel("shares"));
 * const { id, withdrawToken } = await shares.create({ ciphertext, expiresAt: "2026-12-01T00:00:00Z" });
 */
export function createShareStore(db: ShareDb, options: { now?: () => number } = {}): ShareStore {
  const now = options.now ?? Date.now;
  const read = async (id: string): Promise<StoredShare | undefined> => (ID.test(id) ? ((await db.get(recordKey(id))) as StoredShare | undefined) : undefined);

  return {
    async create(input) {
      const at = now();
      const ciphertext = checkCiphertext(input?.ciphertext);
      const expiresMs = checkExpiry(input?.expiresAt, at);
      const id = randomBytes(ID_BYTES).toString("base64url");
      const withdrawToken = randomBytes(TOKEN_BYTES).toString("base64url");
      const expiresAt = new Date(expiresMs).toISOString();
      const record: StoredShare = { ciphertext, expiresAt, createdAt: new Date(at).toISOString(), withdrawTokenSha256: sha256(withdrawToken).toString("hex") };
      await db.batch(
        [
          { type: "put", key: recordKey(id), value: record as unknown },
          { type: "put", key: expiryKey(expiresMs, id), value: id as unknown },
        ],
        { sync: true } as object,
      );
      return { id, withdrawToken, expiresAt };
    },

    async get(id) {
      const record = await read(id);
      if (!record) return undefined;
      if (record.withdrawnAt || record.ciphertext === undefined) return "withdrawn";
      if (Date.parse(record.expiresAt) <= now()) return "expired";
      return { ciphertext: record.ciphertext, expiresAt: record.expiresAt, createdAt: record.createdAt };
    },

    async withdraw(id, withdrawToken) {
      const record = await read(id);
      if (!record) throw shareError("SHARE_NOT_FOUND");
      const given = sha256(typeof withdrawToken === "string" && TOKEN.test(withdrawToken) ? withdrawToken : "");
      if (!timingSafeEqual(given, Buffer.from(record.withdrawTokenSha256, "hex"))) throw shareError("SHARE_WITHDRAW_FORBIDDEN");
      if (record.withdrawnAt) return;
      const { ciphertext: _dropped, ...rest } = record;
      await db.put(recordKey(id), { ...rest, withdrawnAt: new Date(now()).toISOString() }, { sync: true } as object);
    },

    async purgeExpired(at = now()) {
      const until = expiryKey(Number(at), "\uffff");
      let purged = 0;
      for (;;) {
        const due: string[] = [];
        for await (const key of db.keys({ gte: "x:", lte: until, limit: PURGE_CHUNK })) due.push(key);
        if (due.length === 0) return purged;
        const ops = due.flatMap((key) => [
          { type: "del" as const, key },
          { type: "del" as const, key: recordKey(key.slice(key.lastIndexOf(":") + 1)) },
        ]);
        await db.batch(ops, { sync: true } as object);
        purged += due.length;
      }
    },
  };
}
