import fp from "fastify-plugin";
import type { FastifyReply, FastifyRequest } from "fastify";
import { isCertchainError } from "@certchain/sdk";
import { apiError } from "../../errors";
import type { Principal } from "../../domain/principal";

/** Who may call a route, declared as `config: { auth }` on the route. */
export type AuthRequirement = "any" | "root";

declare module "fastify" {
  interface FastifyRequest {
    /** The verified caller; null until requireAuth has run (and on public routes). */
    principal: Principal | null;
    /**
     * Verifies the bearer token once per request (memoised): the rate limiter keys on the
     * result and requireAuth enforces it. Never throws; a bad token yields `{ error }`.
     */
    resolvePrincipal(): Promise<{ principal: Principal | null; error?: Error }>;
  }
  interface FastifyInstance {
    requireAuth(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    requireRoot(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  }
  interface FastifyContextConfig {
    auth?: AuthRequirement;
  }
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]+)$/;
const resolved = Symbol("certchain.principal");

/**
 * Bearer-token authentication through `service.authenticate`. Routes opt in with
 * `config: { auth: "any" | "root" }`; the check is appended as a route onRequest hook, after the
 * rate limiter's (so refused tokens are still counted) and before the body is read (so an
 * unauthenticated caller cannot make us parse 16 MiB nor learn our schemas).
 */
export default fp(
  async (app) => {
    app.decorateRequest("principal", null);
    app.decorateRequest("resolvePrincipal", function (this: FastifyRequest & { [resolved]?: Promise<{ principal: Principal | null; error?: Error }> }) {
      this[resolved] ??= (async () => {
        const header = this.headers.authorization;
        if (header === undefined || header === "") return { principal: null, error: apiError("AUTH_MISSING") };
        const match = BEARER.exec(header);
        if (!match) return { principal: null, error: apiError("AUTH_INVALID", "The Authorization header must be `Bearer <token>`.") };
        try {
          return { principal: await app.service.authenticate(match[1]) };
        } catch (error) {
          if (isCertchainError(error) && error.code.startsWith("AUTH_")) return { principal: null, error };
          return { principal: null, error: error as Error };
        }
      })();
      return this[resolved]!;
    });

    async function requireAuth(request: FastifyRequest): Promise<void> {
      const { principal, error } = await request.resolvePrincipal();
      if (!principal) throw error ?? apiError("AUTH_MISSING");
      request.principal = principal;
    }
    async function requireRoot(request: FastifyRequest): Promise<void> {
      await requireAuth(request);
      if (request.principal!.kind !== "root") throw apiError("FORBIDDEN", "Only the root authority's token may do that.");
    }
    app.decorate("requireAuth", requireAuth);
    app.decorate("requireRoot", requireRoot);

    app.addHook("onRoute", (route) => {
      const auth = route.config?.auth;
      if (auth === undefined) return;
      const hook = auth === "root" ? requireRoot : requireAuth;
      const existing = route.onRequest;
      route.onRequest = existing === undefined ? [hook] : Array.isArray(existing) ? [...existing, hook] : [existing, hook];
      // The OpenAPI document shows which routes need a token.
      if (route.schema) route.schema = { ...route.schema, security: [{ bearerAuth: [] }] } as typeof route.schema;
    });
  },
  { name: "certchain-auth", dependencies: ["certchain-service"] },
);
