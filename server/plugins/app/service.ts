import fp from "fastify-plugin";
import type { IssuingService } from "../../service/issuing-service";

declare module "fastify" {
  interface FastifyInstance {
    /** The issuing service the routes translate HTTP into (server/service/issuing-service.ts). */
    service: IssuingService;
  }
}

/** Exposes the issuing service to routes; the app does not own it, so it is not closed here. */
export default fp<{ service: IssuingService }>(
  async (app, { service }) => {
    app.decorate("service", service);
  },
  { name: "certchain-service" },
);
