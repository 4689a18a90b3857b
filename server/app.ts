import type { FastifyBaseLogger, FastifyInstance, FastifyServerOptions } from "fastify";
import type { IssuingService } from "./service/issuing-service";
import { createHttpApp, DEFAULT_REQUEST_TIMEOUT_MS } from "./http-app";
import servicePlugin from "./plugins/app/service";
import authPlugin from "./plugins/app/auth";
import healthRoutes from "./routes/health";
import certificateRoutes from "./routes/v1/certificates";
import verifyRoutes from "./routes/v1/verify";
import proofRoutes from "./routes/v1/proofs";
import typeRoutes, { typeDocumentRoutes } from "./routes/v1/types";
import agencyRoutes from "./routes/v1/agencies";
import auditRoutes from "./routes/v1/audit";
import tokenRoutes from "./routes/v1/tokens";
import siteRoutes from "./routes/v1/sites";
import notarisationRoutes from "./routes/v1/notarisations";
import { sharesRoutes } from "./routes/v1/shares";
import { RPC_RATE_LIMIT, rpcProxyRoutes } from "./routes/rpc";
import { wellKnownRoutes } from "./routes/well-known";
import { oid4vciRoutes } from "./routes/oid4vci";
import { statusListRoutes } from "./routes/status-lists";
import { pagesRoutes, type PagesRoutesOptions } from "./routes/pages";
import { presentationRequestRoutes } from "./routes/v1/presentation-requests";
import { consentReceiptRoutes } from "./routes/v1/consent-receipts";
import { verifierAttestationRoutes } from "./routes/v1/verifier-attestations";
import type { ShareStore } from "./store/share-store";
import type { Principal } from "./domain/principal";

export interface BuildAppOptions {
  logger?: FastifyServerOptions["logger"];
  /** The process's one logger (server/lib/logger.ts), for request logs; instead of `logger`. */
  loggerInstance?: FastifyBaseLogger;
  /** App-wide body limit in bytes (batches); small routes set their own. Default 16 MiB. */
  bodyLimit?: number;
  /** Requests per token (or IP) and window; false turns rate limiting off. Default 1,000 per minute. */
  rateLimit?: { max: number; timeWindowMs: number } | false;
  trustProxy?: FastifyServerOptions["trustProxy"];
  /** A request (headers and body) must arrive within this long, or it is answered 408 REQUEST_TIMEOUT. Default 120 s. */
  requestTimeoutMs?: number;
  /** Where share-link ciphertexts are kept; without it /v1/shares is not served. */
  shares?: ShareStore;
  /** The citizen pages (/wallet, /s/:id, /verify) and their read-only JSON-RPC proxy (/rpc) in front of `upstreamRpcUrl`. */
  web?: {
    registry: PagesRoutesOptions["registry"];
    upstreamRpcUrl: string;
    upstreamTimeoutMs?: number;
    /** /rpc's own limit per client and minute: by default RPC_RATE_LIMIT, never looser than the app's; false: none (tests of many pages in a row). */
    rpcRateLimit?: number | false;
  };
}

export const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024;
export const DEFAULT_RATE_LIMIT = { max: 1000, timeWindowMs: 60_000 };
export { DEFAULT_REQUEST_TIMEOUT_MS };

const ISSUING_API = {
  title: "certchain issuing API",
  description: "Issue, look up, revoke and verify government e-certificates (SD-JWT VCs anchored on an EVM chain).",
  tags: [
    { name: "certificates", description: "Issue and manage certificates (agency token)" },
    { name: "verification", description: "Verify a certificate, look up a pending certificate's proof (no token)" },
    { name: "notarisation", description: "Notarise document digests (notary office token)" },
    { name: "collecting", description: "OpenID4VCI: a holder collects a certificate into a wallet, bound to its device key (offer, metadata, token, nonce, credential)" },
    { name: "shares", description: "Encrypted share links (no account; ciphertext only)" },
    { name: "presentations", description: "Consented use: ask a citizen's wallet for certificates (OpenID4VP 1.0), read the answer, anchor consent receipts (agency token; wallets' endpoints need none)" },
    { name: "registry", description: "Certificate types and agencies" },
    { name: "tokens", description: "Check a bearer token (any token)" },
    { name: "admin", description: "Root authority only" },
    { name: "health", description: "Liveness and readiness" },
  ],
  bearerAuth: true,
};

/**
 * The HTTP API over an issuing service (not listening: call `listen` or use `inject`).
 *
 * @example
 * const app = await buildApp(service, { logger: true });
 * await app.listen({ port: 3000, host: "127.0.0.1" });
 */
export async function buildApp(service: IssuingService, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = await createHttpApp({
    logger: options.logger,
    loggerInstance: options.loggerInstance,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMIT,
    trustProxy: options.trustProxy,
    requestTimeoutMs: options.requestTimeoutMs,
    // The limiter keys on the caller's token, which auth resolves: the service comes first, auth after.
    beforeRateLimit: async (app) => {
      await app.register(servicePlugin, { service });
    },
    afterRateLimit: async (app) => {
      await app.register(authPlugin);
    },
    openapi: ISSUING_API,
  });

  await app.register(healthRoutes);
  await app.register(certificateRoutes, { prefix: "/v1/certificates" });
  await app.register(verifyRoutes, { prefix: "/v1/verify", shares: options.shares });
  await app.register(proofRoutes, { prefix: "/v1/proofs" });
  await app.register(typeRoutes, { prefix: "/v1/types" });
  await app.register(typeDocumentRoutes);
  await app.register(wellKnownRoutes);
  await app.register(oid4vciRoutes);
  await app.register(statusListRoutes);
  await app.register(agencyRoutes, { prefix: "/v1/agencies" });
  await app.register(auditRoutes, { prefix: "/v1/audit" });
  await app.register(tokenRoutes, { prefix: "/v1/tokens" });
  await app.register(siteRoutes, { prefix: "/v1/sites" });
  await app.register(notarisationRoutes, { prefix: "/v1/notarisations" });
  await app.register(presentationRequestRoutes<Principal>, {
    authenticate: async (request) => {
      await app.requireAuth(request, undefined as never);
      return request.principal!;
    },
    create: (principal, body) => app.service.presentations.create(principal, body),
    get: (principal, id) => app.service.presentations.get(principal, id),
    requestObject: (id) => app.service.presentations.requestObject(id),
    respond: (form) => app.service.presentations.respond(form),
  });
  await app.register(consentReceiptRoutes);
  await app.register(verifierAttestationRoutes);
  if (options.shares) await app.register(sharesRoutes, { prefix: "/v1/shares", store: options.shares });
  if (options.web) {
    // /rpc has a limit of its own (a counter of its own), never looser than the app's.
    const appLimit = options.rateLimit ?? DEFAULT_RATE_LIMIT;
    await app.register(rpcProxyRoutes, {
      upstreamUrl: options.web.upstreamRpcUrl,
      registries: [options.web.registry.address],
      timeoutMs: options.web.upstreamTimeoutMs,
      rateLimit: options.web.rpcRateLimit ?? (appLimit === false ? RPC_RATE_LIMIT : Math.min(RPC_RATE_LIMIT, appLimit.max)),
    });
    await app.register(pagesRoutes, { registry: options.web.registry });
  }
  return app;
}
