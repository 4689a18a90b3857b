import type { Database } from "../store/database";

/** A token the service minted: enough to list and revoke it, never the token itself. */
export interface TokenRecord {
  id: string; // jti
  kind: "root" | "agency";
  agency?: string;
  subject: string;
  expiresAt: string;
  createdAt: string;
  revokedAt?: string;
}

/**
 * Minted tokens and revocations, durable in LevelDB. Revoked ids are also held in memory: every
 * request checks them. Tokens minted before this registry existed are simply not listed; they
 * stay valid until they expire, unless revoked by id.
 */
export async function createTokenRegistry(db: Database) {
  const tokens = db.sublevel<TokenRecord>("tokens");
  const revoked = new Set<string>();
  for (const record of await tokens.values().all()) if (record.revokedAt) revoked.add(record.id);

  return {
    isRevoked: (id: string): boolean => revoked.has(id),
    async remember(record: TokenRecord): Promise<void> {
      await db.write([{ type: "put", sublevel: tokens, key: record.id, value: record }]);
    },
    get: (id: string): Promise<TokenRecord | undefined> => tokens.get(id),
    /** Synced before it takes effect, so a revocation survives a crash the moment it is acknowledged. */
    async revoke(record: TokenRecord, at: Date): Promise<TokenRecord> {
      const updated = { ...record, revokedAt: record.revokedAt ?? at.toISOString() };
      await db.write([{ type: "put", sublevel: tokens, key: record.id, value: updated }]);
      revoked.add(record.id);
      return updated;
    },
    async list(agency: string): Promise<TokenRecord[]> {
      return (await tokens.values().all()).filter((t) => t.agency === agency);
    },
  };
}

export type TokenRegistry = Awaited<ReturnType<typeof createTokenRegistry>>;
