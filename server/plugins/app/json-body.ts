import fp from "fastify-plugin";
import { apiError } from "../../errors";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../../lib/json-depth";

/**
 * JSON bodies as fastify parses them (secure-json-parse: `__proto__` and `constructor.prototype`
 * refused), plus a nesting limit: a body nested deeper than 32 levels is a 400 JSON_TOO_DEEP
 * before any route sees it. V8's JSON.parse copes with any depth; recursive code after it does
 * not (a 20,000-deep body used to overflow the stack while hashing it for Idempotency-Key: 500).
 */
export default fp(
  async (app) => {
    const parse = app.getDefaultJsonParser("error", "error");
    app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
      parse(request, body as string, (error: Error | null, value?: unknown) => {
        if (error) return done(error, undefined);
        if (nestsDeeperThan(value, MAX_JSON_DEPTH)) return done(apiError("JSON_TOO_DEEP"), undefined);
        done(null, value);
      });
    });
  },
  { name: "certchain-json-body" },
);
