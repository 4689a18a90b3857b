import fp from "fastify-plugin";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { readFileSync } from "node:fs";
import path from "node:path";

const THEME = path.join(__dirname, "docs-theme");
const THEME_CSS = readFileSync(path.join(THEME, "docs.css"), "utf8");
const THEME_JS = readFileSync(path.join(THEME, "docs.js"), "utf8");

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
      // BaseLayout: no top bar (its logo, URL box and button are unlabelled, low-contrast and
      // useless here); no deep links (an <a> inside each operation's toggle button).
      uiConfig: { docExpansion: "list", deepLinking: false, layout: "BaseLayout" },
      // Overrides for axe (WCAG AA): served as files, so a CSP of 'self' covers them.
      theme: { title: `${options.title} · API`, css: [{ filename: "docs.css", content: THEME_CSS }], js: [{ filename: "docs.js", content: THEME_JS }] },
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
