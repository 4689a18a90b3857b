import { createHash } from "node:crypto";
import fp from "fastify-plugin";
import rateLimit from "@fastify/rate-limit";
import type { FastifyRequest } from "fastify";
import { apiError } from "../../errors";

export interface RateLimitOptions {
  /** Requests allowed per key and window. */
  max: number;
  timeWindowMs: number;
  /** Every route (default), or only routes that set `config: { rateLimit: {…} }`. */
  global?: boolean;
}

/**
 * The limiter's key: the caller's token when it verifies (so every agency has its own budget
 * wherever it calls from), else the client IP. Keying on the raw header would let a client
 * escape its IP budget by sending a fresh made-up token each time.
 */
async function keyOf(request: FastifyRequest): Promise<string> {
  if (request.headers.authorization && typeof request.resolvePrincipal === "function") {
    const { principal } = await request.resolvePrincipal();
    if (principal) return `token:${createHash("sha256").update(principal.tokenId).digest("base64url")}`;
  }
  return `ip:${request.ip}`;
}

/** Rate limits every route (health checks opt out with `config: { rateLimit: false }`). */
export default fp<RateLimitOptions>(
  async (app, options) => {
    await app.register(rateLimit, {
      global: options.global ?? true,
      max: options.max,
      timeWindow: options.timeWindowMs,
      keyGenerator: keyOf,
      // Thrown by the plugin, so it reaches our error handler like any other refusal.
      errorResponseBuilder: (_request, context) =>
        apiError("RATE_LIMITED", undefined, { limit: context.max, retryAfterMs: context.ttl }) as unknown as { statusCode: number },
    });
  },
  { name: "certchain-rate-limit" },
);
