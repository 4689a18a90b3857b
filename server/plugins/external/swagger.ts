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
    await app.register(swaggerUi, { routePrefix: "/docs", uiConfig: { docExpansion: "list", deepLinking: true } });
    app.get("/openapi.json", { schema: { hide: true }, config: { rateLimit: false } }, async () => app.swagger());
  },
  { name: "certchain-swagger" },
);
