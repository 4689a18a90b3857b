import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ShareReader } from "@certchain/sdk";
import { errorResponses, openObject } from "../../../schemas";
import type { ShareStore } from "../../../store/share-store";

export interface VerifyRoutesOptions {
  /** This service's share links are verified from this store; without it, no share link is opened. */
  shares?: ShareStore;
}

const VERIFY_BODY_LIMIT = 1024 * 1024;

/**
 * Convenience verification through the SDK: no token needed (rate limited per IP). A share link
 * is opened only when it is this service's own (its origin is the one the request came to) and
 * read straight from the share store; any other host's link is the verdict
 * SHARE_HOST_NOT_ALLOWED, and nothing is fetched: the service never calls a URL it is handed.
 */
export default async function verify(app: FastifyInstance, options: VerifyRoutesOptions = {}): Promise<void> {
  const { shares } = options;
  const read: ShareReader | undefined = shares
    ? async (link) => {
        const record = await shares.get(link.id);
        return typeof record === "object" ? { ciphertext: record.ciphertext, expiresAt: record.expiresAt } : undefined;
      }
    : undefined;
  const ownShares = (request: FastifyRequest) => (read ? { origin: `${request.protocol}://${request.host}`, read } : undefined);

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
              description: "An envelope (object, or its JSON text), an SD-JWT presentation string, or a share link of this service (`<this origin>/s/<id>#<key>`).",
            },
          },
          required: ["envelope"],
          additionalProperties: false,
          examples: [
            {
              envelope: {
                format: "certchain-envelope",
                version: 1,
                credential:
                  "eyJhbGciOiJFZERTQSIsInR5cCI6ImRjK3NkLWp3dCIsImtpZCI6Im8yUzh3ZGppZ252eVMwNGhNdlZCSEtvd0RBQW5PTm5JSUdySjJ1T2xkcVEifQ.eyJpc3MiOiJ1cm46Y2VydGNoYWluOmFnZW5jeTpzaC1hbXIifQ.c2lnbmF0dXJl~",
                anchor: { status: "pending", chainId: 31337, registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3", service: "http://127.0.0.1:3000" },
              },
            },
          ],
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
    async (request) => app.service.verify(request.body.envelope, ownShares(request)),
  );
}
