import type { FastifyInstance } from "fastify";
import type { VerifierAttestationRequest } from "../../service/presentations";
import { errorResponses } from "../../schemas";

const URL_TEXT = { type: "string", minLength: 1, maxLength: 2048, pattern: "^https?://" } as const;

/**
 * `POST /v1/verifier-attestations` (agency token): the agency vouches for a standalone verifier
 * (`certchain verifier --departments`) that asks citizens on its behalf. Register without a prefix.
 */
export async function verifierAttestationRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: VerifierAttestationRequest }>(
    "/v1/verifier-attestations",
    {
      config: { auth: "any" },
      bodyLimit: 16 * 1024,
      schema: {
        tags: ["presentations"],
        summary: "Vouch for a standalone verifier's requests (a Verifier Attestation)",
        description:
          "A Verifier Attestation JWT (OpenID4VP 1.0 §12) signed with the agency's registered key: `sub` the department's client identifier at the verifier, `cnf.jwk` the verifier's request key (`certchain verifier --print-request-key`), `redirect_uris` its response_uri. Put it in the verifier's departments file; wallets then show the agency's registered name as verified for that department's requests.",
        body: {
          type: "object",
          properties: {
            request_key: { type: "object", description: "The verifier's request-signing key, a public P-256 JWK." },
            subject: { ...URL_TEXT, description: "The department's client identifier without its prefix, e.g. `https://verifier.example.gov.cn/departments/bank-intake`." },
            redirect_uris: { type: "array", minItems: 1, maxItems: 4, items: URL_TEXT, description: "The verifier's response_uri (`<its PUBLIC_URL>/v1/presentation-responses`)." },
            expires_in: { type: "integer", minimum: 3600, maximum: 2 * 365 * 86400, description: "Seconds it is valid (default one year)." },
          },
          required: ["request_key", "subject", "redirect_uris"],
          additionalProperties: false,
        },
        response: {
          201: {
            type: "object",
            description: "The attestation, and the client_id wallets will see.",
            properties: { attestation: { type: "string" }, client_id: { type: "string" }, issuer: { type: "string" }, expires_at: { type: "string", format: "date-time" } },
            required: ["attestation", "client_id", "issuer", "expires_at"],
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => reply.status(201).send(await app.service.attestVerifier(request.principal!, request.body)),
  );
}
