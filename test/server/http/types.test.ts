import { expect } from "chai";
import { createHash } from "node:crypto";
import { Contract } from "ethers";
import hre from "hardhat";
import { CERTCHAIN_REGISTRY_ABI, parseCredential, typeIdOf, verify } from "@certchain/sdk";
import { SOCIAL_SECURITY_CARD, socialSecurityClaims } from "../../support/social-security-card";
import { bearer, buildTestApp, exampleClaims, expectError, waitForStatus, type TestApp } from "./support";

const sri = (text: string) => `sha256-${createHash("sha256").update(text).digest("base64")}`;
const post = (t: TestApp, token: string, url: string, payload: unknown) => t.app.inject({ method: "POST", url, headers: bearer(token), payload: payload as object });

describe("HTTP: certificate types as data, accreditations and agency tokens", function () {
  let t: TestApp;
  let registry: Contract;

  before(async () => {
    t = await buildTestApp();
    registry = new Contract(t.registry, CERTCHAIN_REGISTRY_ABI, hre.ethers.provider);
  });
  after(async () => t?.close());

  const registeredTypeIds = async (): Promise<string[]> => [...(await registry.registeredTypeIds())];

  describe("POST /v1/types", function () {
    it("refuses bad metadata with 400 and the JSON pointer of each fault, before anything is written to disk or chain", async () => {
      const before = await registeredTypeIds();
      const metadata = structuredClone(SOCIAL_SECURITY_CARD.metadata) as any;
      metadata.claims[2].display = [{ locale: "zh-CN", label: "姓名" }];
      metadata["certchain:schema"].properties.card_number.pattern = "([";
      const res = await post(t, t.tokens.root, "/v1/types", { ...SOCIAL_SECURITY_CARD, id: "broken-card", metadata });
      const error = expectError(res, 400, "TYPE_METADATA_INVALID");
      expect(error.details.map((d: any) => d.pointer)).to.have.members(["/metadata/claims/2/display", "/metadata/certchain:schema/properties/card_number/pattern"]);
      expect(error.details[0].path).to.match(/^body\/metadata\//);
      expect(await registeredTypeIds()).to.deep.equal(before);
      expectError(await t.app.inject({ method: "GET", url: "/types/broken-card/1" }), 404, "NOT_FOUND");
      expect((await t.app.inject({ method: "GET", url: "/v1/types" })).json().map((x: any) => x.id)).not.to.include("broken-card");

      const withVct = await post(t, t.tokens.root, "/v1/types", { ...SOCIAL_SECURITY_CARD, metadata: { vct: "https://evil.example/x", ...SOCIAL_SECURITY_CARD.metadata } });
      expect(expectError(withVct, 400, "TYPE_METADATA_INVALID").details.map((d: any) => d.pointer)).to.deep.equal(["/metadata/vct"]);
      const otherCode = await post(t, t.tokens.root, "/v1/types", { ...SOCIAL_SECURITY_CARD, metadata: { ...SOCIAL_SECURITY_CARD.metadata, "certchain:type_code": "XXXX" } });
      expect(expectError(otherCode, 400, "TYPE_METADATA_INVALID").details.map((d: any) => d.pointer)).to.deep.equal(["/metadata/certchain:type_code"]);
      expect(await registeredTypeIds()).to.deep.equal(before);
    });

    it("is for the root authority only", async () => {
      expectError(await post(t, t.tokens.amr, "/v1/types", SOCIAL_SECURITY_CARD), 403, "FORBIDDEN");
      expectError(await t.app.inject({ method: "POST", url: "/v1/types", payload: SOCIAL_SECURITY_CARD }), 401, "AUTH_MISSING");
    });

    it("adds a type: 201 with a vct URL on the service that serves the exact document whose SHA-256 is on the registry", async () => {
      const res = await post(t, t.tokens.root, "/v1/types", SOCIAL_SECURITY_CARD);
      expect(res.statusCode, res.body).to.equal(201);
      const body = res.json();
      expect(body).to.deep.equal({
        id: "social-security-card",
        vct: "http://127.0.0.1:3000/types/social-security-card/1",
        version: 1,
        metadataUrl: "http://127.0.0.1:3000/types/social-security-card/1",
        integrity: body.integrity,
      });
      const document = await t.app.inject({ method: "GET", url: "/types/social-security-card/1" });
      expect(document.statusCode).to.equal(200);
      expect(sri(document.body)).to.equal(body.integrity);
      const parsed = JSON.parse(document.body);
      expect(parsed.vct).to.equal(body.vct);
      expect(parsed["certchain:type_code"]).to.equal("SBZK");
      const record = await registry.certificateType(typeIdOf(body.vct));
      expect(record.metadataHash).to.equal(`0x${createHash("sha256").update(document.body).digest("hex")}`);
      expect(Buffer.from(record.typeCode.slice(2), "hex").toString()).to.equal("SBZK");
      const listed = (await t.app.inject({ method: "GET", url: "/v1/types" })).json().find((x: any) => x.id === "social-security-card");
      expect(listed).to.deep.include({ vct: body.vct, version: 1, typeCode: "SBZK", builtIn: false, integrity: body.integrity, names: { "zh-CN": "社会保障卡", en: "Social security card" } });
    });

    it("answers the same request again with the existing version (200), registering nothing twice", async () => {
      const before = await registeredTypeIds();
      const res = await post(t, t.tokens.root, "/v1/types", SOCIAL_SECURITY_CARD);
      expect(res.statusCode, res.body).to.equal(200);
      expect(res.json().vct).to.equal("http://127.0.0.1:3000/types/social-security-card/1");
      expect(await registeredTypeIds()).to.deep.equal(before);
    });

    it("never changes a document: new metadata for the id is version 2, with a new vct and hash, and version 1 stays served", async () => {
      const v1 = (await t.app.inject({ method: "GET", url: "/types/social-security-card/1" })).body;
      const metadata = structuredClone(SOCIAL_SECURITY_CARD.metadata) as any;
      metadata.claims[6].display[1].label = "Social security card number";
      const res = await post(t, t.tokens.root, "/v1/types", { ...SOCIAL_SECURITY_CARD, metadata });
      expect(res.statusCode, res.body).to.equal(201);
      expect(res.json()).to.deep.include({ vct: "http://127.0.0.1:3000/types/social-security-card/2", version: 2 });
      expect((await t.app.inject({ method: "GET", url: "/types/social-security-card/1" })).body).to.equal(v1);
      expect((await registry.certificateType(typeIdOf(res.json().vct))).metadataHash).to.not.equal((await registry.certificateType(typeIdOf(JSON.parse(v1).vct))).metadataHash);
      // The id now means the newest version.
      expect((await t.app.inject({ method: "GET", url: "/v1/types" })).json().find((x: any) => x.id === "social-security-card").version).to.equal(2);
    });

    it("refuses ids and type codes that belong to other types (409 TYPE_CONFLICT)", async () => {
      expectError(await post(t, t.tokens.root, "/v1/types", { ...SOCIAL_SECURITY_CARD, id: "business-licence" }), 409, "TYPE_CONFLICT");
      expectError(await post(t, t.tokens.root, "/v1/types", { ...SOCIAL_SECURITY_CARD, id: "another-card" }), 409, "TYPE_CONFLICT");
      expectError(await post(t, t.tokens.root, "/v1/types", { ...SOCIAL_SECURITY_CARD, typeCode: "SBZX" }), 409, "TYPE_CONFLICT");
      expectError(await post(t, t.tokens.root, "/v1/types", { ...SOCIAL_SECURITY_CARD, id: "new-card", typeCode: "YYZZ" }), 409, "TYPE_CONFLICT");
    });
  });

  describe("accreditations and issuing a new type with the agency's existing token", function () {
    it("refuses to issue the new type before the agency is accredited, then issues it with the same token once it is", async () => {
      const issue = () => post(t, t.tokens.amr, "/v1/certificates", { type: "social-security-card", claims: socialSecurityClaims() });
      expectError(await issue(), 403, "CERT_TYPE_NOT_ACCREDITED");
      const res = await post(t, t.tokens.root, "/v1/agencies/sh-amr/accreditations", { type: "social-security-card" });
      expect(res.statusCode, res.body).to.equal(201);
      expect(res.json()).to.deep.include({ agency: "sh-amr", type: "social-security-card", vct: "http://127.0.0.1:3000/types/social-security-card/2", validUntil: null });

      const issued = await issue();
      expect(issued.statusCode, issued.body).to.equal(201);
      const { envelope } = issued.json();
      expect(envelope.version).to.equal(2);
      const { payload } = parseCredential(envelope.credential);
      expect(payload).to.deep.include({ iss: "http://127.0.0.1:3000/agencies/sh-amr", vct: "http://127.0.0.1:3000/types/social-security-card/2" });
      expect(payload["vct#integrity"]).to.equal(sri((await t.app.inject({ method: "GET", url: "/types/social-security-card/2" })).body));

      const anchored = await waitForStatus(t.app, t.tokens.amr, issued.json().id, "anchored");
      const documents = (await t.app.inject({ method: "GET", url: "/v1/types" })).json().map((x: any) => x.metadata);
      const result = await verify(anchored.envelope, { registries: [{ chainId: 31337, address: t.registry, provider: hre.ethers.provider as any }], types: { bundle: documents } });
      expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
      expect(result.checks.find((c) => c.name === "schema")!.status).to.equal("passed");
      expect(result.certificate!.type!.names["zh-CN"]).to.equal("社会保障卡");
      // The service's own verify knows its types too.
      const served = await t.app.inject({ method: "POST", url: "/v1/verify", payload: { envelope: anchored.envelope } });
      expect(served.json().verdict, served.body).to.equal("valid");
      expect(served.json().checks.find((c: any) => c.name === "schema").status).to.equal("passed");
    });

    it("refuses claims that do not fit the new type's schema (422 CLAIMS_INVALID, pointing into nested claims)", async () => {
      const claims = socialSecurityClaims() as any;
      claims.holder.id_number = "123";
      const res = await post(t, t.tokens.amr, "/v1/certificates", { type: "social-security-card", claims });
      expect(expectError(res, 422, "CLAIMS_INVALID").details.map((d: any) => d.path)).to.deep.equal(["/holder/id_number"]);
    });

    it("refuses unknown types and agencies, and non-root callers", async () => {
      expectError(await post(t, t.tokens.root, "/v1/agencies/sh-amr/accreditations", { type: "no-such-type" }), 422, "CERT_TYPE_UNKNOWN");
      expectError(await post(t, t.tokens.root, "/v1/agencies/sh-nobody/accreditations", { type: "social-security-card" }), 404, "AGENCY_NOT_FOUND");
      expectError(await post(t, t.tokens.amr, "/v1/agencies/sh-amr/accreditations", { type: "social-security-card" }), 403, "FORBIDDEN");
      expectError(await post(t, t.tokens.root, "/v1/agencies/sh-amr/accreditations", { type: "social-security-card", validFrom: "2030-01-01T00:00:00Z", validUntil: "2029-01-01T00:00:00Z" }), 422, "VALIDITY_INVALID");
    });

    it("an accreditation window in the future does not let the agency issue yet", async () => {
      const res = await post(t, t.tokens.root, "/v1/agencies/sh-mca/accreditations", { type: "business-licence", validFrom: "2099-01-01T00:00:00Z" });
      expect(res.statusCode, res.body).to.equal(201);
      expectError(await post(t, t.tokens.mca, "/v1/certificates", { type: "business-licence", claims: exampleClaims("business-licence") }), 403, "CERT_TYPE_NOT_ACCREDITED");
    });
  });

  describe("agency tokens", function () {
    it("root mints a token for an agency; it issues; once revoked it is refused with 401 AUTH_REVOKED", async () => {
      const minted = await post(t, t.tokens.root, "/v1/agencies/sh-amr/tokens", { subject: "amr-batch-system", expiresInSeconds: 3600 });
      expect(minted.statusCode, minted.body).to.equal(201);
      const { id, token, agency, subject, expiresAt } = minted.json();
      expect({ agency, subject }).to.deep.equal({ agency: "sh-amr", subject: "amr-batch-system" });
      expect(Date.parse(expiresAt) - Date.now()).to.be.within(3_500_000, 3_700_000);
      const issue = () => post(t, token, "/v1/certificates", { type: "business-licence", claims: exampleClaims("business-licence") });
      expect((await issue()).statusCode).to.equal(201);

      const revoked = await t.app.inject({ method: "DELETE", url: `/v1/agencies/sh-amr/tokens/${id}`, headers: bearer(t.tokens.root) });
      expect(revoked.statusCode, revoked.body).to.equal(200);
      expect(revoked.json().revokedAt).to.be.a("string");
      expectError(await issue(), 401, "AUTH_REVOKED");
      // What a client checks its token with says so too (certchain issue does, before resuming).
      expectError(await t.app.inject({ method: "GET", url: "/v1/tokens/self", headers: bearer(token) }), 401, "AUTH_REVOKED");
      // Other tokens of the agency are untouched.
      expect((await post(t, t.tokens.amr, "/v1/certificates", { type: "business-licence", claims: exampleClaims("business-licence") })).statusCode).to.equal(201);
    });

    it("refuses unknown token ids, another agency's tokens, agencies the node does not serve and non-root callers", async () => {
      const minted = (await post(t, t.tokens.root, "/v1/agencies/sh-mca/tokens", {})).json();
      expectError(await t.app.inject({ method: "DELETE", url: `/v1/agencies/sh-amr/tokens/${minted.id}`, headers: bearer(t.tokens.root) }), 404, "TOKEN_NOT_FOUND");
      expectError(await t.app.inject({ method: "DELETE", url: "/v1/agencies/sh-mca/tokens/no-such-token", headers: bearer(t.tokens.root) }), 404, "TOKEN_NOT_FOUND");
      expectError(await t.app.inject({ method: "DELETE", url: `/v1/agencies/sh-mca/tokens/${minted.id}`, headers: bearer(t.tokens.mca) }), 403, "FORBIDDEN");
      expectError(await post(t, t.tokens.root, "/v1/agencies/sh-nobody/tokens", {}), 404, "AGENCY_NOT_FOUND");
      expectError(await post(t, t.tokens.amr, "/v1/agencies/sh-amr/tokens", {}), 403, "FORBIDDEN");
    });
  });
});
