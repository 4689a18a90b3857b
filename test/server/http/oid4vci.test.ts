import hre from "hardhat";
import { expect } from "chai";
import {
  credentialLeaf,
  parseCredential,
  presentWithKeyBinding,
  verify,
  verifyPresentation,
  createKeyProof,
  createPendingEnvelope,
  type Hex,
} from "@certchain/sdk";
import { freePort } from "../../support/ports";
import { SOCIAL_SECURITY_CARD, socialSecurityClaims } from "../../support/social-security-card";
import { verifyWithStandardLibrary } from "../../support/standard-verifier";
import { bearer, buildTestApp, exampleClaims, expectError, waitForStatus, type TestApp } from "./support";
import { PRE_AUTHORIZED_GRANT, collect, deviceKey, expectOAuthError, pathOf, tokenRequest } from "./oid4vci-support";

describe("HTTP: collecting a certificate into a wallet (OpenID4VCI 1.0, pre-authorized code)", function () {
  let t: TestApp;
  let baseUrl: string;
  let registries: { chainId: number; address: Hex; provider: typeof hre.ethers.provider }[];

  before(async () => {
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    t = await buildTestApp({}, { publicUrl: baseUrl });
    await t.app.listen({ port, host: "127.0.0.1" });
    registries = [{ chainId: 31337, address: t.registry, provider: hre.ethers.provider }];
    // A type added through the API has an https vct a standard verifier can fetch (built-ins are URNs).
    const added = await t.app.inject({ method: "POST", url: "/v1/types", headers: bearer(t.tokens.root), payload: SOCIAL_SECURITY_CARD });
    expect(added.statusCode, added.body).to.equal(201);
    const accredited = await t.app.inject({ method: "POST", url: "/v1/agencies/sh-amr/accreditations", headers: bearer(t.tokens.root), payload: { type: "social-security-card" } });
    expect(accredited.statusCode, accredited.body).to.equal(201);
  });
  after(async () => t?.close());

  const claimsOf = (type: string) => (type === "social-security-card" ? socialSecurityClaims() : exampleClaims(type));
  const issueAnchored = async (token = t.tokens.amr, type = "business-licence") => {
    const res = await t.app.inject({ method: "POST", url: "/v1/certificates", headers: { ...bearer(token), prefer: "wait=30" }, payload: { type, claims: claimsOf(type) } });
    expect(res.statusCode, res.body).to.equal(201);
    return res.json() as { id: string; envelope: { credential: string } };
  };
  const offer = async (id: string, body?: object, token = t.tokens.amr) => {
    const res = await t.app.inject({ method: "POST", url: `/v1/certificates/${id}/offer`, headers: bearer(token), ...(body ? { payload: body } : {}) });
    expect(res.statusCode, res.body).to.equal(201);
    return res.json();
  };

  it("a wallet played by hand: offer → metadata → token → nonce → credential; the credential is the certificate bound to the device key", async () => {
    const certificate = await issueAnchored(t.tokens.amr, "social-security-card");
    const made = await offer(certificate.id);
    const issuer = `${baseUrl}/agencies/sh-amr`;
    expect(made.credential_offer).to.deep.equal({
      credential_issuer: issuer,
      credential_configuration_ids: ["social-security-card"],
      grants: { [PRE_AUTHORIZED_GRANT]: { "pre-authorized_code": made.credential_offer.grants[PRE_AUTHORIZED_GRANT]["pre-authorized_code"] } },
    });
    expect(made.credential_offer_uri).to.equal(`${issuer}/credential-offers/${made.id}`);
    expect(made.offer_url).to.equal(`openid-credential-offer://?credential_offer_uri=${encodeURIComponent(made.credential_offer_uri)}`);
    expect(made.link).to.equal(`${baseUrl}/wallet#credential_offer_uri=${encodeURIComponent(made.credential_offer_uri)}`);
    expect(made.qr).to.match(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(Date.parse(made.expires_at) - Date.now()).to.be.within(23.9 * 3600_000, 24 * 3600_000);
    expect(made).to.not.have.property("tx_code");

    const holder = await deviceKey();
    const { credential, responses } = await collect(t.app, made.credential_offer_uri, holder);
    // What the wallet read on the way.
    expect(responses.offer.json()).to.deep.equal(made.credential_offer);
    const metadata = responses.metadata.json();
    expect(metadata.credential_issuer).to.equal(issuer);
    expect(metadata.nonce_endpoint).to.equal(`${issuer}/nonce`);
    expect(metadata.credential_endpoint).to.equal(`${issuer}/credential`);
    expect(metadata).to.not.have.property("authorization_servers");
    expect(metadata.credential_configurations_supported).to.have.property("business-licence");
    const configuration = metadata.credential_configurations_supported["social-security-card"];
    expect(configuration).to.include({ format: "dc+sd-jwt", vct: parseCredential(certificate.envelope.credential).payload.vct });
    expect(configuration.cryptographic_binding_methods_supported).to.deep.equal(["jwk"]);
    expect(configuration.proof_types_supported.jwt.proof_signing_alg_values_supported).to.include("ES256");
    expect(configuration.credential_metadata.display).to.deep.include({ name: "社会保障卡", locale: "zh-CN" });
    expect(configuration.credential_metadata.claims.map((c: any) => c.path)).to.deep.include(["holder"]);
    // sh-amr is not accredited for marriage certificates: no configuration for them.
    expect(metadata.credential_configurations_supported).to.not.have.property("marriage-certificate");
    expect(responses.authorizationServer.json()).to.deep.include({ issuer, token_endpoint: `${issuer}/token`, "pre-authorized_grant_anonymous_access_supported": true });
    expect(responses.token.json()).to.include({ token_type: "Bearer", expires_in: 600 });
    for (const step of ["token", "nonce", "credential"]) expect(responses[step].headers["cache-control"], step).to.equal("no-store");

    // Same certificate, number, claims and validity; the holder's key in cnf.jwk; a leaf of its own.
    const original = parseCredential(certificate.envelope.credential).payload;
    const bound = parseCredential(credential).payload;
    expect(bound.cnf).to.deep.equal({ jwk: holder.publicJwk });
    for (const claim of ["iss", "vct", "vct#integrity", "certificate_number", "nbf", "status"]) expect(bound[claim], claim).to.deep.equal(original[claim]);
    expect(credentialLeaf(credential)).to.not.equal(credentialLeaf(certificate.envelope.credential));
    const leaf = credentialLeaf(credential);

    // Pending like any new credential; its proof comes from GET /v1/proofs/<leaf>.
    await (t.service as unknown as { flush(): Promise<void> }).flush();
    const proof = await t.app.inject({ method: "GET", url: `/v1/proofs/${leaf}` });
    expect(proof.statusCode, proof.body).to.equal(200);
    expect(proof.json().root).to.match(/^0x[0-9a-f]{64}$/);
    const pending = createPendingEnvelope(credential, 31337, t.registry, baseUrl);
    const checked = await verify(pending, { registries, proofServices: [baseUrl] });
    expect(checked.verdict, JSON.stringify(checked.reason)).to.equal("valid");
    expect(checked.claims).to.deep.equal(socialSecurityClaims());

    // A standard SD-JWT VC verifier (@sd-jwt/sd-jwt-vc, keys from /.well-known/jwt-vc-issuer) accepts it.
    const standard = await verifyWithStandardLibrary(credential);
    expect(standard.payload.cnf).to.deep.equal({ jwk: holder.publicJwk });
    expect(standard.status).to.equal(0);

    // And it presents with key binding: the SDK checks the holder.
    const anchored = checked.envelope!;
    const presentation = await presentWithKeyBinding(anchored, { disclose: [["holder"]], nonce: "n-1", audience: "x509_hash:dept", holderSigner: holder });
    const result = await verifyPresentation(presentation, { registries, nonce: "n-1", audience: "x509_hash:dept", proofServices: [baseUrl] });
    expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
    expect(result.credentials[0].holderBinding.checked).to.equal(true);

    // The certificate's own record is untouched; the copy is no certificate of its own.
    const record = await t.app.inject({ method: "GET", url: `/v1/certificates/${certificate.id}`, headers: bearer(t.tokens.amr) });
    expect(record.json().envelope.credential).to.equal(certificate.envelope.credential);
  });
});
