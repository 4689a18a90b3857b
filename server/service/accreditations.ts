import type { RegistryReads } from "../chain/registry-reads";
import { apiError } from "../errors";
import type { Database } from "../store/database";

interface Window {
  validFrom: number;
  validUntil: number; // 0: never accredited
  readAt: number;
}

// Accreditations change rarely; one chain read per (agency, type) a minute is plenty, and the
// last known answer (kept on disk) lets issuing go on while the chain is unreachable.
const REFRESH_MS = 60_000;

/** Whether an agency may issue a type now, according to the registry, read once and cached. */
export function createAccreditationCache(db: Database, registry: RegistryReads, now: () => number = Date.now, chainUsable: () => boolean = () => true) {
  const stored = db.sublevel<Window>("accreditations");
  const memory = new Map<string, Window>();
  // Entries this service just changed on chain: read again on next use, whatever their age.
  const stale = new Set<string>();

  // Keyed by vct: each version of a type is accredited on its own.
  const keyOf = (agency: string, type: { vct: string }) => `${agency}!${type.vct}`;

  async function windowOf(agency: string, type: { vct: string }): Promise<Window> {
    const key = keyOf(agency, type);
    let known = memory.get(key) ?? (await stored.get(key));
    if (known !== undefined && now() - known.readAt < REFRESH_MS && !stale.has(key)) return known;
    // A chain being rebuilt, or not ours, must not overwrite what we know with its zeros.
    if (known !== undefined && !chainUsable()) return known;
    try {
      if (!chainUsable()) throw new Error("chain not ready");
      const fresh = { ...(await registry.accreditation(agency, type.vct)), readAt: now() };
      if (known?.validFrom !== fresh.validFrom || known?.validUntil !== fresh.validUntil) await stored.put(key, fresh);
      known = fresh;
      stale.delete(key);
    } catch (cause) {
      if (known === undefined) throw apiError("CHAIN_UNAVAILABLE", undefined, { reason: "accreditation unknown and chain unreachable" });
    }
    memory.set(key, known!);
    return known!;
  }

  return {
    /** Drops what is known about (agency, type), after this service changed it on chain. */
    forget(agency: string, type: { vct: string }): void {
      memory.delete(keyOf(agency, type));
      stale.add(keyOf(agency, type));
    },

    async isAccredited(agency: string, type: { vct: string }): Promise<boolean> {
      const { validFrom, validUntil } = await windowOf(agency, type);
      const t = Math.floor(now() / 1000);
      return validUntil !== 0 && validFrom <= t && t < validUntil;
    },
  };
}

export type AccreditationCache = ReturnType<typeof createAccreditationCache>;
