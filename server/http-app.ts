import { randomUUID } from "node:crypto";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from "fastify";
import { apiError } from "./errors";
import errorsPlugin, { replyToClientError, replyToExpectation, replyToFrameworkError } from "./plugins/app/errors";
import jsonBodyPlugin from "./plugins/app/json-body";
import rateLimitPlugin from "./plugins/external/rate-limit";
import swaggerPlugin, { type SwaggerOptions } from "./plugins/external/swagger";

/** What every certchain HTTP app shares: limits, logging, and its OpenAPI document's title. */
export interface HttpAppOptions {
  logger?: FastifyServerOptions["logger"];
  /** A logger the app shares with the rest of the process (server/lib/logger.ts); instead of `logger`. */
  loggerInstance?: FastifyBaseLogger;
  /** App-wide body limit in bytes; routes may set smaller ones. */
  bodyLimit: number;
  /** Requests per key (token or IP) and window; false turns rate limiting off. */
  rateLimit: { max: number; timeWindowMs: number } | false;
  trustProxy?: FastifyServerOptions["trustProxy"];
  /** A request (headers and body) must arrive within this long, or it is answered 408 REQUEST_TIMEOUT. Default 120 s. */
  requestTimeoutMs?: number;
  /** Registered after the error handler and before the rate limiter (e.g. the issuing service and its auth). */
  beforeRateLimit?: (app: FastifyInstance) => Promise<void>;
  /** Registered after the rate limiter, before the OpenAPI plugin and the routes. */
  afterRateLimit?: (app: FastifyInstance) => Promise<void>;
  openapi: SwaggerOptions;
}

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
 * The fastify instance every certchain service starts from (the issuing API and the standalone
 * verifier): JSON only, strict schemas, request ids, the one error shape
 * `{ error: { code, message, details? } }`, rate limits, the OpenAPI document at /openapi.json
 * and the liveness probe GET /healthz. The caller registers its other routes.
 *
 * @example
 * const app = await createHttpApp({ bodyLimit: 1 << 20, rateLimit: false, openapi: { title: "certchain verifier" } });
 */
export async function createHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const app = Fastify({
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance } : { logger: options.logger ?? false }),
    bodyLimit: options.bodyLimit,
    trustProxy: options.trustProxy ?? false,
    // fastify's requestTimeout 0 would switch Node's off entirely: a client trickling bytes could
    // hold a connection for ever. Node checks the deadline every connectionsCheckingInterval.
    requestTimeout,
    // Node answers an HTTP/1.1 request without Host itself (a bare, empty 400) unless told not
    // to: the hook below answers it in the error shape instead.
    http: { requestTimeout, headersTimeout: Math.min(60_000, requestTimeout), connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(requestTimeout / 4))), requireHostHeader: false },
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
  app.addHook("onRequest", async (request) => {
    if (request.raw.httpVersion === "1.1" && request.headers.host === undefined) throw apiError("HOST_MISSING");
  });

  // Order matters: the error handler first; then the rate limiter, whose route hook must come
  // before auth's (auth appends its check to each route after it); swagger before any route.
  await app.register(errorsPlugin);
  await app.register(jsonBodyPlugin);
  await options.beforeRateLimit?.(app);
  if (options.rateLimit !== false) await app.register(rateLimitPlugin, options.rateLimit);
  await options.afterRateLimit?.(app);
  await app.register(swaggerPlugin, options.openapi);

  app.get(
    "/healthz",
    {
      config: { rateLimit: false },
      schema: {
        tags: ["health"],
        summary: "The process is up",
        response: { 200: { type: "object", description: "The process is up.", properties: { status: { type: "string", enum: ["ok"] } }, required: ["status"], examples: [{ status: "ok" }] } },
      },
    },
    async () => ({ status: "ok" as const }),
  );
  return app;
}
