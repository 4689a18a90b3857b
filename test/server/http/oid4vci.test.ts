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
import { OID4VCI_RATE_LIMITS } from "../../../server/routes/oid4vci";
import { MAX_HOLDER_COPIES } from "../../../server/service/holder-copies";
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

  describe("attacks and mistakes", function () {
    /** An offer redeemed up to its access token (and the pieces a wallet has then). */
    async function redeemed(body?: object) {
      const certificate = await issueAnchored();
      const made = await offer(certificate.id, body);
      const code = made.credential_offer.grants[PRE_AUTHORIZED_GRANT]["pre-authorized_code"];
      const token = await tokenRequest(t.app, `${baseUrl}/agencies/sh-amr/token`, { grant_type: PRE_AUTHORIZED_GRANT, "pre-authorized_code": code });
      expect(token.statusCode, token.body).to.equal(200);
      return { certificate, made, code, accessToken: token.json().access_token as string };
    }
    const nonce = async (agency = "sh-amr") => (await t.app.inject({ method: "POST", url: `/agencies/${agency}/nonce` })).json().c_nonce as string;
    const credentialRequest = (accessToken: string | undefined, payload: unknown, agency = "sh-amr") =>
      t.app.inject({ method: "POST", url: `/agencies/${agency}/credential`, headers: { ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}), "content-type": "application/json" }, payload: JSON.stringify(payload) });
    const proofFor = async (holderSigner: Awaited<ReturnType<typeof deviceKey>>, options: { nonce?: string; issuer?: string } = {}) =>
      createKeyProof({ credentialIssuer: options.issuer ?? `${baseUrl}/agencies/sh-amr`, nonce: options.nonce ?? (await nonce()), holderSigner });
    const request = (proof: string) => ({ credential_configuration_id: "business-licence", proofs: { jwt: [proof] } });

    it("a pre-authorized code works once: a reused code is invalid_grant, and its offer URI is gone (410)", async () => {
      const { made, code } = await redeemed();
      expectOAuthError(await tokenRequest(t.app, `${baseUrl}/agencies/sh-amr/token`, { grant_type: PRE_AUTHORIZED_GRANT, "pre-authorized_code": code }), 400, "invalid_grant", "PRE_AUTHORIZED_CODE_INVALID");
      expectError(await t.app.inject({ method: "GET", url: pathOf(made.credential_offer_uri) }), 410, "OFFER_GONE");
      // A made-up code, and the code at another agency's token endpoint.
      expectOAuthError(await tokenRequest(t.app, `${baseUrl}/agencies/sh-amr/token`, { grant_type: PRE_AUTHORIZED_GRANT, "pre-authorized_code": "x".repeat(43) }), 400, "invalid_grant");
      const other = await offer((await issueAnchored()).id);
      expectOAuthError(await tokenRequest(t.app, `${baseUrl}/agencies/sh-mca/token`, { grant_type: PRE_AUTHORIZED_GRANT, "pre-authorized_code": other.credential_offer.grants[PRE_AUTHORIZED_GRANT]["pre-authorized_code"] }), 400, "invalid_grant");
    });

    it("concurrent redemptions of one code: exactly one access token", async () => {
      const made = await offer((await issueAnchored()).id);
      const code = made.credential_offer.grants[PRE_AUTHORIZED_GRANT]["pre-authorized_code"];
      const replies = await Promise.all(Array.from({ length: 6 }, () => tokenRequest(t.app, `${baseUrl}/agencies/sh-amr/token`, { grant_type: PRE_AUTHORIZED_GRANT, "pre-authorized_code": code })));
      expect(replies.filter((r) => r.statusCode === 200)).to.have.length(1);
      for (const r of replies.filter((r) => r.statusCode !== 200)) expectOAuthError(r, 400, "invalid_grant", "PRE_AUTHORIZED_CODE_INVALID");
    });

    it("concurrent credential requests with one token: one credential; another key is refused, the same key gets the same credential again", async () => {
      const { certificate, accessToken } = await redeemed();
      const [a, b] = [await deviceKey(), await deviceKey()];
      const replies = await Promise.all([credentialRequest(accessToken, request(await proofFor(a))), credentialRequest(accessToken, request(await proofFor(b)))]);
      const ok = replies.filter((r) => r.statusCode === 200);
      expect(ok, replies.map((r) => r.body).join("\n")).to.have.length(1);
      expectOAuthError(replies.find((r) => r.statusCode !== 200)!, 400, "credential_request_denied");
      const winner = (parseCredential(ok[0].json().credentials[0].credential).payload.cnf as { jwk: { x: string } }).jwk.x === a.publicJwk.x ? a : b;
      const again = await credentialRequest(accessToken, request(await proofFor(winner)));
      expect(again.statusCode, again.body).to.equal(200);
      expect(again.json().credentials[0].credential).to.equal(ok[0].json().credentials[0].credential);
      // One holder copy: one more leaf waits for anchoring, not two.
      await (t.service as unknown as { flush(): Promise<void> }).flush();
      const leaves = [credentialLeaf(certificate.envelope.credential), credentialLeaf(ok[0].json().credentials[0].credential)];
      for (const leaf of leaves) expect((await t.app.inject({ method: "GET", url: `/v1/proofs/${leaf}` })).statusCode).to.equal(200);
    });

    it("wrong PINs: invalid_grant, and the fifth locks the offer (even the right PIN is refused after)", async () => {
      const made = await offer((await issueAnchored()).id, { tx_code: true });
      expect(made.tx_code).to.match(/^\d{6}$/);
      expect(made.credential_offer.grants[PRE_AUTHORIZED_GRANT].tx_code).to.deep.include({ input_mode: "numeric", length: 6 });
      const code = made.credential_offer.grants[PRE_AUTHORIZED_GRANT]["pre-authorized_code"];
      const endpoint = `${baseUrl}/agencies/sh-amr/token`;
      expectOAuthError(await tokenRequest(t.app, endpoint, { grant_type: PRE_AUTHORIZED_GRANT, "pre-authorized_code": code }), 400, "invalid_request", "TX_CODE_MISSING");
      const wrong = made.tx_code === "000000" ? "111111" : "000000";
      for (let i = 1; i <= 4; i++) expectOAuthError(await tokenRequest(t.app, endpoint, { grant_type: PRE_AUTHORIZED_GRANT, "pre-authorized_code": code, tx_code: wrong }), 400, "invalid_grant", "TX_CODE_WRONG");
      expectOAuthError(await tokenRequest(t.app, endpoint, { grant_type: PRE_AUTHORIZED_GRANT, "pre-authorized_code": code, tx_code: wrong }), 400, "invalid_grant", "TX_CODE_LOCKED");
      expectOAuthError(await tokenRequest(t.app, endpoint, { grant_type: PRE_AUTHORIZED_GRANT, "pre-authorized_code": code, tx_code: made.tx_code }), 400, "invalid_grant", "TX_CODE_LOCKED");
      expectError(await t.app.inject({ method: "GET", url: pathOf(made.credential_offer_uri) }), 410, "OFFER_GONE");
      // The right PIN on a fresh offer works; a PIN where none was asked is a malformed request.
      const fresh = await offer((await issueAnchored()).id, { tx_code: true });
      const holder = await deviceKey();
      expect((await collect(t.app, fresh.credential_offer_uri, holder, { txCode: fresh.tx_code })).credential).to.be.a("string");
      const plain = await offer((await issueAnchored()).id);
      expectOAuthError(await tokenRequest(t.app, endpoint, { grant_type: PRE_AUTHORIZED_GRANT, "pre-authorized_code": plain.credential_offer.grants[PRE_AUTHORIZED_GRANT]["pre-authorized_code"], tx_code: "123456" }), 400, "invalid_request", "TX_CODE_UNEXPECTED");
    });

    it("key proofs: for another issuer (invalid_proof), with another issuer's, a used or a made-up c_nonce (invalid_nonce), a private key in the jwk (invalid_proof), none at all", async () => {
      const { accessToken } = await redeemed();
      const holder = await deviceKey();
      expectOAuthError(await credentialRequest(accessToken, request(await proofFor(holder, { issuer: `${baseUrl}/agencies/sh-mca` }))), 400, "invalid_proof", "KEY_PROOF_AUDIENCE_MISMATCH");
      expectOAuthError(await credentialRequest(accessToken, request(await proofFor(holder, { nonce: await nonce("sh-mca") }))), 400, "invalid_nonce", "C_NONCE_INVALID");
      expectOAuthError(await credentialRequest(accessToken, request(await proofFor(holder, { nonce: "bm90LWEtbm9uY2UtZnJvbS10aGlzLWlzc3Vlcg" }))), 400, "invalid_nonce", "C_NONCE_INVALID");
      expectOAuthError(await credentialRequest(accessToken, { credential_configuration_id: "business-licence" }), 400, "invalid_proof", "KEY_PROOF_MALFORMED");
      // A proof whose jwk carries the private key: signed by that key, refused, never bound.
      const extractable = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
      const privateJwk = await crypto.subtle.exportKey("jwk", extractable.privateKey);
      const leaky = { ...holder, publicJwk: { kty: "EC", crv: "P-256", x: privateJwk.x!, y: privateJwk.y!, d: privateJwk.d! } as any, sign: async (input: Uint8Array) => new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, extractable.privateKey, input as BufferSource)) };
      expectOAuthError(await credentialRequest(accessToken, request(await proofFor(leaky))), 400, "invalid_proof", "KEY_PROOF_PRIVATE_KEY");
      // A c_nonce works once: after a credential was issued with it, it is refused for another offer.
      const used = await nonce();
      expect((await credentialRequest(accessToken, request(await proofFor(holder, { nonce: used })))).statusCode).to.equal(200);
      const second = await redeemed();
      expectOAuthError(await credentialRequest(second.accessToken, request(await proofFor(holder, { nonce: used }))), 400, "invalid_nonce", "C_NONCE_INVALID");
    });

    it("access tokens and requests: none or unknown (401 invalid_token), another agency's endpoint, another configuration, proof (singular), batch, encryption", async () => {
      const { accessToken } = await redeemed();
      const holder = await deviceKey();
      const missing = expectOAuthError(await credentialRequest(undefined, request(await proofFor(holder))), 401, "invalid_token", "ACCESS_TOKEN_INVALID");
      expect(missing.error_description).to.be.a("string");
      const unknown = await credentialRequest("not-a-token", request(await proofFor(holder)));
      expectOAuthError(unknown, 401, "invalid_token");
      expect(unknown.headers["www-authenticate"]).to.equal('Bearer error="invalid_token"');
      expectOAuthError(await credentialRequest(accessToken, request(await proofFor(holder, { nonce: await nonce("sh-mca"), issuer: `${baseUrl}/agencies/sh-mca` })), "sh-mca"), 401, "invalid_token");
      expectOAuthError(await credentialRequest(accessToken, { ...request(await proofFor(holder)), credential_configuration_id: "marriage-certificate" }), 400, "unknown_credential_configuration");
      expectOAuthError(await credentialRequest(accessToken, { credential_configuration_id: "business-licence", proof: { proof_type: "jwt", jwt: await proofFor(holder) } }), 400, "invalid_credential_request");
      expectOAuthError(await credentialRequest(accessToken, { credential_configuration_id: "business-licence", proofs: { jwt: [await proofFor(holder), await proofFor(holder)] } }), 400, "invalid_credential_request");
      expectOAuthError(await credentialRequest(accessToken, { ...request(await proofFor(holder)), credential_response_encryption: { enc: "A256GCM" } }), 400, "invalid_encryption_parameters");
      expectOAuthError(await credentialRequest(accessToken, { credential_identifier: "x", proofs: { jwt: [await proofFor(holder)] } }), 400, "unknown_credential_identifier");
      expectOAuthError(await credentialRequest(accessToken, [1, 2]), 400, "invalid_credential_request");
      // The token endpoint: another grant type, JSON instead of a form, a parameter twice.
      expectOAuthError(await tokenRequest(t.app, `${baseUrl}/agencies/sh-amr/token`, { grant_type: "authorization_code", code: "x" }), 400, "unsupported_grant_type");
      expectOAuthError(await t.app.inject({ method: "POST", url: "/agencies/sh-amr/token", payload: { grant_type: PRE_AUTHORIZED_GRANT } }), 415, "invalid_request");
      const twice = await t.app.inject({ method: "POST", url: "/agencies/sh-amr/token", headers: { "content-type": "application/x-www-form-urlencoded" }, payload: `grant_type=${encodeURIComponent(PRE_AUTHORIZED_GRANT)}&pre-authorized_code=a&pre-authorized_code=b` });
      expectOAuthError(twice, 400, "invalid_request", "TOKEN_REQUEST_INVALID");
      // Metadata only for agencies this node serves.
      expectError(await t.app.inject({ method: "GET", url: "/.well-known/openid-credential-issuer/agencies/nobody" }), 404, "AGENCY_NOT_FOUND");
    });

    it("an expired offer: its URI is gone and its code is invalid_grant; an expired access token is invalid_token; a day after expiry the offer and its index entries are purged", async () => {
      const made = await offer((await issueAnchored()).id);
      const db = (t.service as unknown as { db: import("../../../server/store/database").Database }).db;
      const { createOfferStore } = await import("../../../server/store/offer-store");
      const store = createOfferStore(db);
      const stored = (await store.get(made.id))!;
      await db.write(store.updateOps({ ...stored, expiresAt: new Date(Date.now() - 1000).toISOString() }));
      expectError(await t.app.inject({ method: "GET", url: pathOf(made.credential_offer_uri) }), 410, "OFFER_GONE");
      expectOAuthError(await tokenRequest(t.app, `${baseUrl}/agencies/sh-amr/token`, { grant_type: PRE_AUTHORIZED_GRANT, "pre-authorized_code": made.credential_offer.grants[PRE_AUTHORIZED_GRANT]["pre-authorized_code"] }), 400, "invalid_grant", "PRE_AUTHORIZED_CODE_INVALID");
      const { made: other, accessToken } = await redeemed();
      const redeemedRecord = (await store.get(other.id))!;
      await db.write(store.updateOps({ ...redeemedRecord, tokenExpiresAt: new Date(Date.now() - 1000).toISOString() }));
      expectOAuthError(await credentialRequest(accessToken, request(await proofFor(await deviceKey()))), 401, "invalid_token");
      // A day after expiry an offer is purged, with its code's and token's index entries; a live one stays.
      const live = await offer((await issueAnchored()).id);
      await db.write(store.updateOps({ ...(await store.get(made.id))!, expiresAt: new Date(Date.now() - 25 * 3600_000).toISOString() }));
      await db.write(store.updateOps({ ...(await store.get(other.id))!, expiresAt: new Date(Date.now() - 25 * 3600_000).toISOString(), tokenExpiresAt: new Date(Date.now() - 25 * 3600_000).toISOString() }));
      expect(await t.service.purgeOffers()).to.equal(2);
      expect(await store.get(made.id)).to.equal(undefined);
      expect(await store.byToken(accessToken)).to.equal(undefined);
      expect(await store.byCode(made.credential_offer.grants[PRE_AUTHORIZED_GRANT]["pre-authorized_code"])).to.equal(undefined);
      expect((await store.get(live.id))?.state).to.equal("offered");
    });

    it("offers: another agency's certificate (403), a revoked one (409 CERT_NOT_OFFERABLE), a certificate revoked after its offer (credential_request_denied), a bad expiry (400)", async () => {
      const certificate = await issueAnchored();
      expectError(await t.app.inject({ method: "POST", url: `/v1/certificates/${certificate.id}/offer`, headers: bearer(t.tokens.mca) }), 403, "FORBIDDEN_AGENCY");
      expectError(await t.app.inject({ method: "POST", url: `/v1/certificates/${certificate.id}/offer`, headers: bearer(t.tokens.amr), payload: { expires_in: 10 } }), 400, "VALIDATION_FAILED");
      expectError(await t.app.inject({ method: "POST", url: `/v1/certificates/${certificate.id}/offer` }), 401, "AUTH_MISSING");
      const { certificate: later, accessToken } = await redeemed();
      const revoke = (id: string) => t.app.inject({ method: "POST", url: `/v1/certificates/${id}/revoke`, headers: bearer(t.tokens.amr), payload: { reason: 1 } });
      expect((await revoke(later.id)).statusCode).to.equal(200);
      expectOAuthError(await credentialRequest(accessToken, request(await proofFor(await deviceKey()))), 400, "credential_request_denied");
      expect((await revoke(certificate.id)).statusCode).to.equal(200);
      const refused = expectError(await t.app.inject({ method: "POST", url: `/v1/certificates/${certificate.id}/offer`, headers: bearer(t.tokens.amr) }), 409, "CERT_NOT_OFFERABLE");
      expect(refused.details).to.deep.equal([{ status: "revoked" }]);
    });

    it("a certificate is collected at most 16 times: an offer made before the 16th is refused at the credential endpoint, a 17th offer at once (409)", async () => {
      const certificate = await issueAnchored();
      const spare = await offer(certificate.id);
      for (let i = 0; i < MAX_HOLDER_COPIES; i++) await collect(t.app, (await offer(certificate.id)).credential_offer_uri, await deviceKey());
      const refused = expectError(await t.app.inject({ method: "POST", url: `/v1/certificates/${certificate.id}/offer`, headers: bearer(t.tokens.amr) }), 409, "CERT_NOT_OFFERABLE");
      expect(refused.details).to.deep.equal([{ copies: MAX_HOLDER_COPIES }]);
      const token = await tokenRequest(t.app, `${baseUrl}/agencies/sh-amr/token`, { grant_type: PRE_AUTHORIZED_GRANT, "pre-authorized_code": spare.credential_offer.grants[PRE_AUTHORIZED_GRANT]["pre-authorized_code"] });
      expectOAuthError(await credentialRequest(token.json().access_token, request(await proofFor(await deviceKey()))), 400, "credential_request_denied", "CREDENTIAL_REQUEST_DENIED");
    });

    it("rate limits per client IP on the public endpoints: the token endpoint's 31st request in a minute is 429 slow_down, in OAuth's shape", async () => {
      const limited = await t.appWith({ rateLimit: { max: 10_000, timeWindowMs: 60_000 } });
      const form = { grant_type: PRE_AUTHORIZED_GRANT, "pre-authorized_code": "made-up" };
      const replies = [];
      for (let i = 0; i <= OID4VCI_RATE_LIMITS.token; i++) replies.push(await tokenRequest(limited, `${baseUrl}/agencies/sh-amr/token`, form));
      expect(replies.slice(0, -1).map((r) => r.statusCode)).to.deep.equal(Array(OID4VCI_RATE_LIMITS.token).fill(400));
      expectOAuthError(replies[replies.length - 1], 429, "slow_down", "RATE_LIMITED");
      // Another endpoint has its own budget.
      expect((await limited.inject({ method: "POST", url: "/agencies/sh-amr/nonce" })).statusCode).to.equal(200);
    });
  });
});
