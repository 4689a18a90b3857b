import { expect } from "chai";
import { certificateTypes } from "@certchain/sdk";
import { buildApp } from "../../../server/app";
import { AGENCIES, buildTestApp, bearer, exampleClaims, expectError, waitForStatus, type TestApp } from "./support";
import { derivedCreditCode } from "../../../server/service/identifiers";
import type { KeyStore } from "../../../server/keys/key-store";

describe("HTTP: types, agencies, audit, key rotation, health", function () {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(async () => t?.close());

  it("POST /v1/sites → root only: a further site's account may act as root authority (on the registry, audited, idempotent); a malformed account is 400", async () => {
    const account = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
    expectError(await t.app.inject({ method: "POST", url: "/v1/sites", headers: bearer(t.tokens.amr), payload: { account } }), 403, "FORBIDDEN");
    expectError(await t.app.inject({ method: "POST", url: "/v1/sites", headers: bearer(t.tokens.root), payload: { account: "0x1234" } }), 400, "VALIDATION_FAILED");
    const first = await t.app.inject({ method: "POST", url: "/v1/sites", headers: bearer(t.tokens.root), payload: { account } });
    expect(first.statusCode, first.body).to.equal(200);
    expect(first.json()).to.deep.equal({ account, added: true });
    expect((await t.app.inject({ method: "POST", url: "/v1/sites", headers: bearer(t.tokens.root), payload: { account: account.toLowerCase() } })).json()).to.deep.equal({ account, added: false });
    const audit = (await t.app.inject({ method: "GET", url: "/v1/audit?limit=1000", headers: bearer(t.tokens.root) })).json();
    expect(audit.entries.filter((e: any) => e.action === "registry.site-add").map((e: any) => [e.subject, e.data.added])).to.deep.equal([
      [account, true],
      [account, false],
    ]);
  });

  it("GET /v1/types → every type with id, vct, typeCode, names, claim labels, schema with examples, and its metadata document", async () => {
    const res = await t.app.inject({ method: "GET", url: "/v1/types" });
    expect(res.statusCode).to.equal(200);
    const types = res.json();
    expect(types.map((x: any) => x.id)).to.deep.equal(certificateTypes.map((x) => x.id));
    for (const type of types) {
      const sdk = certificateTypes.find((x) => x.id === type.id)!;
      const { id, vct, typeCode, names, claims, schema, metadata, integrity } = JSON.parse(JSON.stringify(sdk));
      expect(type).to.deep.include({ id, vct, typeCode, names, claims, schema, metadata, integrity, version: sdk.version, builtIn: true });
      expect(type.metadataUrl).to.equal(`http://127.0.0.1:3000/types/${id}/${sdk.version}`);
      expect(type.schema.examples).to.be.an("array").that.is.not.empty;
      expect(Object.keys(type.claims)).to.have.members(Object.keys(type.schema.properties));
    }
  });

  it("GET /types/:id/:version → the exact document a built-in type's integrity names, cacheable forever, readable from any origin", async () => {
    for (const sdk of certificateTypes) {
      const res = await t.app.inject({ method: "GET", url: `/types/${sdk.id}/${sdk.version}` });
      expect(res.statusCode).to.equal(200);
      expect(res.body).to.equal(sdk.metadataText);
      expect(res.headers["content-type"]).to.match(/^application\/json/);
      expect(res.headers["cache-control"]).to.contain("immutable");
      expect(res.headers["access-control-allow-origin"]).to.equal("*");
    }
    expectError(await t.app.inject({ method: "GET", url: "/types/business-licence/9" }), 404, "NOT_FOUND");
    expectError(await t.app.inject({ method: "GET", url: "/types/__proto__/1" }), 400, "VALIDATION_FAILED");
  });

  it("GET /v1/agencies → the agencies the registry knows, with their types", async () => {
    const res = await t.app.inject({ method: "GET", url: "/v1/agencies" });
    expect(res.statusCode).to.equal(200);
    const agencies = res.json();
    for (const expected of AGENCIES) {
      const agency = agencies.find((a: any) => a.slug === expected.slug);
      expect(agency, expected.slug).to.not.equal(undefined);
      expect(agency.name).to.equal(expected.name);
      expect(agency.creditCode).to.equal(derivedCreditCode(expected.slug));
      expect(agency.id).to.match(/^0x[0-9a-f]{64}$/i);
      expect(agency.types.map((x: any) => x.id)).to.have.members([...expected.types]);
      expect(agency.keyIds).to.be.an("array");
    }
  });

  describe("POST /v1/agencies (root authority)", () => {
    const body = { slug: "sh-health", name: "上海市卫生健康委员会", creditCode: "11310000MB2F30002R", types: ["birth-medical-certificate"] };

    it("registers an agency accredited for its types, on chain, and audits it", async () => {
      const res = await t.app.inject({ method: "POST", url: "/v1/agencies", headers: bearer(t.tokens.root), payload: body });
      expect(res.statusCode, res.body).to.equal(201);
      expect(res.json()).to.deep.include({ slug: "sh-health", name: "上海市卫生健康委员会", creditCode: "11310000MB2F30002R" });
      expect(res.json().types.map((x: any) => x.id)).to.deep.equal(["birth-medical-certificate"]);
      const listed = (await t.app.inject({ method: "GET", url: "/v1/agencies" })).json();
      expect(listed.map((a: any) => a.slug)).to.include("sh-health");
      const audit = (await t.app.inject({ method: "GET", url: "/v1/audit?limit=1000", headers: bearer(t.tokens.root) })).json();
      expect(audit.entries.some((e: any) => e.action === "agency.register" && e.subject === "sh-health")).to.equal(true);
    });

    it("takes the suite of the agency's keys: SM2 recorded for its first key; anything else but EdDSA, ES256 and SM2 → 400", async () => {
      const res = await t.app.inject({ method: "POST", url: "/v1/agencies", headers: bearer(t.tokens.root), payload: { ...body, slug: "sh-gm", creditCode: derivedCreditCode("sh-gm"), algorithm: "SM2" } });
      expect(res.statusCode, res.body).to.equal(201);
      expect(await (t.service as unknown as { keys: KeyStore }).keys.algorithmOf("sh-gm")).to.equal("SM2");
      const audit = (await t.app.inject({ method: "GET", url: "/v1/audit?limit=1000", headers: bearer(t.tokens.root) })).json();
      expect(audit.entries.find((e: any) => e.action === "agency.register" && e.subject === "sh-gm").data.algorithm).to.equal("SM2");
      const error = expectError(await t.app.inject({ method: "POST", url: "/v1/agencies", headers: bearer(t.tokens.root), payload: { ...body, slug: "sh-gm2", creditCode: derivedCreditCode("sh-gm2"), algorithm: "HS256" } }), 400, "VALIDATION_FAILED");
      expect(error.details[0].path).to.equal("body/algorithm");
    });

    it("refuses agencies' tokens, duplicates, unknown types and malformed slugs", async () => {
      expectError(await t.app.inject({ method: "POST", url: "/v1/agencies", headers: bearer(t.tokens.amr), payload: { ...body, slug: "sh-x" } }), 403, "FORBIDDEN");
      expectError(await t.app.inject({ method: "POST", url: "/v1/agencies", payload: { ...body, slug: "sh-x" } }), 401, "AUTH_MISSING");
      expectError(await t.app.inject({ method: "POST", url: "/v1/agencies", headers: bearer(t.tokens.root), payload: { ...body, slug: "sh-amr" } }), 409, "AGENCY_EXISTS");
      expectError(await t.app.inject({ method: "POST", url: "/v1/agencies", headers: bearer(t.tokens.root), payload: { ...body, slug: "sh-y", types: ["no-such-type"] } }), 422, "CERT_TYPE_UNKNOWN");
      const bad = expectError(await t.app.inject({ method: "POST", url: "/v1/agencies", headers: bearer(t.tokens.root), payload: { ...body, slug: "Bad Slug" } }), 400, "VALIDATION_FAILED");
      expect(bad.details.map((d: any) => d.path)).to.include("body/slug");
      const listed = (await t.app.inject({ method: "GET", url: "/v1/agencies" })).json();
      expect(listed.map((a: any) => a.slug)).to.not.include.members(["sh-x", "sh-y"]);
    });

    it("needs a well-formed unified social credit code with the right check character, held by no other agency", async () => {
      const post = (payload: object) => t.app.inject({ method: "POST", url: "/v1/agencies", headers: bearer(t.tokens.root), payload });
      for (const creditCode of [undefined, "", "11310000MB2F30002", "11310000MB2F30002RR", "11310000mb2f30002r", "1131000OMB2F30002R", "11310000MB2F30002X", 42]) {
        const error = expectError(await post({ ...body, slug: "sh-z", creditCode }), 400, "VALIDATION_FAILED");
        expect(error.details.map((d: any) => d.path), String(creditCode)).to.include("body/creditCode");
      }
      expectError(await post({ ...body, slug: "sh-z", creditCode: derivedCreditCode("sh-amr") }), 409, "CREDIT_CODE_TAKEN");
      const listed = (await t.app.inject({ method: "GET", url: "/v1/agencies" })).json();
      expect(listed.map((a: any) => a.slug)).to.not.include("sh-z");
    });

    it("the new agency is served at once: GET /v1/agencies/:slug names its own operator account; a token issues; PATCH renames; suspend → 403 AGENCY_SUSPENDED, resume → issues again", async () => {
      const agency = (await t.app.inject({ method: "GET", url: "/v1/agencies/sh-health" })).json();
      expect(agency.service.state).to.equal("active");
      expect(agency.service.operator).to.match(/^0x[0-9a-fA-F]{40}$/);
      expect(agency.service.funds).to.have.property("funded");
      const minted = await t.app.inject({ method: "POST", url: "/v1/agencies/sh-health/tokens", headers: bearer(t.tokens.root), payload: {} });
      expect(minted.statusCode, minted.body).to.equal(201);
      const token = minted.json().token;
      const issue = () => t.app.inject({ method: "POST", url: "/v1/certificates", headers: bearer(token), payload: { type: "birth-medical-certificate", claims: exampleClaims("birth-medical-certificate") } });
      expect((await issue()).statusCode).to.equal(201);

      const renamed = await t.app.inject({ method: "PATCH", url: "/v1/agencies/sh-health", headers: bearer(t.tokens.root), payload: { name: "上海市卫生健康委" } });
      expect(renamed.statusCode, renamed.body).to.equal(200);
      expect(renamed.json().name).to.equal("上海市卫生健康委");
      expectError(await t.app.inject({ method: "PATCH", url: "/v1/agencies/sh-health", headers: bearer(token), payload: { name: "x" } }), 403, "FORBIDDEN");

      expect((await t.app.inject({ method: "POST", url: "/v1/agencies/sh-health/suspend", headers: bearer(t.tokens.root) })).json().state).to.equal("suspended");
      expectError(await issue(), 403, "AGENCY_SUSPENDED");
      expect((await t.app.inject({ method: "POST", url: "/v1/agencies/sh-health/resume", headers: bearer(t.tokens.root) })).json().state).to.equal("active");
      expect((await issue()).statusCode).to.equal(201);
      expectError(await t.app.inject({ method: "POST", url: "/v1/agencies/sh-nobody/suspend", headers: bearer(t.tokens.root) }), 404, "AGENCY_NOT_FOUND");
    });

    it("the agency's certificates carry its registered code and its type's code in their numbers", async () => {
      const res = await t.app.inject({ method: "POST", url: "/v1/certificates", headers: bearer(t.tokens.amr), payload: { type: "business-licence", claims: exampleClaims("business-licence") } });
      const payload = JSON.parse(Buffer.from(res.json().envelope.credential.split(".")[1], "base64url").toString("utf8"));
      const [typeCode, issuerCode] = payload.certificate_number.split(".").slice(5, 7);
      expect([typeCode, issuerCode]).to.deep.equal(["YYZZ", derivedCreditCode("sh-amr")]);
    });
  });

  describe("GET /v1/audit", () => {
    let id: string;
    before(async () => {
      const res = await t.app.inject({
        method: "POST",
        url: "/v1/certificates",
        headers: { ...bearer(t.tokens.amr), "x-request-id": "audit-issue-1" },
        payload: { type: "business-licence", claims: exampleClaims("business-licence") },
      });
      id = res.json().id;
      await waitForStatus(t.app, t.tokens.amr, id, "anchored");
      await t.app.inject({ method: "POST", url: `/v1/certificates/${id}/revoke`, headers: { ...bearer(t.tokens.amr), "x-request-id": "audit-revoke-1" }, payload: { reason: 2 } });
    });

    it("root → { entries, intact, head } with actor, request id and hash chain", async () => {
      const res = await t.app.inject({ method: "GET", url: "/v1/audit", headers: bearer(t.tokens.root) });
      expect(res.statusCode, res.body).to.equal(200);
      const { entries, intact, head } = res.json();
      expect(intact).to.equal(true);
      expect(head).to.match(/^0x[0-9a-f]{64}$/i);
      const issued = entries.find((e: any) => e.action === "certificate.issue" && e.subject === id);
      expect(issued, JSON.stringify(entries.map((e: any) => e.action))).to.not.equal(undefined);
      expect(issued.requestId).to.equal("audit-issue-1");
      const revoked = entries.find((e: any) => e.action === "certificate.revoke" && e.subject === id);
      expect(revoked.requestId).to.equal("audit-revoke-1");
      for (let i = 1; i < entries.length; i++) expect(entries[i].prevHash).to.equal(entries[i - 1].hash);
      expect(entries.at(-1).hash).to.equal(head);
    });

    it("after and limit page through the log", async () => {
      const all = (await t.app.inject({ method: "GET", url: "/v1/audit", headers: bearer(t.tokens.root) })).json().entries;
      const page = (await t.app.inject({ method: "GET", url: `/v1/audit?after=${all[0].seq}&limit=1`, headers: bearer(t.tokens.root) })).json();
      expect(page.entries).to.have.length(1);
      expect(page.entries[0].seq).to.equal(all[1].seq);
    });

    it("bad query strings → 400 VALIDATION_FAILED on the field", async () => {
      for (const [query, path] of [
        ["limit=abc", "querystring/limit"],
        ["limit=0", "querystring/limit"],
        ["limit=100000", "querystring/limit"],
        ["after=x", "querystring/after"],
        ["after=1.5", "querystring/after"],
        ["order=desc", "querystring/order"],
      ]) {
        const error = expectError(await t.app.inject({ method: "GET", url: `/v1/audit?${query}`, headers: bearer(t.tokens.root) }), 400, "VALIDATION_FAILED");
        expect(error.details.map((d: any) => d.path), query).to.include(path);
      }
    });
  });

  describe("POST /v1/agencies/:slug/keys/rotate", () => {
    it("root rotates a key; certificates signed before keep verifying and new ones verify too", async () => {
      const old = await t.app.inject({ method: "POST", url: "/v1/certificates", headers: bearer(t.tokens.mca), payload: { type: "marriage-certificate", claims: exampleClaims("marriage-certificate") } });
      expect(old.statusCode, old.body).to.equal(201);
      const before = await waitForStatus(t.app, t.tokens.mca, old.json().id, "anchored");

      const res = await t.app.inject({ method: "POST", url: "/v1/agencies/sh-mca/keys/rotate", headers: bearer(t.tokens.root) });
      expect(res.statusCode, res.body).to.equal(200);
      const { keyId, retired } = res.json();
      expect(keyId).to.match(/^0x[0-9a-f]{64}$/i);
      expect(retired).to.be.an("array");
      expect(retired).to.not.include(keyId);
      const agency = (await t.app.inject({ method: "GET", url: "/v1/agencies" })).json().find((a: any) => a.slug === "sh-mca");
      expect(agency.keyIds).to.include(keyId);

      const fresh = await t.app.inject({ method: "POST", url: "/v1/certificates", headers: bearer(t.tokens.mca), payload: { type: "marriage-certificate", claims: exampleClaims("marriage-certificate") } });
      const after = await waitForStatus(t.app, t.tokens.mca, fresh.json().id, "anchored");
      for (const envelope of [before.envelope, after.envelope]) {
        const verdict = (await t.app.inject({ method: "POST", url: "/v1/verify", payload: { envelope } })).json();
        expect(verdict.verdict, JSON.stringify(verdict.reason)).to.equal("valid");
      }
    });

    it("rotates an agency from Ed25519 to SM2 (国密): old certificates stay valid, new ones are SM2 with SM3 digests, its issuer metadata publishes both keys", async () => {
      const issue = () => t.app.inject({ method: "POST", url: "/v1/certificates", headers: bearer(t.tokens.amr), payload: { type: "business-licence", claims: exampleClaims("business-licence") } });
      const old = await issue();
      const before = await waitForStatus(t.app, t.tokens.amr, old.json().id, "anchored");
      const header = (envelope: any) => JSON.parse(Buffer.from(envelope.credential.split(".")[0], "base64url").toString());
      const payload = (envelope: any) => JSON.parse(Buffer.from(envelope.credential.split(".")[1], "base64url").toString());
      expect(header(before.envelope).alg).to.equal("EdDSA");

      const res = await t.app.inject({ method: "POST", url: "/v1/agencies/sh-amr/keys/rotate", headers: bearer(t.tokens.root), payload: { algorithm: "SM2" } });
      expect(res.statusCode, res.body).to.equal(200);
      expect(res.json().alg).to.equal("SM2");
      const fresh = await issue();
      const after = await waitForStatus(t.app, t.tokens.amr, fresh.json().id, "anchored");
      expect(header(after.envelope).alg).to.equal("SM2");
      expect(payload(after.envelope)._sd_alg).to.equal("sm3");
      for (const envelope of [before.envelope, after.envelope]) {
        const verdict = (await t.app.inject({ method: "POST", url: "/v1/verify", payload: { envelope } })).json();
        expect(verdict.verdict, JSON.stringify(verdict.reason)).to.equal("valid");
      }
      // A rotation without a choice keeps the suite in use.
      const again = await t.app.inject({ method: "POST", url: "/v1/agencies/sh-amr/keys/rotate", headers: bearer(t.tokens.root) });
      expect(again.json().alg).to.equal("SM2");
      const iss = payload(after.envelope).iss as string;
      const url = new URL(iss);
      const metadata = await t.app.inject({ method: "GET", url: `/.well-known/jwt-vc-issuer${url.pathname}` });
      expect(metadata.statusCode, metadata.body).to.equal(200);
      const jwks = metadata.json().jwks.keys;
      expect(jwks.find((k: any) => k.kid === header(after.envelope).kid)).to.deep.include({ kty: "EC", crv: "SM2", alg: "SM2" });
      expect(jwks.find((k: any) => k.kid === header(before.envelope).kid)).to.deep.include({ kty: "OKP", crv: "Ed25519", alg: "EdDSA" });
      expectError(await t.app.inject({ method: "POST", url: "/v1/agencies/sh-amr/keys/rotate", headers: bearer(t.tokens.root), payload: { algorithm: "RS256" } }), 400, "VALIDATION_FAILED");
    });

    it("an unknown agency → 404 AGENCY_NOT_FOUND; a malformed slug → 400 on the param", async () => {
      expectError(await t.app.inject({ method: "POST", url: "/v1/agencies/sh-nobody/keys/rotate", headers: bearer(t.tokens.root) }), 404, "AGENCY_NOT_FOUND");
      const error = expectError(await t.app.inject({ method: "POST", url: "/v1/agencies/SH_AMR/keys/rotate", headers: bearer(t.tokens.root) }), 400, "VALIDATION_FAILED");
      expect(error.details[0].path).to.equal("params/slug");
    });
  });

  describe("health", () => {
    it("GET /healthz → { status: ok }", async () => {
      const res = await t.app.inject({ method: "GET", url: "/healthz" });
      expect(res.statusCode).to.equal(200);
      expect(res.json()).to.deep.equal({ status: "ok" });
    });

    it("GET /readyz → 200 with the readiness report when the chain is reachable", async () => {
      const res = await t.app.inject({ method: "GET", url: "/readyz" });
      expect(res.statusCode, res.body).to.equal(200);
      const body = res.json();
      expect(body.ready).to.equal(true);
      expect(body.chain).to.include({ reachable: true, chainId: 31337 });
      expect(body.anchoring).to.have.property("backlog");
    });

    it("GET /readyz → 503 with the same report when not ready", async () => {
      const notReady = Object.create(t.service);
      const report = { ready: false, chain: { reachable: false, error: "connection refused" }, anchoring: { backlog: 3, oldestPendingAgeMs: 120000, lastAnchorAt: null, stuck: true } };
      notReady.readiness = async () => report;
      const app = await buildApp(notReady, { rateLimit: false });
      try {
        const res = await app.inject({ method: "GET", url: "/readyz" });
        expect(res.statusCode).to.equal(503);
        expect(res.json()).to.deep.equal(report);
      } finally {
        await app.close();
      }
    });
  });
});
