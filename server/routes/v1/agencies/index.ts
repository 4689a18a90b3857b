import type { FastifyInstance } from "fastify";
import { errorResponses } from "../../../schemas";

const agencySchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    slug: { type: "string" },
    name: { type: "string" },
    types: {
      type: "array",
      items: { type: "object", properties: { id: { type: ["string", "null"] }, vct: { type: ["string", "null"] }, typeId: { type: "string" } } },
    },
    keyIds: { type: "array", items: { type: "string" } },
  },
  required: ["id", "slug", "name", "types", "keyIds"],
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

  app.post<{ Body: { slug: string; name: string; types: string[] } }>(
    "/",
    {
      bodyLimit: 4096,
      config: { auth: "root" },
      schema: {
        tags: ["admin"],
        summary: "Register an agency and accredit it for certificate types",
        description: "Root authority only. Writes the agency and its accreditations (open-ended, from now) to the registry. Signing keys and operators come with the agency's own issuing node.",
        body: {
          type: "object",
          properties: {
            // The form credentials name in `iss` (urn:certchain:agency:<slug>).
            slug: { type: "string", pattern: "^[a-z0-9][a-z0-9-]{0,63}$" },
            name: { type: "string", minLength: 1, maxLength: 80 },
            types: { type: "array", items: { type: "string", minLength: 1, maxLength: 64 }, minItems: 1, maxItems: 32, uniqueItems: true },
          },
          required: ["slug", "name", "types"],
          additionalProperties: false,
          examples: [{ slug: "sh-fda", name: "上海市药品监督管理局", types: ["production-licence"] }],
        },
        response: { 201: { ...agencySchema, description: "Registered and accredited; as GET /v1/agencies shows it." }, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await app.service.registerAgency(request.principal!, request.body, { requestId: request.id })),
  );

  app.post<{ Params: { slug: string } }>(
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
          properties: { slug: { type: "string", minLength: 1, maxLength: 64, pattern: "^[a-z0-9]+(?:-[a-z0-9]+)*$" } },
          required: ["slug"],
        },
        response: {
          200: {
            type: "object",
            description: "The new key's id and the ids of the keys it retired.",
            properties: { keyId: { type: "string" }, retired: { type: "array", items: { type: "string" } } },
            required: ["keyId", "retired"],
          },
          ...errorResponses,
        },
      },
    },
    async (request) => app.service.rotateKey(request.principal!, request.params.slug, { requestId: request.id }),
  );
}
