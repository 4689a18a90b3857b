import { Contract, type Provider } from "ethers";
import { CERTCHAIN_REGISTRY_ABI, agencyIdOf, typeIdOf, type CertificateType, type Hex } from "@certchain/sdk";
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
export function createAccreditationCache(db: Database, provider: Provider, registryAddress: Hex, now: () => number = Date.now, chainUsable: () => boolean = () => true) {
  const registry = new Contract(registryAddress, CERTCHAIN_REGISTRY_ABI, provider);
  const stored = db.sublevel<Window>("accreditations");
  const memory = new Map<string, Window>();

  async function windowOf(agency: string, type: CertificateType): Promise<Window> {
    const key = `${agency}!${type.id}`;
    let known = memory.get(key) ?? (await stored.get(key));
    if (known !== undefined && now() - known.readAt < REFRESH_MS) return known;
    // A chain being rebuilt, or not ours, must not overwrite what we know with its zeros.
    if (known !== undefined && !chainUsable()) return known;
    try {
      if (!chainUsable()) throw new Error("chain not ready");
      const a = await registry.accreditation(agencyIdOf(agency), typeIdOf(type.vct));
      const fresh = { validFrom: Number(a.validFrom), validUntil: Number(a.validUntil), readAt: now() };
      if (known?.validFrom !== fresh.validFrom || known?.validUntil !== fresh.validUntil) await stored.put(key, fresh);
      known = fresh;
    } catch (cause) {
      if (known === undefined) throw apiError("CHAIN_UNAVAILABLE", undefined, { reason: "accreditation unknown and chain unreachable" });
    }
    memory.set(key, known!);
    return known!;
  }

  return {
    async isAccredited(agency: string, type: CertificateType): Promise<boolean> {
      const { validFrom, validUntil } = await windowOf(agency, type);
      const t = Math.floor(now() / 1000);
      return validUntil !== 0 && validFrom <= t && t < validUntil;
    },
  };
}

export type AccreditationCache = ReturnType<typeof createAccreditationCache>;
