import fp from "fastify-plugin";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";

/** OpenAPI 3.1 built from the route schemas: the document at GET /openapi.json, a browsable page at /docs. */
export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: "3.1.0",
        info: {
          title: "certchain issuing API",
          description: "Issue, look up, revoke and verify government e-certificates (SD-JWT VCs anchored on an EVM chain).",
          version: "1",
        },
        components: {
          securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
        },
        tags: [
          { name: "certificates", description: "Issue and manage certificates (agency token)" },
          { name: "verification", description: "Verify a certificate, look up a pending certificate's proof (no token)" },
          { name: "notarisation", description: "Notarise document digests (notary office token)" },
          { name: "shares", description: "Encrypted share links (no account; ciphertext only)" },
          { name: "registry", description: "Certificate types and agencies" },
          { name: "admin", description: "Root authority only" },
          { name: "health", description: "Liveness and readiness" },
        ],
      },
    });
    await app.register(swaggerUi, { routePrefix: "/docs", uiConfig: { docExpansion: "list", deepLinking: true } });
    app.get("/openapi.json", { schema: { hide: true }, config: { rateLimit: false } }, async () => app.swagger());
  },
  { name: "certchain-swagger" },
);
