import { getAddress } from "ethers";
import type { Principal, RequestContext } from "../domain/principal";
import { apiError } from "../errors";
import { requireRoot } from "./access";
import { chainFailure, chainWriteFailure } from "./chain-call";
import { ROOT_WRITES, type ServiceContext } from "./context";

/** A site that writes to the registry with an account of its own. */
export interface SiteView {
  account: string;
  /** false: the account already held the role (nothing was sent). */
  added: boolean;
}

/**
 * Several issuing sites on one registry. The site that deployed it grants a further site's own
 * account the registry's root-authority role; that site (started with JOIN_REGISTRY) then
 * registers its own agencies, keys and operator accounts from it. No account writes for two
 * sites, so no nonce is ever shared; an agency registered by one site cannot be registered by
 * another (AGENCY_EXISTS), so each agency is served by exactly one site.
 */
export function createSites(ctx: ServiceContext) {
  return {
    /** Root only: `account` (the other site's root account, account 0 of its CHAIN_MNEMONIC) may act as root authority. */
    async addSite(principal: Principal, account: string, context: RequestContext): Promise<SiteView> {
      requireRoot(principal);
      let checksummed: string;
      try {
        checksummed = getAddress(account);
      } catch {
        throw apiError("BAD_REQUEST", "account must be an Ethereum address (0x and 40 hex digits).");
      }
      const admin = ctx.rootAdmin();
      await ctx.gate.ready();
      const already = await admin.isSite(checksummed).catch((error: unknown) => {
        throw chainFailure(error);
      });
      if (!already) {
        try {
          await ctx.chainLock(ROOT_WRITES, () => admin.addSite(checksummed));
        } catch (error) {
          throw chainWriteFailure(error, { role: "root", account: await ctx.rootAccount() });
        }
      }
      await ctx.audit.append([{ at: new Date(ctx.now()).toISOString(), actor: principal.subject, requestId: context.requestId, action: "registry.site-add", subject: checksummed, data: { added: !already } }]);
      return { account: checksummed, added: !already };
    },
  };
}
