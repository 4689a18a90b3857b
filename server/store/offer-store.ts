import { createHash } from "node:crypto";
import type { Database, WriteOp } from "./database";

/**
 * Where an OpenID4VCI credential offer stands: `offered` (its pre-authorized code not used yet),
 * `redeemed` (the code was exchanged for an access token), `issued` (the holder-bound credential
 * was issued), `locked` (too many wrong PINs). Expiry is read from `expiresAt`, not stored.
 */
export type OfferState = "offered" | "redeemed" | "issued" | "locked";

/**
 * An offer as stored. Nothing personal: the certificate is named by id (its claims stay in its
 * record, sealed there), and the secrets an offer hands out (the pre-authorized code, the access
 * token, the PIN) are kept only as hashes, so a copy of the database redeems nothing.
 */
export interface OfferRecord {
  /** Random, 128 bits (base64url): it names the offer in its credential_offer_uri. */
  id: string;
  certificate: string;
  agency: string;
  /** The credential configuration offered: the certificate's type id. */
  configuration: string;
  /** SHA-256 (hex) of the pre-authorized code. */
  codeHash: string;
  /** The PIN, when one was set: scrypt of it under a salt of its own, and its length. */
  txCode?: { salt: string; hash: string; length: number };
  /** Wrong PINs so far. */
  txCodeFailures: number;
  state: OfferState;
  createdAt: string;
  expiresAt: string;
  createdBy: string;
  /** Set when redeemed: SHA-256 (hex) of the access token, and when it stops working. */
  tokenHash?: string;
  tokenExpiresAt?: string;
  /** Set when issued: the holder copy's record id and the holder key's thumbprint (a retry with the same key gets the same credential). */
  copy?: string;
  holderKey?: string;
}

/** SHA-256 (hex) of a secret handed out (pre-authorized code, access token): what the store keys it by. */
export const secretHash = (secret: string): string => createHash("sha256").update(secret, "utf8").digest("hex");

/**
 * Credential offers (OpenID4VCI pre-authorized code flow): the offers by id, an index from the
 * pre-authorized code's hash and from the access token's hash to the offer, and the c_nonces
 * already used (a c_nonce is stateless until used; it is kept here until it expires, so it cannot
 * be used twice). Methods returning `WriteOp[]` do not write: the caller commits them (with the
 * certificate's holder copy, when issuing) in one synced write.
 */
export function createOfferStore(db: Database) {
  const offers = db.sublevel<OfferRecord>("credential-offers");
  const codes = db.sublevel<string>("credential-offer-codes");
  const tokens = db.sublevel<string>("credential-offer-tokens");
  const usedNonces = db.sublevel<number>("used-c-nonces");

  return {
    get: (id: string): Promise<OfferRecord | undefined> => offers.get(id),

    async byCode(code: string): Promise<OfferRecord | undefined> {
      const id = await codes.get(secretHash(code));
      return id === undefined ? undefined : offers.get(id);
    },

    async byToken(token: string): Promise<OfferRecord | undefined> {
      const id = await tokens.get(secretHash(token));
      return id === undefined ? undefined : offers.get(id);
    },

    insertOps(offer: OfferRecord): WriteOp[] {
      return [
        { type: "put", sublevel: offers, key: offer.id, value: offer },
        { type: "put", sublevel: codes, key: offer.codeHash, value: offer.id },
      ];
    },

    /** The offer rewritten; with a token hash newly set, its index entry too. */
    updateOps(offer: OfferRecord): WriteOp[] {
      const ops: WriteOp[] = [{ type: "put", sublevel: offers, key: offer.id, value: offer }];
      if (offer.tokenHash !== undefined) ops.push({ type: "put", sublevel: tokens, key: offer.tokenHash, value: offer.id });
      return ops;
    },

    /** Whether a c_nonce was used already. */
    async nonceUsed(nonce: string): Promise<boolean> {
      return (await usedNonces.get(secretHash(nonce))) !== undefined;
    },

    /** Marks a c_nonce used until `expiresAtMs` (after which its own expiry refuses it anyway). */
    useNonceOps(nonce: string, expiresAtMs: number): WriteOp[] {
      return [{ type: "put", sublevel: usedNonces, key: secretHash(nonce), value: expiresAtMs }];
    },

    /**
     * Deletes what can no longer be used: offers (and their index entries) expired more than
     * `graceMs` ago, and used c_nonces past their expiry. Returns how many offers went.
     */
    async purge(now: number, graceMs: number): Promise<number> {
      const ops: WriteOp[] = [];
      let purged = 0;
      for await (const offer of offers.values()) {
        const end = Math.max(Date.parse(offer.expiresAt), offer.tokenExpiresAt ? Date.parse(offer.tokenExpiresAt) : 0);
        if (end + graceMs > now) continue;
        purged += 1;
        ops.push({ type: "del", sublevel: offers, key: offer.id }, { type: "del", sublevel: codes, key: offer.codeHash });
        if (offer.tokenHash) ops.push({ type: "del", sublevel: tokens, key: offer.tokenHash });
      }
      for await (const [key, expiresAt] of usedNonces.iterator()) if (expiresAt <= now) ops.push({ type: "del", sublevel: usedNonces, key });
      await db.write(ops);
      return purged;
    },
  };
}

export type OfferStore = ReturnType<typeof createOfferStore>;
