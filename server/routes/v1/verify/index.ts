import type { FastifyInstance } from "fastify";
import { errorResponses, openObject } from "../../../schemas";

const VERIFY_BODY_LIMIT = 1024 * 1024;

/** Convenience verification through the SDK: no token needed (rate limited per IP). */
export default async function verify(app: FastifyInstance): Promise<void> {
  app.post<{ Body: { envelope: unknown } }>(
    "/",
    {
      bodyLimit: VERIFY_BODY_LIMIT,
      schema: {
        tags: ["verification"],
        summary: "Verify a certificate envelope or presentation",
        description:
          "Runs the SDK's verification pipeline against the chain. A bad certificate is not an HTTP error: the reply is the verdict (`invalid`, `revoked`, …) with the check that decided it.",
        body: {
          type: "object",
          properties: {
            envelope: {
              type: ["object", "string"],
              maxLength: VERIFY_BODY_LIMIT,
              description: "An envelope (object, or its JSON text) or an SD-JWT presentation string.",
            },
          },
          required: ["envelope"],
          additionalProperties: false,
        },
        response: {
          200: {
            ...openObject,
            description: "The SDK's verdict object: { verdict, reason, checks, claims, withheld, certificate, issuer, anchoredAt, anchor, registry, status }.",
            properties: { verdict: { type: "string" } },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => app.service.verify(request.body.envelope),
  );
}
