import type { FastifyInstance } from "fastify";
import { errorResponses, openObject } from "../../schemas";
import { EXAMPLE_ENVELOPE, EXAMPLE_INVALID_RESULT, EXAMPLE_RESULT } from "../openapi-examples";
import type { Verifier } from "../verifier";

export interface VerifyRoutesOptions {
  verifier: Verifier;
}

/** One certificate file: an envelope's JSON text may be this long (as the SDK's own limit). */
const MAX_ENVELOPE_TEXT = 512 * 1024;
export const VERIFY_BODY_LIMIT = 1024 * 1024;
export const MAX_BATCH = 10_000;
/** 10,000 envelopes of a few KiB each, with room for presentations of larger certificates. */
export const BATCH_BODY_LIMIT = 64 * 1024 * 1024;

const envelopeInput = {
  type: ["object", "string"],
  maxLength: MAX_ENVELOPE_TEXT,
  description: "A certificate file (envelope) or presentation: the JSON object, or its JSON text.",
} as const;

const resultSchema = {
  ...openObject,
  description:
    "The SDK's verification result: { verdict, reason, checks, claims, withheld, certificate, issuer, anchoredAt, anchor, registry, status }. `registry` names the trusted registry (region) that vouched for the certificate.",
  properties: { verdict: { type: "string", enum: ["valid", "invalid", "revoked", "suspended", "expired", "pending", "unverifiable"] } },
  required: ["verdict"],
} as const;

/**
 * POST /v1/verify and POST /v1/verify/batch. A certificate that fails verification is not an
 * HTTP error: the reply is its verdict with the check and code that decided it. Share links are
 * answered with a verdict and never opened (this service fetches nothing but its registries).
 */
export default async function verifyRoutes(app: FastifyInstance, { verifier }: VerifyRoutesOptions): Promise<void> {
  app.post<{ Body: { envelope: unknown } }>(
    "/",
    {
      bodyLimit: VERIFY_BODY_LIMIT,
      schema: {
        tags: ["verification"],
        summary: "Verify one certificate",
        description:
          "Verifies an envelope or presentation against the trusted registries: authenticity, issuer authority on the registry at anchor time, revocation, validity. The result names the registry (region) that vouched for it; a certificate anchored on a registry this verifier does not trust is never `valid`.",
        body: {
          type: "object",
          properties: { envelope: envelopeInput },
          required: ["envelope"],
          additionalProperties: false,
          examples: [{ envelope: EXAMPLE_ENVELOPE }],
        },
        response: {
          200: { ...resultSchema, examples: [EXAMPLE_RESULT, EXAMPLE_INVALID_RESULT] },
          ...errorResponses,
        },
      },
    },
    async (request) => verifier.verify(request.body.envelope),
  );

  app.post<{ Body: { items: unknown[] } }>(
    "/batch",
    {
      bodyLimit: BATCH_BODY_LIMIT,
      schema: {
        tags: ["verification"],
        summary: `Verify up to ${MAX_BATCH.toLocaleString("en")} certificates`,
        description:
          "Verifies many certificates sharing chain reads (one read per distinct root, statuses in bulk); `results[i]` is the result of `items[i]`. Every registry is read in parallel within its deadline, so a region that does not answer makes only its own certificates `unverifiable`. More than 10,000 items: 413 BATCH_TOO_LARGE.",
        body: {
          type: "object",
          properties: { items: { type: "array", minItems: 1, maxItems: MAX_BATCH, items: envelopeInput } },
          required: ["items"],
          additionalProperties: false,
          examples: [{ items: [EXAMPLE_ENVELOPE, { ...EXAMPLE_ENVELOPE, anchor: { ...EXAMPLE_ENVELOPE.anchor, chainId: 1 } }] }],
        },
        response: {
          200: {
            type: "object",
            properties: { results: { type: "array", items: resultSchema } },
            required: ["results"],
            examples: [{ results: [EXAMPLE_RESULT, EXAMPLE_INVALID_RESULT] }],
          },
          ...errorResponses,
        },
      },
    },
    async (request) => ({ results: await verifier.verifyMany(request.body.items) }),
  );
}
