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
        response: { 200: { type: "array", items: agencySchema }, ...errorResponses },
      },
    },
    async () => app.service.agencies(),
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
          200: { type: "object", properties: { keyId: { type: "string" }, retired: { type: "array", items: { type: "string" } } }, required: ["keyId", "retired"] },
          ...errorResponses,
        },
      },
    },
    async (request) => app.service.rotateKey(request.principal!, request.params.slug, { requestId: request.id }),
  );
}
