import { expect } from "chai";
import { buildTestApp, bearer, exampleClaims, expectError, type TestApp } from "./support";

// Failures the framework sees before any route runs, and the error format every reply shares.
describe("HTTP: error format, body limits, request ids, OpenAPI, rate limits", function () {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(async () => t?.close());

  const POST_ROUTES = [
    { url: "/v1/certificates", token: "amr" },
    { url: "/v1/certificates/batch", token: "amr" },
    { url: "/v1/certificates/abc/revoke", token: "amr" },
    { url: "/v1/certificates/abc/suspend", token: "amr" },
    { url: "/v1/certificates/abc/reinstate", token: "amr" },
    { url: "/v1/verify", token: null },
  ] as const;

  for (const { url, token } of POST_ROUTES) {
    const headers = (extra: Record<string, string>) => ({ ...(token ? bearer(t.tokens[token]) : {}), ...extra });

    it(`POST ${url}: malformed JSON → 400 INVALID_JSON`, async () => {
      for (const payload of ["{bad", '{"type": "business-licence",', "[1,2", "nul"]) {
        const res = await t.app.inject({ method: "POST", url, headers: headers({ "content-type": "application/json" }), payload });
        expectError(res, 400, "INVALID_JSON");
      }
    });

    it(`POST ${url}: empty JSON body → 400 INVALID_JSON`, async () => {
      const res = await t.app.inject({ method: "POST", url, headers: headers({ "content-type": "application/json" }), payload: "" });
      expectError(res, 400, "INVALID_JSON");
    });

    it(`POST ${url}: JSON that is not an object → 400 VALIDATION_FAILED`, async () => {
      for (const payload of ["[]", "42", '"text"', "null"]) {
        const res = await t.app.inject({ method: "POST", url, headers: headers({ "content-type": "application/json" }), payload });
        const error = expectError(res, 400, "VALIDATION_FAILED");
        expect(error.details).to.be.an("array").that.is.not.empty;
      }
    });

    it(`POST ${url}: a content type other than JSON → 415 UNSUPPORTED_MEDIA_TYPE`, async () => {
      for (const type of ["text/plain", "application/xml", "application/x-www-form-urlencoded"]) {
        const res = await t.app.inject({ method: "POST", url, headers: headers({ "content-type": type }), payload: "type=business-licence" });
        expectError(res, 415, "UNSUPPORTED_MEDIA_TYPE");
      }
    });

    it(`POST ${url}: __proto__ in the body is refused, not merged`, async () => {
      const res = await t.app.inject({ method: "POST", url, headers: headers({ "content-type": "application/json" }), payload: '{"__proto__": {"admin": true}}' });
      expect(res.statusCode).to.equal(400);
      expect(["JSON_FORBIDDEN_KEY", "VALIDATION_FAILED"]).to.include(res.json().error.code);
    });
  }

  it("oversize bodies → 413 PAYLOAD_TOO_LARGE (single issue: 256 KiB; verify: 1 MiB; batch: the app limit)", async () => {
    const big = { type: "business-licence", claims: { ...exampleClaims("business-licence"), business_scope: "经".repeat(100_000) } };
    expectError(await t.app.inject({ method: "POST", url: "/v1/certificates", headers: bearer(t.tokens.amr), payload: big }), 413, "PAYLOAD_TOO_LARGE");
    expectError(await t.app.inject({ method: "POST", url: "/v1/verify", payload: { envelope: "x".repeat(1_100_000) } }), 413, "PAYLOAD_TOO_LARGE");
    expectError(
      await t.app.inject({ method: "POST", url: "/v1/certificates/abc/revoke", headers: bearer(t.tokens.amr), payload: { reason: 1, pad: "x".repeat(10_000) } }),
      413,
      "PAYLOAD_TOO_LARGE",
    );
    const small = await t.appWith({ rateLimit: false, bodyLimit: 64 * 1024 });
    const items = Array.from({ length: 100 }, () => ({ type: "business-licence", claims: exampleClaims("business-licence") }));
    expectError(await small.inject({ method: "POST", url: "/v1/certificates/batch", headers: bearer(t.tokens.amr), payload: { items } }), 413, "PAYLOAD_TOO_LARGE");
  });

  it("unknown routes and wrong methods → 404 NOT_FOUND in our format", async () => {
    const cases = [
      { method: "GET", url: "/nope" },
      { method: "GET", url: "/v1" },
      { method: "GET", url: "/v2/certificates" },
      { method: "DELETE", url: "/v1/types" },
      { method: "PUT", url: "/v1/certificates" },
      { method: "GET", url: "/v1/certificates" },
      { method: "GET", url: "/v1/verify" },
      { method: "PATCH", url: "/v1/certificates/abc" },
      { method: "GET", url: "/v1/certificates/abc/revoke" },
    ] as const;
    for (const c of cases) {
      const res = await t.app.inject({ ...c, headers: bearer(t.tokens.amr) });
      expectError(res, 404, "NOT_FOUND");
      expect(res.headers["x-request-id"]).to.be.a("string");
    }
  });

  it("every reply carries an x-request-id: a fresh UUID, or the caller's when it is a sane token", async () => {
    const fresh = await t.app.inject({ method: "GET", url: "/healthz" });
    expect(fresh.headers["x-request-id"]).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const other = await t.app.inject({ method: "GET", url: "/healthz" });
    expect(other.headers["x-request-id"]).to.not.equal(fresh.headers["x-request-id"]);

    const honoured = await t.app.inject({ method: "GET", url: "/v1/types", headers: { "x-request-id": "caller-req.42:a_b" } });
    expect(honoured.headers["x-request-id"]).to.equal("caller-req.42:a_b");

    for (const insane of ["has space", "x".repeat(200), "<script>", "a\tb"]) {
      const res = await t.app.inject({ method: "GET", url: "/healthz", headers: { "x-request-id": insane } });
      expect(res.headers["x-request-id"]).to.not.equal(insane);
      expect(res.headers["x-request-id"]).to.match(/^[0-9a-f-]{36}$/);
    }

    const failed = await t.app.inject({ method: "POST", url: "/v1/certificates", headers: { "x-request-id": "err-1" } });
    expectError(failed, 401, "AUTH_MISSING");
    expect(failed.headers["x-request-id"]).to.equal("err-1");
  });

  it("a fault of the service → 500 INTERNAL with a fixed message, never its text", async () => {
    const broken = Object.create(t.service);
    broken.types = () => {
      throw new Error("database password is hunter2");
    };
    broken.agencies = async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'secret')");
    };
    const { buildApp } = await import("../../../server/app");
    const app = await buildApp(broken, { rateLimit: false });
    try {
      for (const url of ["/v1/types", "/v1/agencies"]) {
        const res = await app.inject({ method: "GET", url });
        const error = expectError(res, 500, "INTERNAL");
        expect(error.message).to.equal("Internal error.");
        expect(res.body).to.not.match(/hunter2|secret|Cannot read/);
        expect(error).to.not.have.property("details");
      }
    } finally {
      await app.close();
    }
  });

  describe("OpenAPI", () => {
    it("GET /openapi.json is an OpenAPI 3.1 document with every route, its schemas and bearer auth", async () => {
      const res = await t.app.inject({ method: "GET", url: "/openapi.json" });
      expect(res.statusCode).to.equal(200);
      expect(res.headers["content-type"]).to.match(/^application\/json/);
      const doc = JSON.parse(res.body);
      expect(doc.openapi).to.equal("3.1.0");
      const paths = Object.keys(doc.paths);
      for (const p of [
        "/v1/certificates/",
        "/v1/certificates/batch",
        "/v1/certificates/{id}",
        "/v1/certificates/{id}/revoke",
        "/v1/certificates/{id}/suspend",
        "/v1/certificates/{id}/reinstate",
        "/v1/verify/",
        "/v1/types/",
        "/v1/agencies/",
        "/v1/agencies/{slug}/keys/rotate",
        "/v1/audit/",
        "/healthz",
        "/readyz",
      ]) {
        expect(paths.map((x) => x.replace(/\/$/, "")), p).to.include(p.replace(/\/$/, ""));
      }
      expect(paths).to.not.include("/openapi.json");
      const issue = doc.paths["/v1/certificates/"] ?? doc.paths["/v1/certificates"];
      expect(issue.post.requestBody.content["application/json"].schema.required).to.deep.equal(["type", "claims"]);
      expect(issue.post.security).to.deep.equal([{ bearerAuth: [] }]);
      expect(issue.post.parameters.some((p: any) => p.name === "idempotency-key" && p.in === "header")).to.equal(true);
      expect(doc.components.securitySchemes.bearerAuth.scheme).to.equal("bearer");
      const verify = doc.paths["/v1/verify/"] ?? doc.paths["/v1/verify"];
      expect(verify.post.security).to.equal(undefined);
    });

    it("GET /docs serves the browsable page", async () => {
      const res = await t.app.inject({ method: "GET", url: "/docs" });
      expect([200, 302]).to.include(res.statusCode);
      const page = res.statusCode === 302 ? await t.app.inject({ method: "GET", url: res.headers.location as string }) : res;
      expect(page.statusCode).to.equal(200);
      expect(page.body).to.match(/swagger/i);
    });
  });

  describe("rate limits", () => {
    it("per token: the fourth call in the window → 429 RATE_LIMITED in our format, other tokens unaffected", async () => {
      const app = await t.appWith({ rateLimit: { max: 3, timeWindowMs: 60_000 } });
      const call = (token?: string) => app.inject({ method: "GET", url: "/v1/types", headers: token ? bearer(token) : {} });
      for (let i = 0; i < 3; i++) expect((await call(t.tokens.amr)).statusCode).to.equal(200);
      const limited = await call(t.tokens.amr);
      const error = expectError(limited, 429, "RATE_LIMITED");
      expect(error.details).to.be.an("array").with.length(1);
      expect(error.details[0].limit).to.equal(3);
      expect(Number(limited.headers["retry-after"])).to.be.greaterThan(0);
      expect(limited.headers["x-request-id"]).to.be.a("string");

      expect((await call(t.tokens.mca)).statusCode).to.equal(200);
      expect((await call()).statusCode).to.equal(200);
      // health checks are never limited
      for (let i = 0; i < 5; i++) expect((await app.inject({ method: "GET", url: "/healthz", headers: bearer(t.tokens.amr) })).statusCode).to.equal(200);
    });

    it("unauthenticated callers share their IP's budget, whatever made-up token they send", async () => {
      const app = await t.appWith({ rateLimit: { max: 2, timeWindowMs: 60_000 } });
      const forged = (n: number) => ({ authorization: `Bearer ${"x".repeat(n)}.y.z` });
      expect((await app.inject({ method: "POST", url: "/v1/verify", payload: { envelope: "a" } })).statusCode).to.equal(200);
      expectError(await app.inject({ method: "GET", url: "/v1/certificates/abc", headers: forged(1) }), 401, "AUTH_INVALID");
      expectError(await app.inject({ method: "GET", url: "/v1/certificates/abc", headers: forged(2) }), 429, "RATE_LIMITED");
      expectError(await app.inject({ method: "POST", url: "/v1/verify", payload: { envelope: "a" } }), 429, "RATE_LIMITED");
      // a real token has its own budget
      expect((await app.inject({ method: "GET", url: "/v1/types", headers: bearer(t.tokens.root) })).statusCode).to.equal(200);
    });
  });
});
