import type { FastifyInstance, FastifyServerOptions } from "fastify";
import { createHttpApp } from "../http-app";
import healthRoutes from "./routes/health";
import verifyRoutes, { BATCH_BODY_LIMIT } from "./routes/verify";
import type { Verifier } from "./verifier";
import type { VerifierPresentations } from "./presentations";
import { presentationRequestRoutes } from "../routes/v1/presentation-requests";
import type { DepartmentEntry } from "./departments";

export interface VerifierAppOptions {
  logger?: FastifyServerOptions["logger"];
  /** Requests per client IP and window; false turns rate limiting off. Default 3,000 per minute (a batch counts once). */
  rateLimit?: { max: number; timeWindowMs: number } | false;
  trustProxy?: FastifyServerOptions["trustProxy"];
  /** Department requests (OpenID4VP): `certchain verifier --departments`. */
  presentations?: VerifierPresentations;
}

export const DEFAULT_VERIFIER_RATE_LIMIT = { max: 3_000, timeWindowMs: 60_000 };

/**
 * The standalone verifier's HTTP API (`certchain verifier`): POST /v1/verify, POST
 * /v1/verify/batch, GET /healthz, GET /readyz and /openapi.json. Read-only: no keys, no
 * database, no issuing routes; it depends on the SDK and the shared HTTP plugins only.
 *
 * @example
 * const app = await buildVerifierApp(createVerifier(registries));
 * await app.listen({ port: 3100, host: "127.0.0.1" });
 */
export async function buildVerifierApp(verifier: Verifier, options: VerifierAppOptions = {}): Promise<FastifyInstance> {
  const app = await createHttpApp({
    logger: options.logger,
    bodyLimit: BATCH_BODY_LIMIT,
    rateLimit: options.rateLimit ?? DEFAULT_VERIFIER_RATE_LIMIT,
    trustProxy: options.trustProxy,
    openapi: {
      title: "certchain verifier",
      description: `Verifies certchain e-certificates against these trusted registries (mutual recognition): ${verifier.registries.map((r) => r.name).join(", ")}. Read-only; it fetches nothing but the registries' JSON-RPC endpoints.`,
      tags: [
        { name: "verification", description: "Verify certificates (no token)" },
        { name: "health", description: "Liveness and readiness" },
        ...(options.presentations ? [{ name: "presentations", description: "Consented use: departments ask citizens' wallets for certificates (OpenID4VP 1.0; a department's token), wallets answer (no token)" }] : []),
      ],
    },
  });
  await app.register(healthRoutes, { verifier });
  await app.register(verifyRoutes, { prefix: "/v1/verify", verifier });
  const consent = options.presentations;
  if (consent) {
    await app.register(presentationRequestRoutes<DepartmentEntry>, {
      authenticate: async (request) => consent.authenticate(request.headers.authorization),
      create: (department, body) => consent.service.create(department, body),
      get: (department, id) => consent.service.get(department, id),
      requestObject: (id) => consent.service.requestObject(id),
      respond: (form) => consent.service.respond(form),
    });
  }
  return app;
}
