import type { FastifyInstance } from "fastify";
import { openObject } from "../../schemas";

const readinessSchema = {
  ...openObject,
  properties: {
    ready: { type: "boolean" },
    chain: openObject,
    anchoring: openObject,
  },
  required: ["ready", "chain", "anchoring"],
} as const;

/** Liveness and readiness probes; never rate limited, never authenticated. */
export default async function health(app: FastifyInstance): Promise<void> {
  app.get(
    "/healthz",
    {
      config: { rateLimit: false },
      schema: {
        tags: ["health"],
        summary: "The process is up",
        response: { 200: { type: "object", description: "The process is up.", properties: { status: { type: "string", enum: ["ok"] } }, required: ["status"] } },
      },
    },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/readyz",
    {
      config: { rateLimit: false },
      schema: {
        tags: ["health"],
        summary: "The chain is reachable and anchoring is not stuck",
        response: {
          200: { ...readinessSchema, description: "Ready: the chain answers and anchoring is not stuck." },
          503: { ...readinessSchema, description: "Not ready: the chain is unreachable or anchoring is stuck (see `chain` and `anchoring`)." },
        },
      },
    },
    async (_request, reply) => {
      const readiness = await app.service.readiness();
      return reply.status(readiness.ready ? 200 : 503).send(readiness);
    },
  );
}
