import fp from "fastify-plugin";
import { apiError } from "../../errors";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../../lib/json-depth";

/** The charset a JSON body may declare (RFC 8259: JSON exchanged between systems is UTF-8). */
const charsetOf = (contentType: string | undefined): string | undefined => /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? "")?.[1].toLowerCase();

/**
 * JSON bodies as fastify parses them (secure-json-parse: `__proto__` and `constructor.prototype`
 * refused), plus a nesting limit: a body nested deeper than 32 levels is a 400 JSON_TOO_DEEP
 * before any route sees it. V8's JSON.parse copes with any depth; recursive code after it does
 * not (a 20,000-deep body used to overflow the stack while hashing it for Idempotency-Key: 500).
 * A body declaring a charset other than UTF-8 is a 415 (it used to be read as UTF-8 and issued);
 * valid JSON refused for a prototype key says so (JSON_FORBIDDEN_KEY), not "not valid JSON".
 */
export default fp(
  async (app) => {
    const parse = app.getDefaultJsonParser("error", "error");
    app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
      const charset = charsetOf(request.headers["content-type"]);
      if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") return done(apiError("UNSUPPORTED_MEDIA_TYPE", `Send application/json in UTF-8, not ${charset.slice(0, 40)}.`), undefined);
      parse(request, body as string, (error: Error | null, value?: unknown) => {
        if (error) {
          // The default parser says "not valid JSON" for both; plain JSON.parse tells them apart.
          let plainJson = false;
          try {
            JSON.parse(body as string);
            plainJson = true;
          } catch {
            // not JSON at all
          }
          return done(plainJson ? apiError("JSON_FORBIDDEN_KEY") : error, undefined);
        }
        if (nestsDeeperThan(value, MAX_JSON_DEPTH)) return done(apiError("JSON_TOO_DEEP"), undefined);
        done(null, value);
      });
    });
  },
  { name: "certchain-json-body" },
);
