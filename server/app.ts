import { randomUUID } from "node:crypto";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import type { IssuingService } from "./service/types";
import rateLimitPlugin from "./plugins/external/rate-limit";
import swaggerPlugin from "./plugins/external/swagger";
import servicePlugin from "./plugins/app/service";
import authPlugin from "./plugins/app/auth";
import errorsPlugin, { replyToClientError, replyToExpectation, replyToFrameworkError } from "./plugins/app/errors";
import jsonBodyPlugin from "./plugins/app/json-body";
import healthRoutes from "./routes/health";
import certificateRoutes from "./routes/v1/certificates";
import verifyRoutes from "./routes/v1/verify";
import proofRoutes from "./routes/v1/proofs";
import typeRoutes from "./routes/v1/types";
import agencyRoutes from "./routes/v1/agencies";
import auditRoutes from "./routes/v1/audit";
import notarisationRoutes from "./routes/v1/notarisations";
import { sharesRoutes } from "./routes/v1/shares";
import { rpcProxyRoutes } from "./routes/rpc";
import { pagesRoutes, type PagesRoutesOptions } from "./routes/pages";
import type { ShareStore } from "./store/share-store";

export interface BuildAppOptions {
  logger?: FastifyServerOptions["logger"];
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
  web?: { registry: PagesRoutesOptions["registry"]; upstreamRpcUrl: string };
}

export const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024;
export const DEFAULT_RATE_LIMIT = { max: 1000, timeWindowMs: 60_000 };
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;
/** Longer path segments are a 414 (ids are at most 128 characters; fastify's default is 100). */
const MAX_PARAM_LENGTH = 200;

// An incoming x-request-id is reused (so a caller can correlate logs) only when it is a plain token.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Bodies are validated strictly (no coercion, closed objects rejected, not stripped); the URL and headers, being text, are coerced. */
function createValidators() {
  const common = { allErrors: true, strict: false, allowUnionTypes: true, removeAdditional: false, useDefaults: true } as const;
  const body = new Ajv({ ...common, coerceTypes: false });
  const text = new Ajv({ ...common, coerceTypes: "array" });
  addFormats(body);
  addFormats(text);
  return { body, text };
}

/**
 * The HTTP API over an issuing service (not listening: call `listen` or use `inject`).
 *
 * @example
 * const app = await buildApp(service, { logger: true });
 * await app.listen({ port: 3000, host: "127.0.0.1" });
 */
export async function buildApp(service: IssuingService, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    trustProxy: options.trustProxy ?? false,
    // fastify's requestTimeout 0 would switch Node's off entirely: a client trickling bytes could
    // hold a connection for ever. Node checks the deadline every connectionsCheckingInterval.
    requestTimeout,
    http: { requestTimeout, headersTimeout: Math.min(60_000, requestTimeout), connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(requestTimeout / 4))) },
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Replies fastify and Node would otherwise write in their own shapes (FST_ERR_BAD_URL, 414, 431, 408, 400).
    frameworkErrors: replyToFrameworkError,
    clientErrorHandler: replyToClientError,
    genReqId: (req) => {
      const incoming = req.headers["x-request-id"];
      return typeof incoming === "string" && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    ajv: { customOptions: { allErrors: true } },
  });

  app.server.on("checkExpectation", replyToExpectation);

  // JSON only: fastify's default text/plain parser would hand a string to the schema instead of a 415.
  app.removeContentTypeParser("text/plain");

  const validators = createValidators();
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === "body" ? validators.body : validators.text).compile(schema));

  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });

  // Order matters: the service and error handler first; then the rate limiter, whose route hook
  // must come before auth's (auth appends its check to each route after it); swagger before any route.
  await app.register(servicePlugin, { service });
  await app.register(errorsPlugin);
  await app.register(jsonBodyPlugin);
  if (options.rateLimit !== false) await app.register(rateLimitPlugin, options.rateLimit ?? DEFAULT_RATE_LIMIT);
  await app.register(authPlugin);
  await app.register(swaggerPlugin);

  await app.register(healthRoutes);
  await app.register(certificateRoutes, { prefix: "/v1/certificates" });
  await app.register(verifyRoutes, { prefix: "/v1/verify", shares: options.shares });
  await app.register(proofRoutes, { prefix: "/v1/proofs" });
  await app.register(typeRoutes, { prefix: "/v1/types" });
  await app.register(agencyRoutes, { prefix: "/v1/agencies" });
  await app.register(auditRoutes, { prefix: "/v1/audit" });
  await app.register(notarisationRoutes, { prefix: "/v1/notarisations" });
  if (options.shares) await app.register(sharesRoutes, { prefix: "/v1/shares", store: options.shares });
  if (options.web) {
    await app.register(rpcProxyRoutes, { upstreamUrl: options.web.upstreamRpcUrl });
    await app.register(pagesRoutes, { registry: options.web.registry });
  }
  return app;
}
