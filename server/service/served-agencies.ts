import type { Signer } from "ethers";
import type { AgencyRecord, AgencyState } from "../domain/agency";
import type { KeyStore } from "../keys/key-store";
import type { AgencyStore } from "../store/agency-store";

/** An agency this node serves now: its operator's signer, and whether it issues. */
export interface ServedAgency {
  slug: string;
  state: Exclude<AgencyState, "registering">;
  /** The operator account's address. */
  account: string;
  operator: Signer;
  /** Absent for an agency whose operator is held elsewhere (ServiceConfig.operators). */
  record?: AgencyRecord;
}

export interface ServedAgenciesOptions {
  store: AgencyStore;
  keys: KeyStore;
  /** A signer for an operator key held here (npm start: a journaled wallet of the chain session). */
  walletFor(privateKey: string): Signer;
  /** Agencies whose operator accounts are held elsewhere and handed in (tools, tests): served as active. */
  external?: Record<string, Signer>;
}

/**
 * Which agencies this node serves, from its own store: every active or suspended agency, with a
 * signer for its operator account (its key sealed in the key store). Kept in memory; `put` after
 * each synced write of a record keeps it current.
 */
export async function createServedAgencies(options: ServedAgenciesOptions) {
  const served = new Map<string, ServedAgency>();
  for (const [slug, operator] of Object.entries(options.external ?? {})) {
    served.set(slug, { slug, state: "active", account: await operator.getAddress(), operator });
  }

  async function put(record: AgencyRecord): Promise<void> {
    if (options.external?.[record.slug] !== undefined) return;
    if (record.state === "registering") {
      served.delete(record.slug);
      return;
    }
    const current = served.get(record.slug);
    let operator = current?.account.toLowerCase() === record.operator.toLowerCase() ? current.operator : undefined;
    if (operator === undefined) {
      const key = await options.keys.operatorKey(record.operator);
      if (key === undefined) throw new Error(`the key of ${record.slug}'s operator account ${record.operator} is not in this node's key store`);
      operator = options.walletFor(key);
    }
    served.set(record.slug, { slug: record.slug, state: record.state, account: record.operator, operator, record });
  }

  for (const record of await options.store.list()) await put(record);

  return {
    put,
    forget: (slug: string) => void served.delete(slug),
    get: (slug: string): ServedAgency | undefined => (typeof slug === "string" ? served.get(slug) : undefined),
    list: (): ServedAgency[] => [...served.values()],
    /** The operator's signer of an agency served here (suspended ones too: their batches still anchor). */
    operatorFor: (slug: string): Signer | undefined => (typeof slug === "string" ? served.get(slug)?.operator : undefined),
  };
}

export type ServedAgencies = Awaited<ReturnType<typeof createServedAgencies>>;
