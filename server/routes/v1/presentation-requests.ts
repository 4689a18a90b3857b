import type { FastifyInstance, FastifyRequest } from "fastify";
import type { CreatePresentationRequest, CreatedPresentationRequest, PresentationRequestView, ResponseOutcome } from "../../consent/presentation-requests";
import { errorResponses, openObject } from "../../schemas";

/**
 * What the routes call: the same service on the issuing node (departments are agencies, by
 * token) and on the standalone verifier (departments are configured); `Caller` is whoever
 * `authenticate` says is calling.
 */
export interface PresentationRoutesOptions<Caller> {
  /** Resolves the calling department from the request (runs before the body is read). @throws AUTH_* */
  authenticate(request: FastifyRequest): Promise<Caller>;
  create(caller: Caller, body: CreatePresentationRequest): Promise<CreatedPresentationRequest>;
  get(caller: Caller, id: string): Promise<PresentationRequestView>;
  requestObject(id: string): Promise<string>;
  respond(form: Record<string, string>): Promise<ResponseOutcome>;
}

/** A department's query, purpose and optional webhook fit in far less. */
const CREATE_BODY_LIMIT = 64 * 1024;
/** A vp_token of a few presentations with their anchor proofs. */
export const RESPONSE_BODY_LIMIT = 1024 * 1024;
const ID = { type: "string", pattern: "^[A-Za-z0-9_-]{22}$" } as const;
const DUPLICATE = Symbol("certchain.duplicate-parameter");
const OAUTH_ERROR = { type: "object", properties: { error: { type: "string" }, error_description: { type: "string" }, code: { type: "string" } }, required: ["error"] } as const;

const EXAMPLE_QUERY = {
  credentials: [
    {
      id: "licence",
      format: "dc+sd-jwt",
      meta: { vct_values: ["https://certs.example.gov.cn/types/business-licence/1"] },
      claims: [
        { id: "name", path: ["company_name"] },
        { id: "code", path: ["unified_social_credit_code"] },
        { id: "rep", path: ["legal_representative"] },
      ],
      claim_sets: [["name", "code", "rep"], ["name", "code"]],
    },
  ],
};

const createdSchema = {
  type: "object",
  description: "The request: give the citizen `link` (or `qr`); other OpenID4VP wallets take `openid4vp_uri`.",
  properties: {
    id: ID,
    client_id: { type: "string", description: "`verifier_attestation:<this service>/agencies/<slug>`: the audience every key-binding JWT must name." },
    request_uri: { type: "string", description: "Where a wallet fetches the signed request object (RFC 9101)." },
    link: { type: "string", description: "Opens this service's wallet page with the request (give it to the citizen, or its QR code)." },
    openid4vp_uri: { type: "string", description: "The same request for other OpenID4VP wallets: `openid4vp://?client_id=…&request_uri=…`." },
    qr: { type: "string", description: "`link` as a QR code: an SVG data URL." },
    expires_at: { type: "string", format: "date-time" },
    webhook_secret: { type: "string", description: "Only with `webhook`: the HMAC-SHA256 key of the pushes' `certchain-signature` header. Shown once." },
  },
  required: ["id", "client_id", "request_uri", "link", "openid4vp_uri", "qr", "expires_at"],
} as const;

/** `application/x-www-form-urlencoded` as OAuth reads it: UTF-8, and no parameter given twice (RFC 6749 §3.1). */
function parseForm(text: string): Record<string, string> {
  const form: Record<string, string> = Object.create(null);
  for (const [name, value] of new URLSearchParams(text)) {
    if (Object.hasOwn(form, name)) (form as Record<symbol, boolean>)[DUPLICATE] = true;
    form[name] = value;
  }
  return form;
}

/**
 * Department requests (OpenID4VP 1.0): `POST /v1/presentation-requests` and `GET …/:id` for the
 * department (its token), `GET …/:id/request-object` and `POST /v1/presentation-responses` for
 * wallets (no token; each with a tighter rate limit per IP). The response endpoint takes
 * `application/x-www-form-urlencoded` and answers as OAuth does: `{}` or
 * `{ error, error_description, code }` (`code`: our stable code, e.g. KEY_BINDING_NONCE_MISMATCH).
 * Register without a prefix.
 */
