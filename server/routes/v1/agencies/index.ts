import type { FastifyInstance } from "fastify";
import type { SignatureAlgorithm } from "@certchain/sdk";
import { errorResponses } from "../../../schemas";
import { CREDIT_CODE_PATTERN, NAME_MAX_LENGTH, NAME_PATTERN, SLUG_PATTERN, type AgencyRequest } from "../../../service/agency-request";
import { contextOf } from "../../request-context";

const agencySchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    slug: { type: "string" },
    name: { type: "string" },
    creditCode: { type: "string", description: "Unified social credit code (统一社会信用代码): the issuer segment of the agency's certificate numbers." },
    types: {
      type: "array",
      items: { type: "object", properties: { id: { type: ["string", "null"] }, vct: { type: ["string", "null"] }, typeId: { type: "string" } } },
    },
    keyIds: { type: "array", items: { type: "string" } },
    service: {
      type: "object",
      description: "Present when this node serves the agency: its state here, its own operator account (the address to fund on an external chain) and that account's funds as last read (wei).",
      properties: {
        state: { type: "string", enum: ["active", "suspended"] },
        operator: { type: "string" },
        funds: { type: "object", properties: { balance: { type: "string" }, needed: { type: "string" }, funded: { type: "boolean" }, checkedAt: { type: "string" } } },
        formerOperators: { type: "array", items: { type: "string" } },
      },
    },
  },
  required: ["id", "slug", "name", "creditCode", "types", "keyIds"],
} as const;

const agencyRecordSchema = {
  type: "object",
  description: "The agency as this node holds it.",
  properties: {
    slug: { type: "string" },
    name: { type: "string" },
    creditCode: { type: "string" },
    types: { type: "array", items: { type: "string" } },
    state: { type: "string", enum: ["active", "suspended"] },
    operator: { type: "string" },
    formerOperators: { type: "array", items: { type: "object", properties: { account: { type: "string" }, until: { type: "string" } } } },
    createdAt: { type: "string" },
    updatedAt: { type: "string" },
  },
  required: ["slug", "name", "state", "operator"],
} as const;

