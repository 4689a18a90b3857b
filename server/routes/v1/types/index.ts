import type { FastifyInstance } from "fastify";
import { errorResponses, openObject } from "../../../schemas";

const localised = { type: "object", properties: { "zh-CN": { type: "string" }, en: { type: "string" } } } as const;

/** The certificate types this service knows, with claim labels and schemas (with examples). */
export default async function types(app: FastifyInstance): Promise<void> {
  app.get(
    "/",
    {
      schema: {
        tags: ["registry"],
        summary: "List certificate types",
        response: {
          200: {
            type: "array",
            description: "Every certificate type this service issues: id, names, claim labels (zh-CN and en) and the JSON Schema of its claims with a complete example.",
            items: {
              type: "object",
              properties: {
                id: { type: "string" },
                vct: { type: "string" },
                typeCode: { type: "string" },
                names: localised,
                claims: { type: "object", additionalProperties: localised, description: "Display labels of the claims, in display order." },
                schema: { ...openObject, description: "JSON Schema (2020-12) of the claims, with examples." },
              },
              required: ["id", "vct", "typeCode", "names", "claims", "schema"],
            },
          },
          ...errorResponses,
        },
      },
    },
    async () => app.service.types(),
  );
}
