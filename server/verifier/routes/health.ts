import type { FastifyInstance } from "fastify";
import { openObject } from "../../schemas";
import type { Verifier } from "../verifier";

const endpointSchema = {
  type: "object",
  properties: {
    endpoint: { type: "string", description: "The RPC URL without credentials or query." },
    ok: { type: "boolean" },
    blockNumber: { type: "integer" },
    error: { type: "object", properties: { code: { type: "string", enum: ["CHAIN_UNREACHABLE", "REGISTRY_CHAIN_MISMATCH", "REGISTRY_ID_MISMATCH"] }, message: { type: "string" } } },
  },
  required: ["endpoint", "ok"],
} as const;

const readinessSchema = {
  type: "object",
  properties: {
    ready: { type: "boolean", description: "Every trusted registry has at least one endpoint that answers as the trust entry says." },
    registries: {
      type: "array",
      items: {
        type: "object",
        properties: {
          name: { type: "string" },
          id: { type: ["string", "null"] },
          chainId: { type: "integer" },
          address: { type: "string" },
          ready: { type: "boolean" },
          endpoints: { type: "array", items: endpointSchema },
        },
        required: ["name", "id", "chainId", "address", "ready", "endpoints"],
      },
    },
  },
  required: ["ready", "registries"],
} as const;

/** Readiness (liveness, /healthz, is the shared HTTP base's); never rate limited. It names the region that is down and why. */
export default async function healthRoutes(app: FastifyInstance, { verifier }: { verifier: Verifier }): Promise<void> {
  app.get(
    "/readyz",
    {
      config: { rateLimit: false },
      schema: {
        tags: ["health"],
        summary: "Every trusted registry answers, on the right chain, with the right registry id",
        description:
          "Probes each registry's endpoints afresh (at most every 2 s): the node's chain id, the genesis block when the trust entry pins it, the contract's registryId() and the head block, each within the registry's deadline. 503 when any registry has no working endpoint; the body says which and why.",
        response: { 200: readinessSchema, 503: { ...readinessSchema, ...openObject } },
      },
    },
    async (_request, reply) => {
      const readiness = await verifier.readiness();
      return reply.status(readiness.ready ? 200 : 503).send(readiness);
    },
  );
}
