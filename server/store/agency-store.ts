import type { AgencyRecord } from "../domain/agency";
import type { Database, WriteOp } from "./database";

/** The agencies this node serves (or is registering), keyed by slug. */
export function createAgencyStore(db: Database) {
  const agencies = db.sublevel<AgencyRecord>("agencies");
  return {
    get: (slug: string): Promise<AgencyRecord | undefined> => agencies.get(slug),
    list: (): Promise<AgencyRecord[]> => agencies.values().all(),
    putOps: (record: AgencyRecord): WriteOp[] => [{ type: "put", sublevel: agencies, key: record.slug, value: record }],
    deleteOps: (slug: string): WriteOp[] => [{ type: "del", sublevel: agencies, key: slug }],
  };
}

export type AgencyStore = ReturnType<typeof createAgencyStore>;