export async function presentationRequestRoutes<Caller>(app: FastifyInstance, options: PresentationRoutesOptions<Caller>): Promise<void> {
  const callers = new WeakMap<FastifyRequest, Caller>();
  const authenticate = async (request: FastifyRequest) => {
    callers.set(request, await options.authenticate(request));
  };

  // Scoped to these routes (this plugin is not wrapped with fastify-plugin): the rest of the API stays JSON only.
  if (!app.hasContentTypeParser("application/x-www-form-urlencoded")) {
    app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: RESPONSE_BODY_LIMIT }, (_request, body, done) => done(null, parseForm(body as string)));
  }

  app.post<{ Body: CreatePresentationRequest }>(
    "/v1/presentation-requests",
    {
      onRequest: authenticate,
      bodyLimit: CREATE_BODY_LIMIT,
      schema: {
        tags: ["presentations"],
        summary: "Ask a citizen for certificates (OpenID4VP 1.0 with DCQL)",
        description:
          "Creates a request for exactly the claims the DCQL query names, with a purpose the wallet shows. The request object is signed and carries a Verifier Attestation by the department's agency on the registry, so the wallet shows the department's registered name as verified. Give the citizen `link` (or `qr`); read the answer with GET /v1/presentation-requests/{id}, or have it pushed to `webhook` (HTTPS or HTTP, no private addresses; signed with `webhook_secret`).",
        body: {
          type: "object",
          properties: {
            dcql_query: { type: "object", description: "A DCQL query (OpenID4VP 1.0 §6): `credentials` with `format: dc+sd-jwt`, `meta.vct_values`, `claims` and `claim_sets` (required and optional fields)." },
            purpose: { type: "string", minLength: 1, maxLength: 500, description: "Why the department asks, in words the citizen understands." },
            client_name: { type: "string", minLength: 1, maxLength: 200, description: "The department's own name for itself (unverified); default its name on the registry." },
            webhook: { type: "string", minLength: 1, maxLength: 2048, description: "Where to push the result when the citizen answers or declines." },
            expires_in: { type: "integer", minimum: 60, maximum: 86400, description: "Seconds the request stays answerable (default 600)." },
          },
          required: ["dcql_query", "purpose"],
          additionalProperties: false,
          examples: [{ dcql_query: EXAMPLE_QUERY, purpose: "办理企业银行开户，核对营业执照", expires_in: 600 }],
        },
        response: { 201: createdSchema, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await options.create(callers.get(request)!, request.body)),
  );

  app.get<{ Params: { id: string } }>(
    "/v1/presentation-requests/:id",
    {
      onRequest: authenticate,
      schema: {
        tags: ["presentations"],
        summary: "A request's status and, once answered, its result",
        description:
          "`status`: pending, answered, declined or expired. An answered request's `result` holds the verdict per credential, only the claims the citizen disclosed, whether holder binding was checked, and the consent receipt (both sides compute the same; anchor it with POST /v1/consent-receipts/anchor). A declined one's `result` is the wallet's `{ error, error_description }`.",
        params: { type: "object", properties: { id: ID }, required: ["id"] },
        response: {
          200: { ...openObject, description: "The request's status and, once answered or declined, its result.", properties: { status: { type: "string", enum: ["pending", "answered", "declined", "expired"] } }, required: ["status"] },
          ...errorResponses,
        },
      },
    },
    async (request) => options.get(callers.get(request)!, request.params.id),
  );

  app.get<{ Params: { id: string } }>(
    "/v1/presentation-requests/:id/request-object",
    {
      config: { rateLimit: { max: 120, timeWindow: 60_000 } },
      schema: {
        tags: ["presentations"],
        summary: "The signed request object (for wallets)",
        description: "The request_uri of OpenID4VP 1.0 by reference: a JWT of `typ: oauth-authz-req+jwt` (RFC 9101), `application/oauth-authz-req+jwt`. No token. 410 once expired, 409 once answered or declined.",
        params: { type: "object", properties: { id: ID }, required: ["id"] },
        response: { 200: { type: "string", description: "The signed request object (compact JWT), `application/oauth-authz-req+jwt`." }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const text = await options.requestObject(request.params.id);
      return reply.header("cache-control", "no-store").type("application/oauth-authz-req+jwt").send(text);
    },
  );

  app.post<{ Body: Record<string, string> }>(
    "/v1/presentation-responses",
    {
      bodyLimit: RESPONSE_BODY_LIMIT,
      config: { rateLimit: { max: 60, timeWindow: 60_000 } },
      schema: {
        tags: ["presentations"],
        summary: "A wallet's answer (OpenID4VP 1.0 direct_post)",
        description:
          "`application/x-www-form-urlencoded`: `state` and `vp_token` (JSON: `{ \"<credential query id>\": [\"<SD-JWT+KB>\"] }`), optionally `certchain_anchors` (JSON array of the credentials' anchor proofs, which spares this service looking them up), or `state`, `error` (e.g. `access_denied`) and `error_description` to decline. 200 `{}` when accepted; otherwise `{ error, error_description, code }`: 400 for an answer that does not verify for this request (the request stays open), 409 when it was already answered, 410 when expired, 503 when the chain cannot be read. A vp_token is accepted once, for one request.",
        consumes: ["application/x-www-form-urlencoded"],
        body: {
          type: "object",
          properties: {
            state: { type: "string" },
            vp_token: { type: "string" },
            certchain_anchors: { type: "string" },
            error: { type: "string" },
            error_description: { type: "string" },
          },
          additionalProperties: true,
        },
        response: {
          200: { type: "object", description: "Accepted (an answer or a refusal): `{}`.", additionalProperties: false, properties: {} },
          "4xx": { ...OAUTH_ERROR, description: "Not accepted, in OAuth's error shape with our stable `code` (e.g. KEY_BINDING_NONCE_MISMATCH, PRESENTATION_REPLAYED, PRESENTATION_REQUEST_CLOSED)." },
          "5xx": { ...OAUTH_ERROR, description: "The chain cannot be read now (`temporarily_unavailable`, CHAIN_UNAVAILABLE): send the answer again." },
        },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      const form = request.body;
      if (typeof form !== "object" || form === null || (form as Record<symbol, boolean>)[DUPLICATE]) {
        return reply.status(400).send({ error: "invalid_request", error_description: "The answer must be a form (application/x-www-form-urlencoded) naming each parameter once.", code: "RESPONSE_INVALID" });
      }
      const outcome = await options.respond(form);
      return reply.status(outcome.status).send(outcome.body);
    },
  );
}
