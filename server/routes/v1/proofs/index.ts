import type { FastifyInstance } from "fastify";
import { apiError } from "../../../errors";
import { errorResponses } from "../../../schemas";

const HEX_32 = { type: "string", pattern: "^0x[0-9a-fA-F]{64}$" } as const;

export const proofSchema = {
  type: "object",
  description: "The anchor proof of one certificate: what turns its pending envelope into an anchored one. Hashes and chain coordinates only, nothing personal.",
  properties: {
    root: { ...HEX_32, description: "Merkle root anchored on the registry." },
    proof: { type: "array", items: HEX_32, maxItems: 64, description: "Sibling hashes from the leaf up to the root (OpenZeppelin MerkleProof order)." },
    registry: { type: "string", pattern: "^0x[0-9a-fA-F]{40}$", description: "The registry contract the root is anchored on." },
    chainId: { type: "integer", minimum: 1 },
    anchoredAt: { type: "string", format: "date-time", description: "Block time of the anchor (informative: verifiers read it from the chain)." },
    transaction: { ...HEX_32, description: "The anchoring transaction." },
    block: { type: "integer", minimum: 0, description: "The anchoring block." },
  },
  required: ["root", "proof", "registry", "chainId", "anchoredAt", "transaction", "block"],
  additionalProperties: false,
} as const;

/**
 * `GET /v1/proofs/:leaf` (register with `prefix: "/v1/proofs"`): the public proof lookup. A
 * pending envelope names this service; whoever holds it (the holder's wallet, a verifier's SDK,
 * a share page) asks here for the proof, then checks it against the chain, so the answer needs
 * no trust and no token. The leaf is the SHA-256 of the issuer-signed JWT: knowing it means
 * holding the certificate (or a presentation of it), and the answer reveals nothing personal.
 * Rate limited per IP like every route; readable cross-origin (no credentials involved).
 */
export default async function proofs(app: FastifyInstance): Promise<void> {
  app.get<{ Params: { leaf: string } }>(
    "/:leaf",
    {
      schema: {
        tags: ["verification"],
        summary: "Anchor proof of a certificate, by leaf",
        description:
          "`leaf` is the SHA-256 (hex, with or without 0x) of the issuer-signed JWT, the part of the credential before the first `~`. 200 with the proof once the certificate's batch is anchored, 202 while it is pending, 404 if this service never issued it. No token needed.",
        params: {
          type: "object",
          properties: { leaf: { type: "string", pattern: "^(0x)?[0-9a-fA-F]{64}$", description: "SHA-256 of the issuer-signed JWT, hex.", examples: ["0x3f1c2a77e0b1d4c5a6f8e9d0c1b2a3948576a5b4c3d2e1f0a9b8c7d6e5f4a3b2"] } },
          required: ["leaf"],
        },
        response: {
          200: proofSchema,
          202: {
            type: "object",
            description: "The certificate is issued but its batch is not anchored yet; ask again after Retry-After seconds.",
            properties: { status: { type: "string", enum: ["pending"] } },
            required: ["status"],
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      reply.header("access-control-allow-origin", "*");
      const found = await app.service.proofOf(request.params.leaf);
      if (found === undefined) throw apiError("PROOF_NOT_FOUND");
      if (found.status === "pending") return reply.status(202).header("retry-after", "1").send({ status: "pending" });
      return found.proof;
    },
  );
}
