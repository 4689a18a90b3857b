import fp from "fastify-plugin";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";

/** What the OpenAPI document says about the app it describes. */
export interface SwaggerOptions {
  title: string;
  description: string;
  tags: { name: string; description: string }[];
  /** Whether routes may declare the bearer-token security scheme. */
  bearerAuth?: boolean;
}

/** OpenAPI 3.1 built from the route schemas: the document at GET /openapi.json, a browsable page at /docs. */
export default fp<SwaggerOptions>(
  async (app, options) => {
    await app.register(swagger, {
      openapi: {
        openapi: "3.1.0",
        info: { title: options.title, description: options.description, version: "1" },
        ...(options.bearerAuth ? { components: { securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } } } : {}),
        tags: options.tags,
      },
    });
    // The pages' headers on /docs too: its own scripts and styles only (hashes for its inline
    // ones), no framing by anyone, no sniffing, no referrer.
    await app.register(swaggerUi, {
      routePrefix: "/docs",
      uiConfig: { docExpansion: "list", deepLinking: true },
      staticCSP: true,
      transformStaticCSP: (header: string) => `${header.replace(/frame-ancestors [^;]*;/, "frame-ancestors 'none';").replace(/ validator\.swagger\.io/, "").replace(/ upgrade-insecure-requests;/, "")} form-action 'self';`,
      uiHooks: {
        onRequest: (_request, reply, done) => {
          reply.header("x-frame-options", "DENY").header("x-content-type-options", "nosniff").header("referrer-policy", "no-referrer").header("cross-origin-opener-policy", "same-origin");
          done();
        },
      },
    });
    app.get("/openapi.json", { schema: { hide: true }, config: { rateLimit: false } }, async () => app.swagger());
  },
  { name: "certchain-swagger" },
);
