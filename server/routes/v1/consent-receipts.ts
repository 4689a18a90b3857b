import type { FastifyInstance } from "fastify";
import { contextOf } from "../request-context";
import { errorResponses, openObject } from "../../schemas";

const HEX_32 = { type: "string", pattern: "^0x[0-9a-fA-F]{64}$" } as const;

const receiptSchema = {
  ...openObject,
  description: "A consent receipt (用证记录) and, once anchored, its Merkle proof and where the root is on the registry. Hashes, claim names and a time: nothing personal.",
  properties: { leaf: HEX_32, status: { type: "string", enum: ["anchored", "pending"] } },
  required: ["leaf", "receipt", "status", "anchor"],
} as const;

/**
 * A department's consent receipts on the issuing node: `GET /v1/consent-receipts` (its own, with
 * its token), `POST /v1/consent-receipts/anchor` (anchors every receipt not yet anchored as one
 * root, from its operator account) and `GET /v1/consent-receipts/:leaf` (no token: a citizen's
 * wallet or a supervisor fetches the proof of a receipt it already holds). Register without a prefix.
 */
export async function consentReceiptRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: { limit?: number } }>(
    "/v1/consent-receipts",
    {
      config: { auth: "any" },
      schema: {
        tags: ["presentations"],
        summary: "The calling agency's consent receipts",
        querystring: { type: "object", properties: { limit: { type: "integer", minimum: 1, maximum: 10_000 } }, additionalProperties: false },
        response: { 200: { type: "object", description: "The agency's receipts, oldest first.", properties: { receipts: { type: "array", items: receiptSchema } }, required: ["receipts"] }, ...errorResponses },
      },
    },
    async (request) => ({ receipts: await app.service.consentReceipts(request.principal!, { limit: request.query.limit ?? 1_000 }) }),
  );

  app.post(
    "/v1/consent-receipts/anchor",
    {
      config: { auth: "any" },
      schema: {
        tags: ["presentations"],
        summary: "Anchor the agency's receipts of the period on the registry",
        description:
          "Every receipt recorded since the last anchoring becomes one Merkle tree (OpenZeppelin's sorted-pair keccak256); its root is anchored by the agency's operator account, like a batch of certificates, so the chain says which agency recorded these uses and by when. Afterwards anyone holding a receipt can prove it with its proof, without the department. 409 RECEIPTS_NONE_TO_ANCHOR when nothing is new.",
        response: {
          200: {
            type: "object",
            description: "The root anchored, how many receipts it holds, and where it is on the chain.",
            properties: {
              root: HEX_32,
              size: { type: "integer" },
              transaction: HEX_32,
              block: { type: "integer" },
              anchored_at: { type: "string", format: "date-time" },
              chain_id: { type: "integer" },
              registry: { type: "string" },
            },
            required: ["root", "size", "transaction", "block", "anchored_at", "chain_id", "registry"],
          },
          ...errorResponses,
        },
      },
    },
    async (request) => app.service.anchorConsentReceipts(request.principal!, contextOf(request)),
  );

  app.get<{ Params: { leaf: string } }>(
    "/v1/consent-receipts/:leaf",
    {
      schema: {
        tags: ["presentations"],
        summary: "A consent receipt and its proof, by leaf (no token)",
        description: "`leaf`: SHA-256 of the receipt's canonical encoding (`consentReceiptLeaf`), which the wallet computes itself. Check the answer with `certchain receipt verify` or the SDK's `verifyAnchoredConsentReceipt`: it needs no trust in this service.",
        params: { type: "object", properties: { leaf: HEX_32 }, required: ["leaf"] },
        response: { 200: receiptSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.header("access-control-allow-origin", "*");
      return app.service.consentReceipt(request.params.leaf.toLowerCase());
    },
  );
}
