import type { FastifyInstance } from "fastify";
import { errorResponses } from "../../../schemas";

const principalSchema = {
  type: "object",
  description: "Who the token speaks for.",
  properties: {
    kind: { type: "string", enum: ["root", "agency"], description: "`root`: the root authority; `agency`: one agency's issuing system." },
    agency: { type: "string", description: "The agency's slug (agency tokens only)." },
    subject: { type: "string", description: "Whom the token was minted for." },
    tokenId: { type: "string", description: "The token's id (what `DELETE /v1/agencies/:slug/tokens/:id` revokes)." },
  },
  required: ["kind", "subject", "tokenId"],
  examples: [{ kind: "agency", agency: "sh-amr", subject: "sh-amr issuing system", tokenId: "tok_3q9Xb2" }],
} as const;

/**
 * `GET /v1/tokens/self`: the caller's own token, checked (valid, not expired, not revoked). A
 * client checks its token here before it starts work that would otherwise find out late (a
 * resumed bulk issue that has nothing left to send never calls the service at all).
 */
export default async function tokens(app: FastifyInstance): Promise<void> {
  app.get(
    "/self",
    {
      config: { auth: "any" },
      schema: {
        tags: ["tokens"],
        summary: "Check a bearer token: whom it speaks for",
        description: "200 with the token's principal when it is valid; 401 `AUTH_INVALID`, `AUTH_EXPIRED` or `AUTH_REVOKED` otherwise. Nothing is written.",
        response: { 200: principalSchema, ...errorResponses },
      },
    },
    async (request) => {
      const principal = request.principal!;
      return principal.kind === "agency"
        ? { kind: principal.kind, agency: principal.agency, subject: principal.subject, tokenId: principal.tokenId }
        : { kind: principal.kind, subject: principal.subject, tokenId: principal.tokenId };
    },
  );
}
