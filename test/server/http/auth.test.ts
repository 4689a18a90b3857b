import { expect } from "chai";
import { SignJWT, UnsecuredJWT } from "jose";
import { buildTestApp, bearer, mintToken, exampleClaims, expectError, waitForStatus, type TestApp } from "./support";

describe("HTTP: bearer-token auth", function () {
  let t: TestApp;
  let amrCertificate: string;
  before(async () => {
    t = await buildTestApp();
    const res = await t.app.inject({ method: "POST", url: "/v1/certificates", headers: bearer(t.tokens.amr), payload: { type: "business-licence", claims: exampleClaims("business-licence") } });
    expect(res.statusCode, res.body).to.equal(201);
    amrCertificate = res.json().id;
    await waitForStatus(t.app, t.tokens.amr, amrCertificate, "anchored");
  });
  after(async () => t?.close());

  const PROTECTED = () => [
    { method: "POST", url: "/v1/certificates", payload: { type: "business-licence", claims: exampleClaims("business-licence") } },
    { method: "POST", url: "/v1/certificates/batch", payload: { items: [{ type: "business-licence", claims: exampleClaims("business-licence") }] } },
    { method: "GET", url: `/v1/certificates/${amrCertificate}` },
    { method: "POST", url: `/v1/certificates/${amrCertificate}/revoke`, payload: { reason: 1 } },
    { method: "POST", url: `/v1/certificates/${amrCertificate}/suspend`, payload: { reason: 1 } },
    { method: "POST", url: `/v1/certificates/${amrCertificate}/reinstate`, payload: { reason: 0 } },
    { method: "GET", url: "/v1/audit" },
    { method: "POST", url: "/v1/agencies/sh-amr/keys/rotate" },
    { method: "GET", url: "/v1/tokens/self" },
  ] as const;

  async function tamperedTokens(): Promise<Record<string, string>> {
    const [header, payload, signature] = t.tokens.amr.split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const elevated = Buffer.from(JSON.stringify({ ...claims, kind: "root" })).toString("base64url");
    const flipped = signature.slice(0, -2) + (signature.at(-2) === "A" ? "B" : "A") + signature.at(-1);
    return {
      "a flipped signature": `${header}.${payload}.${flipped}`,
      "a payload altered after signing": `${header}.${elevated}.${signature}`,
      "another secret": await new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(new Uint8Array(32).fill(7)),
      "alg none": new UnsecuredJWT({ ...claims, kind: "root" }).encode(),
      "no signature": `${header}.${payload}.`,
      "garbage": "not-a-jwt",
    };
  }

  it("no token → 401 AUTH_MISSING on every protected route", async () => {
    for (const route of PROTECTED()) expectError(await t.app.inject(route), 401, "AUTH_MISSING");
  });

  it("a header that is not `Bearer <token>` → 401 AUTH_INVALID", async () => {
    for (const authorization of ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", `bearer${t.tokens.amr}`, `Token ${t.tokens.amr}`, `Bearer ${t.tokens.amr} extra`]) {
      for (const route of PROTECTED()) expectError(await t.app.inject({ ...route, headers: { authorization } }), 401, "AUTH_INVALID");
    }
  });

  it("forged tokens → 401 AUTH_INVALID with a fixed message", async () => {
    for (const [how, token] of Object.entries(await tamperedTokens())) {
      for (const route of PROTECTED()) {
        const error = expectError(await t.app.inject({ ...route, headers: bearer(token) }), 401, "AUTH_INVALID");
        expect(error.message, how).to.equal("The bearer token is invalid.");
      }
    }
  });

  it("an expired token → 401 AUTH_EXPIRED", async () => {
    const expired = await mintToken(t.service, { kind: "agency", agency: "sh-amr", types: ["business-licence"], subject: "old" }, -60);
    const expiredRoot = await mintToken(t.service, { kind: "root", subject: "old-root" }, -60);
    for (const route of PROTECTED()) {
      expectError(await t.app.inject({ ...route, headers: bearer(expired) }), 401, "AUTH_EXPIRED");
      expectError(await t.app.inject({ ...route, headers: bearer(expiredRoot) }), 401, "AUTH_EXPIRED");
    }
  });

  it("auth is checked before the body is parsed: no token + malformed JSON → 401, not 400", async () => {
    const res = await t.app.inject({ method: "POST", url: "/v1/certificates", headers: { "content-type": "application/json" }, payload: "{bad" });
    expectError(res, 401, "AUTH_MISSING");
  });

  it("an agency cannot issue a type it is not accredited for → 403 CERT_TYPE_NOT_ACCREDITED, nothing issued", async () => {
    const before = (await t.app.inject({ method: "GET", url: "/v1/audit?limit=1000", headers: bearer(t.tokens.root) })).json().entries.length;
    const res = await t.app.inject({ method: "POST", url: "/v1/certificates", headers: bearer(t.tokens.mca), payload: { type: "business-licence", claims: exampleClaims("business-licence") } });
    expectError(res, 403, "CERT_TYPE_NOT_ACCREDITED");
    // a token that claims the type does not help: the registry decides
    const greedy = await mintToken(t.service, { kind: "agency", agency: "sh-mca", types: ["marriage-certificate", "business-licence"], subject: "greedy" }, 600);
    expectError(
      await t.app.inject({ method: "POST", url: "/v1/certificates", headers: bearer(greedy), payload: { type: "business-licence", claims: exampleClaims("business-licence") } }),
      403,
      "CERT_TYPE_NOT_ACCREDITED",
    );
    // nor a token for an agency this node does not serve
    const stranger = await mintToken(t.service, { kind: "agency", agency: "sh-nobody", types: ["business-licence"], subject: "stranger" }, 600);
    expectError(
      await t.app.inject({ method: "POST", url: "/v1/certificates", headers: bearer(stranger), payload: { type: "business-licence", claims: exampleClaims("business-licence") } }),
      404,
      "AGENCY_NOT_FOUND",
    );
    // in a batch, each such item fails alone
    const batch = await t.app.inject({
      method: "POST",
      url: "/v1/certificates/batch",
      headers: bearer(t.tokens.mca),
      payload: { items: [{ type: "business-licence", claims: exampleClaims("business-licence") }] },
    });
    expect(batch.statusCode, batch.body).to.equal(200);
    expect(batch.json().results[0]).to.include({ ok: false });
    expect(batch.json().results[0].error.code).to.equal("CERT_TYPE_NOT_ACCREDITED");
    const after = (await t.app.inject({ method: "GET", url: "/v1/audit?limit=1000", headers: bearer(t.tokens.root) })).json().entries;
    expect(after.length).to.equal(before);
  });

  it("an agency cannot see or change another agency's certificates → 403 FORBIDDEN_AGENCY", async () => {
    expectError(await t.app.inject({ method: "GET", url: `/v1/certificates/${amrCertificate}`, headers: bearer(t.tokens.mca) }), 403, "FORBIDDEN_AGENCY");
    for (const action of ["revoke", "suspend", "reinstate"]) {
      const res = await t.app.inject({ method: "POST", url: `/v1/certificates/${amrCertificate}/${action}`, headers: bearer(t.tokens.mca), payload: { reason: 1 } });
      expectError(res, 403, "FORBIDDEN_AGENCY");
    }
    const still = await t.app.inject({ method: "GET", url: `/v1/certificates/${amrCertificate}`, headers: bearer(t.tokens.amr) });
    expect(still.json().status).to.equal("anchored");
  });

  it("root-only routes refuse agency tokens → 403 FORBIDDEN", async () => {
    expectError(await t.app.inject({ method: "GET", url: "/v1/audit", headers: bearer(t.tokens.amr) }), 403, "FORBIDDEN");
    expectError(await t.app.inject({ method: "POST", url: "/v1/agencies/sh-amr/keys/rotate", headers: bearer(t.tokens.amr) }), 403, "FORBIDDEN");
    expectError(await t.app.inject({ method: "POST", url: "/v1/agencies/sh-mca/keys/rotate", headers: bearer(t.tokens.amr) }), 403, "FORBIDDEN");
  });

  it("the root authority administers, it does not issue → 403 FORBIDDEN", async () => {
    expectError(
      await t.app.inject({ method: "POST", url: "/v1/certificates", headers: bearer(t.tokens.root), payload: { type: "business-licence", claims: exampleClaims("business-licence") } }),
      403,
      "FORBIDDEN",
    );
    const seen = await t.app.inject({ method: "GET", url: `/v1/certificates/${amrCertificate}`, headers: bearer(t.tokens.root) });
    expect(seen.statusCode).to.equal(200);
  });

  it("GET /v1/tokens/self says whom a valid token speaks for, and writes nothing", async () => {
    const head = async () => (await t.app.inject({ method: "GET", url: "/v1/audit?limit=1", headers: bearer(t.tokens.root) })).json().head;
    const before = await head();
    const amr = await t.app.inject({ method: "GET", url: "/v1/tokens/self", headers: bearer(t.tokens.amr) });
    expect(amr.statusCode, amr.body).to.equal(200);
    expect(amr.json()).to.include({ kind: "agency", agency: "sh-amr" }).and.to.have.property("tokenId").that.is.a("string");
    const root = await t.app.inject({ method: "GET", url: "/v1/tokens/self", headers: bearer(t.tokens.root) });
    expect(root.json()).to.include({ kind: "root" }).and.not.to.have.property("agency");
    expect(await head(), "the audit log is unchanged").to.equal(before);
  });

  it("public routes need no token", async () => {
    for (const url of ["/v1/types", "/v1/agencies", "/healthz", "/openapi.json"]) expect((await t.app.inject({ method: "GET", url })).statusCode, url).to.equal(200);
    expect((await t.app.inject({ method: "POST", url: "/v1/verify", payload: { envelope: "x" } })).statusCode).to.equal(200);
  });
});
