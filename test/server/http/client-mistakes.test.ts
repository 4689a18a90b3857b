import { expect } from "chai";
import fc from "fast-check";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import type { Service } from "../../../server/service/create-service";
import { createShareStore } from "../../../server/store/share-store";
import { buildTestApp, bearer, exampleClaims, expectError, type TestApp } from "./support";
import { derivedCreditCode } from "../../../server/service/identifiers";

/** Names that live on Object.prototype: a lookup by a request's name must never find them. */
const PROTOTYPE_NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf", "prototype", "tostring", "valueof"];

/** `[[…]]` nested `depth` levels deep, written as text (JSON.stringify recurses and cannot). */
const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

/** Any refusal is a 4xx in our shape; anything else fails the test with the reply in the message. */
function expectClientError(res: LightMyRequestResponse, what: string): { code: string; message: string } {
  expect(res.statusCode, `${what}: ${res.body}`).to.be.within(400, 499);
  const body = res.json();
  expect(body.error?.code, `${what}: ${res.body}`).to.be.a("string");
  expect(body.error.message, what).to.be.a("string").that.is.not.empty;
  return body.error;
}

describe("HTTP: client mistakes are 4xx, never 5xx", function () {
  this.timeout(120_000);
  let t: TestApp;
  let app: FastifyInstance;

  before(async () => {
    t = await buildTestApp();
    const shares = createShareStore((t.service as Service).db.sublevel("shares"));
    app = await t.appWith({ rateLimit: false, shares, web: { registry: { chainId: 31337, address: t.registry, name: "test" }, upstreamRpcUrl: "http://127.0.0.1:9" } });
  });
  after(async () => t?.close());

  describe("deeply nested JSON", () => {
    const claims = JSON.stringify(exampleClaims("business-licence"));
    // The claims get one extra member holding the nesting: the body is `depth + 2` levels deep.
    const single = (depth: number) => `{"type":"business-licence","claims":${claims.slice(0, -1)},"extra":${nested(depth)}}}`;
    const batch = (depth: number) => `{"items":[${single(depth)}]}`;

    for (const [url, body] of [["/v1/certificates", single], ["/v1/certificates/batch", batch]] as const) {
      it(`POST ${url}: 20,000 levels → 400 JSON_TOO_DEEP, with or without an Idempotency-Key (it was a 500 with one)`, async () => {
        for (const key of ["deep-1", undefined]) {
          const headers = { ...bearer(t.tokens.amr), "content-type": "application/json", ...(key ? { "idempotency-key": `${key}${url}` } : {}) };
          const res = await app.inject({ method: "POST", url, headers, payload: body(20_000) });
          expectError(res, 400, "JSON_TOO_DEEP");
        }
      });
    }

    it("32 levels pass the parser and are judged by the route (the claims do not fit the type: 422)", async () => {
      const headers = { ...bearer(t.tokens.amr), "content-type": "application/json", "idempotency-key": "at-the-limit" };
      const atLimit = await app.inject({ method: "POST", url: "/v1/certificates", headers, payload: single(30) });
      expectError(atLimit, 422, "CLAIMS_INVALID");
      expectError(await app.inject({ method: "POST", url: "/v1/certificates", headers, payload: single(31) }), 400, "JSON_TOO_DEEP");
      const inBatch = await app.inject({ method: "POST", url: "/v1/certificates/batch", headers: { ...headers, "idempotency-key": "batch-at-the-limit" }, payload: batch(28) });
      expect(inBatch.statusCode, inBatch.body).to.equal(200);
      expect(inBatch.json().results[0].error.code).to.equal("CLAIMS_INVALID");
    });

    it("every JSON route refuses it the same way", async () => {
      for (const url of ["/v1/verify", "/v1/agencies", "/v1/notarisations", "/v1/shares", "/v1/certificates/abc/revoke"]) {
        const res = await app.inject({ method: "POST", url, headers: { ...bearer(t.tokens.root), "content-type": "application/json" }, payload: `{"x":${nested(50)}}` });
        expectError(res, 400, "JSON_TOO_DEEP");
      }
      expectError(await app.inject({ method: "POST", url: "/v1/verify", headers: { "content-type": "application/json" }, payload: `{"envelope":${nested(40)}}` }), 400, "JSON_TOO_DEEP");
    });
  });

  describe("POST /v1/agencies", () => {
    const register = (body: { slug: string; name: string; types: string[] }) =>
      app.inject({ method: "POST", url: "/v1/agencies", headers: bearer(t.tokens.root), payload: { creditCode: derivedCreditCode(body.slug), ...body } });

    it("a name that cannot be written to the chain → 400 VALIDATION_FAILED naming body/name (a lone surrogate was a 503)", async () => {
      const names = ["上海市\ud800局", "\udc00", "a\u0000b", "tab\there", "line\nbreak", "\u009f", "😀".repeat(65)];
      for (const [i, name] of names.entries()) {
        const error = expectError(await register({ slug: `bad-name-${i}`, name, types: ["business-licence"] }), 400, "VALIDATION_FAILED");
        expect(error.details.map((d: { path: string }) => d.path), JSON.stringify(name)).to.include("body/name");
      }
      const listed = (await app.inject({ method: "GET", url: "/v1/agencies" })).json() as { slug: string }[];
      expect(listed.map((a) => a.slug).filter((s) => s.startsWith("bad-name-"))).to.deep.equal([]);
    });

    it("names the chain can hold are fine: astral characters (a surrogate pair), 80 CJK characters", async () => {
      const ok = await register({ slug: "astral-name", name: "𠀋𡈽𡌛 公证处", types: ["notarisation-receipt"] });
      expect(ok.statusCode, ok.body).to.equal(201);
      expect(ok.json().name).to.equal("𠀋𡈽𡌛 公证处");
      const long = await register({ slug: "long-name", name: "局".repeat(80), types: ["notarisation-receipt"] });
      expect(long.statusCode, long.body).to.equal(201);
    });

    it("concurrent registrations of one slug: one 201, the others 409 AGENCY_EXISTS (they were 503)", async () => {
      const replies = await Promise.all(Array.from({ length: 4 }, () => register({ slug: "raced-agency", name: "并发登记", types: ["business-licence"] })));
      expect(replies.filter((r) => r.statusCode === 201)).to.have.length(1);
      for (const r of replies.filter((r) => r.statusCode !== 201)) expectError(r, 409, "AGENCY_EXISTS");
    });
  });

  describe("names from requests never reach Object.prototype", () => {
    it("POST /v1/agencies/<name>/keys/rotate → 404 AGENCY_NOT_FOUND or 400 (constructor was a 503)", async () => {
      for (const name of PROTOTYPE_NAMES) {
        const res = await app.inject({ method: "POST", url: `/v1/agencies/${encodeURIComponent(name)}/keys/rotate`, headers: bearer(t.tokens.root) });
        const error = expectClientError(res, name);
        expect(error.code, name).to.be.oneOf(["AGENCY_NOT_FOUND", "VALIDATION_FAILED"]);
      }
      // The service itself, without the route's schema in front of it.
      for (const name of PROTOTYPE_NAMES) {
        const error = await t.service.rotateKey({ kind: "root", subject: "t", tokenId: "t" }, name, { requestId: "r" }).then(() => undefined, (e) => e);
        expect(error?.code, name).to.equal("AGENCY_NOT_FOUND");
      }
    });

    it("type ids, agency slugs and type lists in bodies", async () => {
      for (const name of PROTOTYPE_NAMES) {
        const issue = await app.inject({ method: "POST", url: "/v1/certificates", headers: bearer(t.tokens.amr), payload: { type: name, claims: exampleClaims("business-licence") } });
        expect(expectClientError(issue, `issue type ${name}`).code).to.be.oneOf(["CERT_TYPE_UNKNOWN", "VALIDATION_FAILED"]);

        const batch = await app.inject({ method: "POST", url: "/v1/certificates/batch", headers: bearer(t.tokens.amr), payload: { items: [{ type: name, claims: {} }] } });
        expect(batch.statusCode, batch.body).to.equal(200);
        expect(batch.json().results[0].error.code, name).to.be.oneOf(["CERT_TYPE_UNKNOWN", "VALIDATION_FAILED"]);

        const types = await app.inject({ method: "POST", url: "/v1/agencies", headers: bearer(t.tokens.root), payload: { slug: "proto-types", name: "x", creditCode: derivedCreditCode("proto-types"), types: [name] } });
        expect(expectClientError(types, `agency types ${name}`).code).to.be.oneOf(["CERT_TYPE_UNKNOWN", "VALIDATION_FAILED"]);

        const withClaim = await app.inject({
          method: "POST",
          url: "/v1/certificates",
          headers: { ...bearer(t.tokens.amr), "content-type": "application/json" },
          payload: JSON.stringify({ type: "business-licence", claims: { ...exampleClaims("business-licence"), [name]: "x" } }),
        });
        expect(expectClientError(withClaim, `claim ${name}`).code).to.be.oneOf(["CLAIMS_INVALID", "JSON_FORBIDDEN_KEY"]);
      }
    });

    it("a prototype name as a new agency's slug is just a slug", async () => {
      const res = await app.inject({
        method: "POST",
        url: "/v1/agencies",
        headers: bearer(t.tokens.root),
        payload: { slug: "valueof", name: "名为 valueof 的机构", creditCode: derivedCreditCode("valueof"), types: ["notarisation-receipt"] },
      });
      expect(res.statusCode, res.body).to.equal(201);
      expect(res.json().slug).to.equal("valueof");
      // The node serves the agencies it registers: rotating its key is its own key, not a prototype's.
      const rotated = await app.inject({ method: "POST", url: "/v1/agencies/valueof/keys/rotate", headers: bearer(t.tokens.root) });
      expect(rotated.statusCode, rotated.body).to.equal(200);
      expect((await app.inject({ method: "GET", url: "/v1/agencies/valueof" })).json().service.state).to.equal("active");
    });

    it("certificate ids, share ids, actions, RPC methods, asset names, idempotency keys and tokens", async () => {
      for (const name of PROTOTYPE_NAMES) {
        const id = encodeURIComponent(name);
        expect(expectClientError(await app.inject({ method: "GET", url: `/v1/certificates/${id}`, headers: bearer(t.tokens.amr) }), name).code).to.be.oneOf(["CERT_NOT_FOUND", "VALIDATION_FAILED"]);
        for (const action of ["revoke", "suspend", "reinstate"]) {
          const res = await app.inject({ method: "POST", url: `/v1/certificates/${id}/${action}`, headers: bearer(t.tokens.amr), payload: { reason: 1 } });
          expect(expectClientError(res, `${action} ${name}`).code).to.be.oneOf(["CERT_NOT_FOUND", "VALIDATION_FAILED"]);
        }
        expectError(await app.inject({ method: "POST", url: `/v1/certificates/abc/${id}`, headers: bearer(t.tokens.amr), payload: { reason: 1 } }), 404, "NOT_FOUND");
        expect(expectClientError(await app.inject({ method: "GET", url: `/v1/shares/${id}` }), `share ${name}`).code).to.be.oneOf(["SHARE_NOT_FOUND", "VALIDATION_FAILED"]);
        const withdraw = await app.inject({ method: "DELETE", url: `/v1/shares/${id}`, headers: { authorization: `Bearer ${"a".repeat(43)}` } });
        expect(expectClientError(withdraw, `withdraw ${name}`).code).to.be.oneOf(["SHARE_NOT_FOUND", "VALIDATION_FAILED"]);
        expectError(await app.inject({ method: "GET", url: `/assets/${id}` }), 404, "NOT_FOUND");
        expectError(await app.inject({ method: "GET", url: `/v1/audit?after=${id}`, headers: bearer(t.tokens.root) }), 400, "VALIDATION_FAILED");
        expectError(await app.inject({ method: "GET", url: "/v1/certificates/x", headers: { authorization: `Bearer ${name}` } }), 401, "AUTH_INVALID");

        const rpc = await app.inject({ method: "POST", url: "/rpc", payload: { jsonrpc: "2.0", id: 1, method: name, params: [] } });
        expect(rpc.statusCode).to.equal(200);
        expect(rpc.json().error.code, name).to.equal(-32601);

        const verdict = await app.inject({ method: "POST", url: "/v1/verify", payload: { envelope: { format: name, version: 1, credential: name, anchor: { [name]: name } } } });
        // A "__proto__" member is refused by the JSON parser itself; anything else is a verdict.
        if (name === "__proto__") expectError(verdict, 400, "JSON_FORBIDDEN_KEY");
        else {
          expect(verdict.statusCode, verdict.body).to.equal(200);
          expect(verdict.json().verdict).to.equal("invalid");
        }

        const keyed = await app.inject({ method: "POST", url: "/v1/certificates", headers: { ...bearer(t.tokens.amr), "idempotency-key": name }, payload: { type: "business-licence", claims: { company_name: 1 } } });
        expectError(keyed, 422, "CLAIMS_INVALID");
      }
    });

    it("the service's status change refuses an action that is not one", async () => {
      for (const name of PROTOTYPE_NAMES) {
        const error = await t.service
          .changeStatus({ kind: "agency", agency: "sh-amr", types: ["business-licence"], subject: "t", tokenId: "t" }, "abc", name as never, 1, { requestId: "r" })
          .then(() => undefined, (e) => e);
        expect(error?.code, name).to.equal("BAD_REQUEST");
      }
    });
  });

  describe("property: whatever JSON a client sends, the answer is never a 5xx", () => {
    const anything = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.string(),
      fc.record({ type: fc.oneof(fc.constantFrom("business-licence", "marriage-certificate", ...PROTOTYPE_NAMES), fc.string()), claims: fc.jsonValue({ maxDepth: 3 }), validFrom: fc.jsonValue({ maxDepth: 1 }), validUntil: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] }),
      fc.record({ slug: fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES, "sh-amr"), fc.string()), name: fc.string(), creditCode: fc.string(), types: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] }),
      fc.record({ envelope: fc.jsonValue({ maxDepth: 4 }), reason: fc.jsonValue({ maxDepth: 1 }), digest: fc.jsonValue({ maxDepth: 1 }), ciphertext: fc.string(), expiresAt: fc.string(), items: fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 4 }) }, { requiredKeys: [] }),
    );
    const routes = [
      { url: "/v1/certificates", token: "amr" },
      { url: "/v1/certificates/batch", token: "amr" },
      { url: "/v1/certificates/0mx01x16p6iOFKpW3ywHi280r/revoke", token: "amr" },
      { url: "/v1/agencies", token: "root" },
      { url: "/v1/agencies/sh-amr/keys/rotate", token: "mca" },
      { url: "/v1/notarisations", token: "amr" },
      { url: "/v1/verify", token: null },
      { url: "/v1/shares", token: null },
      { url: "/rpc", token: null },
    ] as const;

    for (const { url, token } of routes) {
      it(`POST ${url}`, async () => {
        await fc.assert(
          fc.asyncProperty(anything, fc.option(fc.string({ maxLength: 20 }), { nil: undefined }), async (body, idempotencyKey) => {
            const headers: Record<string, string> = { "content-type": "application/json", ...(token ? bearer(t.tokens[token]) : {}) };
            if (idempotencyKey !== undefined) headers["idempotency-key"] = idempotencyKey;
            const res = await app.inject({ method: "POST", url, headers, payload: JSON.stringify(body) ?? "null" });
            expect(res.statusCode, `${JSON.stringify(body)}: ${res.body}`).to.be.below(500);
          }),
          { numRuns: 150 },
        );
      });
    }
  });
});
