import { readFileSync } from "node:fs";
import path from "node:path";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Hex } from "@certchain/sdk";
import { WEB_DIR, webAssets, type BundleName } from "../web/build";

export interface PagesRoutesOptions {
  /** The registry the pages verify against (the one this service anchors on). */
  registry: { chainId: number; address: Hex | string; name: string };
  /** The read-only JSON-RPC proxy the pages use, as the browser sees it. Default "/rpc". */
  rpcUrl?: string;
}

/**
 * The pages' policy: their own origin only, no inline scripts or styles anywhere, and no
 * 'unsafe-eval' (the SDK's schema check interprets JSON Schemas; nothing compiles them to code).
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const PAGES = { wallet: "wallet.html", share: "share.html", verify: "verify.html" } as const;
const BUNDLE = /^(wallet|share|verify|sw)\.bundle\.js$/;

/**
 * Who may use powerful features: nobody, except /verify's own origin for the camera (scanning a
 * printout's QR code). Share pages and the wallet never get it.
 */
export const PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=()";
export const VERIFY_PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), payment=()";

function pageHeaders(reply: FastifyReply, permissions: string = PERMISSIONS_POLICY): FastifyReply {
  return reply
    .header("content-security-policy", PAGE_CSP)
    .header("x-content-type-options", "nosniff")
    .header("x-frame-options", "DENY")
    // A share page's URL holds the share id; its fragment (the key) is never sent anyway.
    .header("referrer-policy", "no-referrer")
    .header("cross-origin-opener-policy", "same-origin")
    .header("permissions-policy", permissions)
    .header("cache-control", "no-cache");
}

/**
 * The holder's and verifier's pages: `GET /wallet`, `GET /s/:id` (a share link), `GET /verify`,
 * their scripts `GET /assets/<name>.bundle.js` (bundled with esbuild from server/web/src on
 * first use), `GET /assets/styles.css`, the service worker `GET /sw.js` and
 * `GET /web-config.json` (the registry the pages verify against, and the RPC proxy's path).
 * Register without a prefix, next to `rpcProxyRoutes` and `sharesRoutes`.
 *
 * @example
 * await app.register(pagesRoutes, { registry: { chainId: 31337, address, name: "本地开发链" } });
 */
export async function pagesRoutes(app: FastifyInstance, options: PagesRoutesOptions): Promise<void> {
  const html = Object.fromEntries(Object.entries(PAGES).map(([name, file]) => [name, readFileSync(path.join(WEB_DIR, "pages", file), "utf8")])) as Record<keyof typeof PAGES, string>;
  const styles = readFileSync(path.join(WEB_DIR, "styles.css"));
  const webConfig = {
    chainId: options.registry.chainId,
    address: options.registry.address,
    name: options.registry.name,
    rpcUrl: options.rpcUrl ?? "/rpc",
    // Where people reach this service (PUBLIC_URL): a printout names its verify page.
    publicUrl: app.service.publicUrl,
  };

  // Start bundling now, so the first visitor does not wait; a failure is reported when a bundle is asked for.
  webAssets().catch((error: unknown) => app.log.warn({ err: error }, "building the web pages' scripts failed"));

  const page = (name: keyof typeof PAGES) => async (_request: unknown, reply: FastifyReply) =>
    pageHeaders(reply, name === "verify" ? VERIFY_PERMISSIONS_POLICY : PERMISSIONS_POLICY).type("text/html; charset=utf-8").send(html[name]);

  const hidden = { schema: { hide: true } } as const;
  app.get("/wallet", hidden, page("wallet"));
  app.get("/verify", hidden, page("verify"));
  app.get<{ Params: { id: string } }>("/s/:id", hidden, page("share"));

  // Types added through the API, every version: the SDK in the page uses a document only if the
  // registry holds its hash (the built-in ones ship inside the SDK).
  app.get("/web-config.json", hidden, async (_request, reply) =>
    reply.header("cache-control", "no-cache").send({ ...webConfig, types: app.service.typeVersions().filter((t) => !t.builtIn).map((t) => t.metadata) }),
  );

  app.get("/assets/styles.css", hidden, async (_request, reply) =>
    reply.header("cache-control", "no-cache").header("x-content-type-options", "nosniff").type("text/css; charset=utf-8").send(styles),
  );

  const sendBundle = async (name: BundleName, reply: FastifyReply) => {
    const assets = await webAssets();
    return reply
      .header("cache-control", "no-cache")
      .header("x-content-type-options", "nosniff")
      .type("application/javascript; charset=utf-8")
      .send(assets.get(`${name}.bundle.js`));
  };

  app.get<{ Params: { file: string } }>("/assets/:file", hidden, async (request, reply) => {
    const match = BUNDLE.exec(request.params.file);
    if (!match) return reply.callNotFound();
    return sendBundle(match[1] as BundleName, reply);
  });

  // At the root, so the worker may look after /wallet and /verify.
  app.get("/sw.js", hidden, async (_request, reply) => sendBundle("sw", reply));
}

export default pagesRoutes;
