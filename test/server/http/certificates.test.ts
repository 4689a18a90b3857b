import { expect } from "chai";
import { buildTestApp, bearer, exampleClaims, expectError, waitForStatus, type TestApp } from "./support";

const licence = () => ({ type: "business-licence", claims: exampleClaims("business-licence") });

describe("HTTP: certificates and verification", function () {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(async () => t?.close());

  const issue = (payload: unknown, token = t.tokens.amr, headers: Record<string, string> = {}) =>
    t.app.inject({ method: "POST", url: "/v1/certificates", headers: { ...bearer(token), ...headers }, payload: payload as object });
  const verify = (envelope: unknown) => t.app.inject({ method: "POST", url: "/v1/verify", payload: { envelope } as object });
  const setStatus = (id: string, action: string, payload: unknown, token = t.tokens.amr) =>
    t.app.inject({ method: "POST", url: `/v1/certificates/${id}/${action}`, headers: bearer(token), payload: payload as object });
  const issueEvents = async () =>
    (await t.app.inject({ method: "GET", url: "/v1/audit?limit=1000", headers: bearer(t.tokens.root) })).json().entries.filter((e: any) => e.action === "certificate.issue").length;

  describe("POST /v1/certificates: bad input", () => {
    const fieldCases: [string, unknown, string][] = [
      ["no type", { claims: {} }, "body/type"],
      ["no claims", { type: "business-licence" }, "body/claims"],
      ["type not a string", { type: 42, claims: {} }, "body/type"],
      ["type not a slug", { type: "Business Licence", claims: {} }, "body/type"],
      ["claims an array", { type: "business-licence", claims: [] }, "body/claims"],
      ["claims a string", { type: "business-licence", claims: "{}" }, "body/claims"],
      ["an unknown field", { ...licence(), holder: "x" }, "body/holder"],
      ["validFrom not a date-time", { ...licence(), validFrom: "tomorrow" }, "body/validFrom"],
      ["validUntil a number", { ...licence(), validUntil: 1767225600 }, "body/validUntil"],
    ];
    for (const [what, payload, path] of fieldCases) {
      it(`${what} → 400 VALIDATION_FAILED naming ${path}`, async () => {
        const error = expectError(await issue(payload), 400, "VALIDATION_FAILED");
        expect(error.details).to.be.an("array");
        expect(error.details.map((d: any) => d.path)).to.include(path);
        for (const d of error.details) expect(d.message).to.be.a("string");
      });
    }

    it("reports every field error at once", async () => {
      const error = expectError(await issue({ type: 1, claims: 2, extra: 3 }), 400, "VALIDATION_FAILED");
      expect(error.details.map((d: any) => d.path)).to.have.members(["body/type", "body/claims", "body/extra"]);
    });

    it("an unknown certificate type → 422 CERT_TYPE_UNKNOWN", async () => {
      expectError(await issue({ type: "fishing-licence", claims: {} }), 422, "CERT_TYPE_UNKNOWN");
    });

    it("claims failing the type's schema → 422 CLAIMS_INVALID with details", async () => {
      const { type, claims } = licence();
      const cases = [
        { ...claims, unified_social_credit_code: "123" },
        { ...claims, date_of_establishment: "21/06/2018" },
        { ...claims, company_name: 42 },
        { ...claims, shoe_size: 42 },
        (({ company_name: _, ...rest }) => rest)(claims),
        {},
      ];
      for (const bad of cases) {
        const error = expectError(await issue({ type, claims: bad }), 422, "CLAIMS_INVALID");
        expect(error.details, JSON.stringify(bad)).to.not.equal(undefined);
      }
    });

    it("validFrom after validUntil → 422 VALIDITY_INVALID", async () => {
      expectError(await issue({ ...licence(), validFrom: "2030-01-01T00:00:00Z", validUntil: "2029-01-01T00:00:00Z" }), 422, "VALIDITY_INVALID");
    });

    it("a bad Idempotency-Key → 400 VALIDATION_FAILED on the header", async () => {
      for (const key of ["k".repeat(129), "naïve", "tab\there"]) {
        const error = expectError(await issue(licence(), t.tokens.amr, { "idempotency-key": key }), 400, "VALIDATION_FAILED");
        expect(error.details[0].path).to.equal("headers/idempotency-key");
      }
    });

    it("nothing was issued by any of the refusals", async () => {
      expect(await issueEvents()).to.equal(0);
    });
  });

  describe("the life of a certificate", () => {
    let id: string;
    let envelope: any;
    let pendingEnvelope: any;

    it("issue → 201 { id, status: pending, envelope }", async () => {
      const res = await issue({ ...licence(), validFrom: "2024-01-01T00:00:00Z", validUntil: "2099-01-01T00:00:00Z" });
      expect(res.statusCode, res.body).to.equal(201);
      const body = res.json();
      expect(body).to.have.keys(["id", "status", "envelope"]);
      expect(body.id).to.match(/^[A-Za-z0-9_-]+$/);
      expect(body.status).to.equal("pending");
      expect(body.envelope.format).to.equal("certchain-envelope");
      expect(body.envelope.anchor.status).to.equal("pending");
      expect(body.envelope.credential).to.be.a("string");
      id = body.id;
      pendingEnvelope = body.envelope;
    });

    it("GET → the record; a pending envelope verifies as pending", async () => {
      const res = await t.app.inject({ method: "GET", url: `/v1/certificates/${id}`, headers: bearer(t.tokens.amr) });
      expect(res.statusCode).to.equal(200);
      expect(res.json()).to.include({ id, agency: "sh-amr", type: "business-licence" });
      const verdict = (await verify(pendingEnvelope)).json();
      expect(verdict.verdict).to.equal("pending");
      expect(verdict.reason.check).to.equal("anchor");
    });

    it("once anchored, the envelope carries its proof and verifies valid (as object and as text)", async () => {
      const record = await waitForStatus(t.app, t.tokens.amr, id, "anchored");
      envelope = record.envelope;
      expect(envelope.anchor.status).to.equal("anchored");
      expect(envelope.anchor.registry.toLowerCase()).to.equal(t.registry.toLowerCase());
      expect(record.anchoredAt).to.be.a("string");
      for (const input of [envelope, JSON.stringify(envelope)]) {
        const res = await verify(input);
        expect(res.statusCode).to.equal(200);
        const verdict = res.json();
        expect(verdict.verdict, JSON.stringify(verdict.reason)).to.equal("valid");
        expect(verdict.issuer.slug).to.equal("sh-amr");
        expect(verdict.claims.company_name).to.equal(exampleClaims("business-licence").company_name);
        expect(verdict.checks).to.be.an("array").that.is.not.empty;
        expect(verdict.registry.address.toLowerCase()).to.equal(t.registry.toLowerCase());
      }
    });

    it("status routes: bad reason → 400 with field detail; unknown id → 404 CERT_NOT_FOUND", async () => {
      for (const [payload, path] of [
        [{}, "body/reason"],
        [{ reason: -1 }, "body/reason"],
        [{ reason: 65536 }, "body/reason"],
        [{ reason: 1.5 }, "body/reason"],
        [{ reason: "1" }, "body/reason"],
        [{ reason: null }, "body/reason"],
        [{ reason: 1, note: "x" }, "body/note"],
      ] as const) {
        for (const action of ["revoke", "suspend", "reinstate"]) {
          const error = expectError(await setStatus(id, action, payload), 400, "VALIDATION_FAILED");
          expect(error.details.map((d: any) => d.path)).to.include(path);
        }
      }
      for (const action of ["revoke", "suspend", "reinstate"]) expectError(await setStatus("no-such-certificate", action, { reason: 1 }), 404, "CERT_NOT_FOUND");
      expectError(await t.app.inject({ method: "GET", url: "/v1/certificates/no-such-certificate", headers: bearer(t.tokens.amr) }), 404, "CERT_NOT_FOUND");
      const bad = expectError(await t.app.inject({ method: "GET", url: `/v1/certificates/${"%24".repeat(3)}`, headers: bearer(t.tokens.amr) }), 400, "VALIDATION_FAILED");
      expect(bad.details[0].path).to.equal("params/id");
    });

    it("suspend → verify suspended; reinstate → valid", async () => {
      const suspended = await setStatus(id, "suspend", { reason: 3 });
      expect(suspended.statusCode, suspended.body).to.equal(200);
      expect(suspended.json()).to.include({ id, status: "suspended", statusReason: 3 });
      expect((await verify(envelope)).json().verdict).to.equal("suspended");

      const reinstated = await setStatus(id, "reinstate", { reason: 0 });
      expect(reinstated.statusCode, reinstated.body).to.equal(200);
      expect(reinstated.json().status).to.equal("anchored");
      expect((await verify(envelope)).json().verdict).to.equal("valid");
    });

    it("revoke → verify revoked, with the reason; a revoked certificate cannot be reinstated", async () => {
      const revoked = await setStatus(id, "revoke", { reason: 7 });
      expect(revoked.statusCode, revoked.body).to.equal(200);
      expect(revoked.json()).to.include({ id, status: "revoked", statusReason: 7 });
      const verdict = (await verify(envelope)).json();
      expect(verdict.verdict).to.equal("revoked");
      expect(verdict.status).to.include({ state: "revoked", reason: 7 });

      expectError(await setStatus(id, "reinstate", { reason: 0 }), 409, "STATUS_TRANSITION_INVALID");
      expectError(await setStatus(id, "suspend", { reason: 0 }), 409, "STATUS_TRANSITION_INVALID");
      const record = await t.app.inject({ method: "GET", url: `/v1/certificates/${id}`, headers: bearer(t.tokens.amr) });
      expect(record.json().status).to.equal("revoked");
    });
  });

  describe("POST /v1/verify: bad input", () => {
    it("a body without an envelope, or with the wrong type → 400 VALIDATION_FAILED", async () => {
      for (const [payload, path] of [
        [{}, "body/envelope"],
        [{ envelope: 42 }, "body/envelope"],
        [{ envelope: null }, "body/envelope"],
        [{ envelope: [] }, "body/envelope"],
        [{ envelope: "x", registry: "0x00" }, "body/registry"],
      ] as const) {
        const error = expectError(await t.app.inject({ method: "POST", url: "/v1/verify", payload }), 400, "VALIDATION_FAILED");
        expect(error.details.map((d: any) => d.path)).to.include(path);
      }
    });

    it("a well-formed body holding a bad certificate is not an HTTP error: the verdict says invalid", async () => {
      for (const envelope of ["not a certificate", { format: "certchain-envelope", version: 99 }, "{\"format\": 1", { credential: "a.b.c~" }]) {
        const res = await verify(envelope);
        expect(res.statusCode).to.equal(200);
        expect(res.json().verdict).to.equal("invalid");
        expect(res.json().reason.check).to.equal("format");
      }
    });
  });

  describe("POST /v1/certificates/batch", () => {
    const batch = (payload: unknown, headers: Record<string, string> = {}, token = t.tokens.amr) =>
      t.app.inject({ method: "POST", url: "/v1/certificates/batch", headers: { ...bearer(token), ...headers }, payload: payload as object });

    it("good items are issued even when others fail; results in input order", async () => {
      const items = [
        licence(),
        { type: "fishing-licence", claims: {} },
        { type: "business-licence", claims: { company_name: 1 } },
        { type: 7, claims: "x" },
        { type: "production-licence", claims: exampleClaims("production-licence") },
        { type: "marriage-certificate", claims: exampleClaims("marriage-certificate") },
        { ...licence(), extra: true },
        licence(),
      ];
      const res = await batch({ items });
      expect(res.statusCode, res.body).to.equal(200);
      const body = res.json();
      expect(body.issued).to.equal(3);
      expect(body.failed).to.equal(5);
      expect(body.results.map((r: any) => r.index)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(body.results.map((r: any) => r.ok)).to.deep.equal([true, false, false, false, true, false, false, true]);
      expect(body.results.map((r: any) => r.error?.code)).to.deep.equal([
        undefined,
        "CERT_TYPE_UNKNOWN",
        "CLAIMS_INVALID",
        "VALIDATION_FAILED",
        undefined,
        "CERT_TYPE_NOT_ACCREDITED",
        "VALIDATION_FAILED",
        undefined,
      ]);
      expect(body.results[3].error.details.map((d: any) => d.path)).to.have.members(["body/items/3/type", "body/items/3/claims"]);
      expect(body.results[6].error.details.map((d: any) => d.path)).to.deep.equal(["body/items/6/extra"]);
      const ids = body.results.filter((r: any) => r.ok).map((r: any) => r.id);
      expect(new Set(ids).size).to.equal(3);
      for (const r of body.results.filter((r: any) => r.ok)) expect(r.envelope.anchor.status).to.equal("pending");

      const anchored = await waitForStatus(t.app, t.tokens.amr, ids[2], "anchored");
      expect((await verify(anchored.envelope)).json().verdict).to.equal("valid");
    });

    it("bad batch bodies → 400 VALIDATION_FAILED; more than 10,000 items → 413 BATCH_TOO_LARGE", async () => {
      for (const [payload, path] of [
        [{}, "body/items"],
        [{ items: [] }, "body/items"],
        [{ items: {} }, "body/items"],
        [{ items: [licence(), 5] }, "body/items/1"],
        [{ items: [licence()], more: 1 }, "body/more"],
      ] as const) {
        const error = expectError(await batch(payload), 400, "VALIDATION_FAILED");
        expect(error.details.map((d: any) => d.path)).to.include(path);
      }
      expectError(await batch({ items: Array.from({ length: 10_001 }, () => ({})) }), 413, "BATCH_TOO_LARGE");
    });
  });

  describe("Idempotency-Key", () => {
    it("a retried issue returns the same certificate and issues nothing twice", async () => {
      const before = await issueEvents();
      const payload = licence();
      const first = await issue(payload, t.tokens.amr, { "idempotency-key": "order-2024-0001" });
      const again = await issue(payload, t.tokens.amr, { "idempotency-key": "order-2024-0001" });
      expect(first.statusCode).to.equal(201);
      expect(again.statusCode).to.equal(201);
      expect(again.json().id).to.equal(first.json().id);
      expect(again.json().envelope.credential).to.equal(first.json().envelope.credential);
      expect(await issueEvents()).to.equal(before + 1);

      // the same key with another request is a client mistake
      expectError(await issue({ ...payload, validUntil: "2099-01-01T00:00:00Z" }, t.tokens.amr, { "idempotency-key": "order-2024-0001" }), 422, "IDEMPOTENCY_KEY_REUSED");
      // without a key, each call issues
      const a = await issue(payload);
      const b = await issue(payload);
      expect(a.json().id).to.not.equal(b.json().id);
    });

    it("a retried batch returns the same results and issues nothing twice", async () => {
      const items = [licence(), { type: "fishing-licence", claims: {} }, licence()];
      const before = await issueEvents();
      const headers = { "idempotency-key": "batch-2024-07-01#1" };
      const first = (await t.app.inject({ method: "POST", url: "/v1/certificates/batch", headers: { ...bearer(t.tokens.amr), ...headers }, payload: { items } })).json();
      const again = (await t.app.inject({ method: "POST", url: "/v1/certificates/batch", headers: { ...bearer(t.tokens.amr), ...headers }, payload: { items } })).json();
      expect(first.issued).to.equal(2);
      expect(again.results.map((r: any) => r.id)).to.deep.equal(first.results.map((r: any) => r.id));
      expect(await issueEvents()).to.equal(before + 2);
    });
  });
});
