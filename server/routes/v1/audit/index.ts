import type { FastifyInstance } from "fastify";
import { errorResponses } from "../../../schemas";

const entrySchema = {
  type: "object",
  properties: {
    seq: { type: "integer" },
    at: { type: "string" },
    actor: { type: "string" },
    requestId: { type: "string" },
    action: { type: "string" },
    subject: { type: "string" },
    data: { type: "object", additionalProperties: true },
    prevHash: { type: "string" },
    hash: { type: "string" },
  },
  required: ["seq", "at", "actor", "requestId", "action", "subject", "prevHash", "hash"],
} as const;

export default async function audit(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: { after?: number; limit?: number } }>(
    "/",
    {
      config: { auth: "root" },
      schema: {
        tags: ["admin"],
        summary: "The hash-chained audit log",
        description: "Entries after sequence number `after`, at most `limit`; `intact` tells whether the chain of hashes checks out.",
        querystring: {
          type: "object",
          properties: { after: { type: "integer", minimum: -1 }, limit: { type: "integer", minimum: 1, maximum: 1000 } },
          additionalProperties: false,
        },
        response: {
          200: {
            type: "object",
            description: "A page of the audit log and whether the whole chain of hashes is intact.",
            properties: { entries: { type: "array", items: entrySchema }, intact: { type: "boolean" }, head: { type: "string" } },
            required: ["entries", "intact", "head"],
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { after, limit } = request.query;
      return app.service.audit(request.principal!, { ...(after === undefined ? {} : { after }), ...(limit === undefined ? {} : { limit }) });
    },
  );
}