export default async function agencies(app: FastifyInstance): Promise<void> {
  app.get(
    "/",
    {
      schema: {
        tags: ["registry"],
        summary: "List agencies the registry knows",
        response: { 200: { type: "array", description: "The agencies on the registry, with their accredited types and signing keys.", items: agencySchema }, ...errorResponses },
      },
    },
    async () => app.service.agencies(),
  );

  app.post<{ Body: AgencyRequest }>(
    "/",
    {
      bodyLimit: 4096,
      config: { auth: "root" },
      schema: {
        tags: ["admin"],
        summary: "Register an agency that this node serves",
        description:
          "Root authority only. In one step: the agency's signing key and an operator account of its own are created and sealed on this node; the agency, its unified social credit code, its accreditations (open-ended, from now), its key and its operator are registered on chain; the operator is funded on the dev chain (elsewhere `service.operator` is the address to fund, `service.funds.funded` says whether it can pay). The agency can get a token and issue at once. A registration cut short (a crash, a chain outage) is finished by the next start, or by the same request again.",
        body: {
          type: "object",
          properties: {
            // The form credentials name in `iss` (urn:certchain:agency:<slug>).
            slug: { type: "string", maxLength: 64, pattern: SLUG_PATTERN },
            name: { type: "string", minLength: 1, maxLength: NAME_MAX_LENGTH, pattern: NAME_PATTERN, description: "Display name (UTF-8, at most 256 bytes), e.g. 上海市市场监督管理局." },
            creditCode: {
              type: "string",
              pattern: CREDIT_CODE_PATTERN,
              description: "The agency's unified social credit code (GB 32100-2015, 18 characters, check character verified); every certificate number of the agency carries it.",
              examples: ["11310000MB2F30003W"],
            },
            types: { type: "array", items: { type: "string", minLength: 1, maxLength: 64 }, minItems: 1, maxItems: 32, uniqueItems: true },
            algorithm: { type: "string", enum: ["EdDSA", "ES256", "SM2"], description: "The suite of the agency's signing keys: EdDSA (Ed25519, the default), ES256 (P-256) or SM2 (SM2 with SM3, 国密). Its first key is made on its first issuance." },
          },
          required: ["slug", "name", "creditCode", "types"],
          additionalProperties: false,
          examples: [{ slug: "sh-fda", name: "上海市药品监督管理局", creditCode: "11310000MB2F30003W", types: ["production-licence"] }],
        },
        response: { 201: { ...agencySchema, description: "Registered and accredited; as GET /v1/agencies shows it." }, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await app.service.registerAgency(request.principal!, request.body, contextOf(request))),
  );

  const slugParams = {
    type: "object",
    properties: { slug: { type: "string", minLength: 1, maxLength: 64, pattern: "^[a-z0-9]+(?:-[a-z0-9]+)*$" } },
    required: ["slug"],
  } as const;

  app.get<{ Params: { slug: string } }>(
    "/:slug",
    {
      schema: {
        tags: ["registry"],
        summary: "One agency",
        description: "As GET /v1/agencies lists it; `service` (state, operator account, its funds read now) when this node serves it.",
        params: slugParams,
        response: { 200: { ...agencySchema, description: "The agency." }, ...errorResponses },
      },
    },
    async (request) => app.service.agency(request.params.slug),
  );

  app.patch<{ Params: { slug: string }; Body: { name: string } }>(
    "/:slug",
    {
      bodyLimit: 4096,
      config: { auth: "root" },
      schema: {
        tags: ["admin"],
        summary: "Rename an agency",
        description: "Root authority only. The new display name goes to the registry (and to this node's record when it serves the agency).",
        params: slugParams,
        body: {
          type: "object",
          properties: { name: { type: "string", minLength: 1, maxLength: NAME_MAX_LENGTH, pattern: NAME_PATTERN } },
          required: ["name"],
          additionalProperties: false,
        },
        response: { 200: { ...agencySchema, description: "The agency, renamed." }, ...errorResponses },
      },
    },
    async (request) => {
      await app.service.renameAgency(request.principal!, request.params.slug, request.body.name, contextOf(request));
      return app.service.agency(request.params.slug);
    },
  );

  for (const [action, summary, description] of [
    ["suspend", "Suspend an agency's issuing on this node", "Root authority only. The agency issues nothing (403 AGENCY_SUSPENDED) until resumed; its certificates keep verifying, pending ones still anchor, status changes go on."],
    ["resume", "Resume a suspended agency's issuing", "Root authority only."],
    ["operator/rotate", "Give an agency a new operator account", "Root authority only. A new operator account, its key sealed on this node, is registered on chain and funded (dev chain: by the root authority; elsewhere the old account's balance is moved over); the node switches to it between two of the agency's transactions, and the old account is removed from the registry."],
  ] as const) {
    app.post<{ Params: { slug: string } }>(
      `/:slug/${action}`,
      {
        bodyLimit: 1024,
        config: { auth: "root" },
        schema: { tags: ["admin"], summary, description, params: slugParams, response: { 200: agencyRecordSchema, ...errorResponses } },
      },
      async (request) =>
        action === "operator/rotate"
          ? app.service.rotateOperator(request.principal!, request.params.slug, contextOf(request))
          : app.service.setAgencySuspended(request.principal!, request.params.slug, action === "suspend", contextOf(request)),
    );
  }
  const isoTime = { type: "string", format: "date-time", maxLength: 64 } as const;

  app.post<{ Params: { slug: string }; Body: { type: string; validFrom?: string; validUntil?: string } }>(
    "/:slug/accreditations",
    {
      bodyLimit: 4096,
      config: { auth: "root" },
      schema: {
        tags: ["admin"],
        summary: "Accredit an agency for a certificate type",
        description: "Root authority only. Writes the accreditation (default: open-ended, from the epoch) to the registry. `type` is a type id (its newest version) or a vct. Tokens the agency already holds can issue the type at once.",
        params: slugParams,
        body: {
          type: "object",
          properties: { type: { type: "string", minLength: 1, maxLength: 512, examples: ["social-security-card"] }, validFrom: isoTime, validUntil: isoTime },
          required: ["type"],
          additionalProperties: false,
        },
        response: {
          201: {
            type: "object",
            description: "The accreditation as written to the registry.",
            properties: { agency: { type: "string" }, type: { type: "string" }, vct: { type: "string" }, typeId: { type: "string" }, validFrom: { type: "string" }, validUntil: { type: ["string", "null"] } },
            required: ["agency", "type", "vct", "typeId", "validFrom", "validUntil"],
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => reply.status(201).send(await app.service.accredit(request.principal!, request.params.slug, request.body, contextOf(request))),
  );

  const tokenSchema = {
    type: "object",
    properties: { id: { type: "string" }, agency: { type: "string" }, subject: { type: "string" }, expiresAt: { type: "string" }, revokedAt: { type: "string" }, token: { type: "string" } },
    required: ["id", "agency", "subject", "expiresAt"],
  } as const;

  app.post<{ Params: { slug: string }; Body: { subject?: string; expiresInSeconds?: number } }>(
    "/:slug/tokens",
    {
      bodyLimit: 1024,
      config: { auth: "root" },
      schema: {
        tags: ["admin"],
        summary: "Mint a bearer token for an agency",
        description: "Root authority only. The token names the agency; the registry's accreditations decide which types it issues. The token is shown once; keep its id to revoke it.",
        params: slugParams,
        body: {
          type: "object",
          properties: {
            subject: { type: "string", minLength: 1, maxLength: 128, description: "Who will use it, for the audit log.", examples: ["amr-issuing-system"] },
            expiresInSeconds: { type: "integer", minimum: 60, maximum: 366 * 24 * 3600 },
          },
          additionalProperties: false,
        },
        response: { 201: { ...tokenSchema, description: "The new token (shown only now) and its id, for revoking it." }, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await app.service.mintAgencyToken(request.principal!, request.params.slug, request.body ?? {}, contextOf(request))),
  );

  app.delete<{ Params: { slug: string; id: string } }>(
    "/:slug/tokens/:id",
    {
      config: { auth: "root" },
      schema: {
        tags: ["admin"],
        summary: "Revoke an agency's bearer token",
        description: "Root authority only. The token is refused (401 AUTH_REVOKED) from the moment this answers; the revocation is on disk.",
        params: { type: "object", properties: { ...slugParams.properties, id: { type: "string", minLength: 1, maxLength: 64 } }, required: ["slug", "id"] },
        response: { 200: { ...tokenSchema, description: "The token, now revoked: refused from this moment on." }, ...errorResponses },
      },
    },
    async (request) => app.service.revokeAgencyToken(request.principal!, request.params.slug, request.params.id, contextOf(request)),
  );

  app.post<{ Params: { slug: string }; Body: { algorithm?: SignatureAlgorithm } | undefined }>(
    "/:slug/keys/rotate",
    {
      bodyLimit: 1024,
      config: { auth: "root" },
      schema: {
        tags: ["admin"],
        summary: "Rotate an agency's signing key",
        description: "Registers a new key on chain and retires the old ones; certificates signed before keep verifying.",
        params: {
          type: "object",
          properties: { slug: { type: "string", minLength: 1, maxLength: 64, pattern: SLUG_PATTERN } },
          required: ["slug"],
        },
        body: {
          type: ["object", "null"],
          properties: { algorithm: { type: "string", enum: ["EdDSA", "ES256", "SM2"], description: "The new key's suite (e.g. SM2 to move to 国密); default: the current key's." } },
          additionalProperties: false,
        },
        response: {
          200: {
            type: "object",
            description: "The new key's id and suite, and the ids of the keys it retired.",
            properties: { keyId: { type: "string" }, alg: { type: "string" }, retired: { type: "array", items: { type: "string" } } },
            required: ["keyId", "alg", "retired"],
          },
          ...errorResponses,
        },
      },
    },
    async (request) => app.service.rotateKey(request.principal!, request.params.slug, contextOf(request), request.body?.algorithm),
  );
}
