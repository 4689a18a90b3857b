import type { FastifyInstance } from "fastify";
import { errorResponses } from "../schemas";

const SLUG = { type: "string", minLength: 1, maxLength: 64, pattern: "^[a-z0-9]+(?:-[a-z0-9]+)*$" } as const;

/**
 * `GET /.well-known/jwt-vc-issuer<path of PUBLIC_URL>/agencies/:slug`: JWT VC Issuer Metadata,
 * where draft-ietf-oauth-sd-jwt-vc says a verifier looks for the keys of `iss` =
 * `<PUBLIC_URL>/agencies/<slug>` (the well-known segment goes between host and path).
 */
export async function wellKnownRoutes(app: FastifyInstance): Promise<void> {
  const base = new URL(app.service.publicUrl).pathname.replace(/\/+$/, "");
  app.get<{ Params: { slug: string } }>(
    `/.well-known/jwt-vc-issuer${base}/agencies/:slug`,
    {
      schema: {
        tags: ["registry"],
        summary: "JWT VC Issuer Metadata of an agency (its signing keys, from the registry)",
        description: "For standard SD-JWT VC verifiers: `issuer` equals the credentials' `iss`; `jwks` holds the agency's keys on the registry, retired ones included (older certificates keep verifying), revoked ones left out.",
        params: { type: "object", properties: { slug: SLUG }, required: ["slug"] },
        response: {
          200: {
            type: "object",
            description: "The agency's JWT VC Issuer Metadata: `issuer` and the keys (`jwks`) its credentials are signed with.",
            properties: { issuer: { type: "string" }, jwks: { type: "object", properties: { keys: { type: "array", items: { type: "object", additionalProperties: { type: "string" } } } }, required: ["keys"] } },
            required: ["issuer", "jwks"],
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const metadata = await app.service.issuerMetadata(request.params.slug);
      return reply.header("cache-control", "public, max-age=60").header("access-control-allow-origin", "*").send(metadata);
    },
  );
}
