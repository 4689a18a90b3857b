import type { RegistryReads } from "../chain/registry-reads";
import { apiError } from "../errors";
import type { Database } from "../store/database";

/**
 * Each agency's unified social credit code as the registry holds it: the issuer segment of its
 * certificate numbers, which verifiers compare with the registry. A code never changes once
 * registered, so one read per agency is kept (on disk too: issuing goes on through a later
 * chain outage).
 */
export function createCreditCodeCache(db: Database, registry: RegistryReads) {
  const stored = db.sublevel<string>("credit-codes");
  const memory = new Map<string, string>();

  return {
    /** @throws CertchainError CHAIN_UNAVAILABLE (never read, chain down), INTERNAL (the registry holds no code). */
    async codeOf(agency: string): Promise<string> {
      let code = memory.get(agency) ?? (await stored.get(agency));
      if (code === undefined) {
        let record;
        try {
          record = await registry.agency(agency);
        } catch {
          throw apiError("CHAIN_UNAVAILABLE", undefined, { reason: "credit code unknown and chain unreachable" });
        }
        code = record.creditCode;
        // Every registration carries a code; none means the agency is not on this registry.
        if (code === "") throw apiError("INTERNAL", `The registry holds no unified social credit code for ${agency}.`);
        await stored.put(agency, code);
      }
      memory.set(agency, code);
      return code;
    },
  };
}

export type CreditCodeCache = ReturnType<typeof createCreditCodeCache>;
