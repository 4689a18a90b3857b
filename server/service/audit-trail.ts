import type { Hex } from "@certchain/sdk";
import type { AuditEntry } from "../domain/audit-entry";
import type { Principal } from "../domain/principal";
import { requireRoot } from "./access";
import type { ServiceContext } from "./context";

/** The audit log as the root authority reads it: entries, whether the hash chain is intact, and its head. */
export function createAuditTrail(ctx: ServiceContext) {
  return {
    async audit(principal: Principal, options: { after?: number; limit?: number } = {}): Promise<{ entries: AuditEntry[]; intact: boolean; head: Hex }> {
      requireRoot(principal);
      const [entries, check, head] = await Promise.all([ctx.audit.list(options), ctx.audit.verify(), ctx.audit.head()]);
      return { entries, intact: check.intact, head: head.hash };
    },
  };
}
