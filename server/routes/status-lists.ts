import type { FastifyInstance } from "fastify";
import { errorResponses } from "../schemas";

/**
 * `GET /status-lists/:slug/:list`: an agency's Status List Token (draft-ietf-oauth-status-list),
 * `application/statuslist+jwt`, derived from chain events and refreshed within seconds of each
 * status change. Public, readable from any origin (the draft asks for CORS).
 */
export async function statusListRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Params: { slug: string; list: number } }>(
    "/status-lists/:slug/:list",
    {
      schema: {
        tags: ["registry"],
        summary: "An agency's Token Status List (statuslist+jwt)",
        description: "2 bits per certificate: 0 valid, 1 revoked, 2 suspended; 2^20 entries per list. Signed with the agency's key (kid as in its credentials). Derived from the registry's StatusListIndexed events: `certchain status-list rebuild` recomputes it from the chain.",
        params: {
          type: "object",
          properties: { slug: { type: "string", minLength: 1, maxLength: 64, pattern: "^[a-z0-9]+(?:-[a-z0-9]+)*$" }, list: { type: "integer", minimum: 0, maximum: 4095 } },
          required: ["slug", "list"],
        },
        response: { 200: { type: "string", description: "The Status List Token, a compact JWS" }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const token = await app.service.statusListToken(request.params.slug, request.params.list);
      if (token === undefined) return reply.status(404).send({ error: { code: "NOT_FOUND", message: "This service publishes no status list for that agency." } });
      return reply
        .header("content-type", "application/statuslist+jwt")
        .header("cache-control", "no-cache")
        .header("access-control-allow-origin", "*")
        .serializer((payload: string) => payload)
        .send(token);
    },
  );
}
