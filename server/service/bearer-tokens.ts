import type { TokenRecord } from "../auth/token-registry";
import type { Principal, RequestContext, TokenSubject } from "../domain/principal";
import type { AgencyTokenView } from "../domain/views";
import { apiError } from "../errors";
import { requireRoot } from "./access";
import type { ServiceContext } from "./context";

const tokenViewOf = (record: TokenRecord): AgencyTokenView => ({
  id: record.id,
  agency: record.agency!,
  subject: record.subject,
  expiresAt: record.expiresAt,
  ...(record.revokedAt ? { revokedAt: record.revokedAt } : {}),
});

/**
 * Bearer tokens: verifying one into a principal, minting them (every token is remembered, so it
 * can be revoked), and the root authority's minting and revoking of agency tokens.
 */
export function createBearerTokens(ctx: ServiceContext) {
  const { tokens, tokenRegistry, audit } = ctx;
  const meta = ctx.db.sublevel<boolean>("meta");
  return {
    /** Whether a production start already wrote the root token to its file (it is written once). */
    rootTokenWritten: async (): Promise<boolean> => (await meta.get("root-token-written")) === true,
    async markRootTokenWritten(): Promise<void> {
      await ctx.db.write([{ type: "put", sublevel: meta, key: "root-token-written", value: true }]);
    },

    /** Verifies a bearer token (jose, HS256 allow-list) into a principal; throws AUTH_* codes. */
    authenticate: (token: string): Promise<Principal> => tokens.authenticate(token),

    async issueToken(principal: TokenSubject | Omit<Principal, "tokenId">, expiresInSeconds?: number): Promise<string> {
      const minted = await tokens.mint(principal, expiresInSeconds);
      const agency = principal.kind === "agency" ? (principal as { agency: string }).agency : undefined;
      await tokenRegistry.remember({ id: minted.id, kind: principal.kind, ...(agency ? { agency } : {}), subject: principal.subject, expiresAt: minted.expiresAt.toISOString(), createdAt: new Date(ctx.now()).toISOString() });
      return minted.token;
    },

    async mintAgencyToken(principal: Principal, agency: string, request: { subject?: string; expiresInSeconds?: number }, context: RequestContext): Promise<AgencyTokenView & { token: string }> {
      requireRoot(principal);
      if (ctx.operatorFor(agency) === undefined) throw apiError("AGENCY_NOT_FOUND", "This node does not serve that agency.");
      const subject = request.subject ?? `${agency}-system`;
      const minted = await tokens.mint({ kind: "agency", agency, subject }, request.expiresInSeconds ?? 30 * 24 * 3600);
      const record: TokenRecord = { id: minted.id, kind: "agency", agency, subject, expiresAt: minted.expiresAt.toISOString(), createdAt: new Date(ctx.now()).toISOString() };
      await tokenRegistry.remember(record);
      await audit.append([{ at: record.createdAt, actor: principal.subject, requestId: context.requestId, action: "token.mint", subject: agency, data: { tokenId: record.id, subject, expiresAt: record.expiresAt } }]);
      return { ...tokenViewOf(record), token: minted.token };
    },

    async revokeAgencyToken(principal: Principal, agency: string, tokenId: string, context: RequestContext): Promise<AgencyTokenView> {
      requireRoot(principal);
      const record = typeof tokenId === "string" && tokenId.length <= 64 ? await tokenRegistry.get(tokenId) : undefined;
      if (!record || record.agency !== agency) throw apiError("TOKEN_NOT_FOUND");
      const revoked = await tokenRegistry.revoke(record, new Date(ctx.now()));
      await audit.append([{ at: revoked.revokedAt!, actor: principal.subject, requestId: context.requestId, action: "token.revoke", subject: agency, data: { tokenId } }]);
      return tokenViewOf(revoked);
    },
  };
}
