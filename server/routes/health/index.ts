import type { FastifyInstance } from "fastify";
import { openObject } from "../../schemas";

const readinessSchema = {
  ...openObject,
  properties: {
    ready: { type: "boolean" },
    code: { type: "string", enum: ["CHAIN_UNAVAILABLE", "CHAIN_STATE_MISMATCH", "ANCHORING_STUCK"], description: "Why not ready (absent when ready)." },
    chain: {
      ...openObject,
      description: "phase: starting | replaying | restarting | ready | unreachable | mismatch; detail says why not ready and the way out.",
    },
    anchoring: openObject,
    audit: { ...openObject, description: "Every settled anchored root checked against the registry: rootsChecked (pass under way), rootsInLastFullPass, lastFullPassAt, missing (CHAIN_STATE_MISMATCH)." },
    reorgs: { ...openObject, description: "Reorganisations followed within REORG_WINDOW: anchors followed, dropped (sent again) and moved since the start." },
  },
  required: ["ready", "chain", "anchoring"],
} as const;

/** The readiness probe (liveness, /healthz, is the shared HTTP base's); never rate limited, never authenticated. */
export default async function health(app: FastifyInstance): Promise<void> {
  app.get(
    "/readyz",
    {
      config: { rateLimit: false },
      schema: {
        tags: ["health"],
        summary: "The chain is ready (reachable, ours) and anchoring is not stuck",
        response: {
          200: { ...readinessSchema, description: "Ready: the chain answers, is the one the certificates are anchored on, and anchoring is not stuck." },
          503: { ...readinessSchema, description: "Not ready: `code` says why (CHAIN_UNAVAILABLE, CHAIN_STATE_MISMATCH, ANCHORING_STUCK); see `chain` (phase, detail) and `anchoring`." },
        },
      },
    },
    async (_request, reply) => {
      const readiness = await app.service.readiness();
      return reply.status(readiness.ready ? 200 : 503).send(readiness);
    },
  );
}
