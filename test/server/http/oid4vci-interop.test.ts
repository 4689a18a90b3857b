import { createHash, randomBytes } from "node:crypto";
import hre from "hardhat";
import { expect } from "chai";
import { SignJWT, exportJWK, generateKeyPair, type JWK } from "jose";
import { Openid4vciClient } from "@openid4vc/openid4vci";
import { clientAuthenticationAnonymous, setGlobalConfig } from "@openid4vc/oauth2";
import { createPendingEnvelope, credentialLeaf, createWebCryptoHolderSigner, presentWithKeyBinding, verifyPresentation, type Hex } from "@certchain/sdk";
import { freePort } from "../../support/ports";
import { SOCIAL_SECURITY_CARD, socialSecurityClaims } from "../../support/social-security-card";
import { verifyWithStandardLibrary } from "../../support/standard-verifier";
import { bearer, buildTestApp, type TestApp } from "./support";

/**
 * Interop: a credential offer redeemed by an independent OpenID4VCI 1.0 client,
 * `@openid4vc/openid4vci` (the library under Credo; the product's own wallet uses none), with its
 * wallet key in jose: the offer by reference, the metadata, the token with the PIN, a c_nonce,
 * the key proof and the credential request are all the library's. The credential it receives
 * verifies with `@sd-jwt/sd-jwt-vc` and, holder-bound, with our SDK.
 */
describe("Interop: an offer redeemed by @openid4vc/openid4vci", function () {
  let t: TestApp;
  let baseUrl: string;

  before(async () => {
    // The test service speaks plain HTTP on 127.0.0.1; the library refuses http URLs unless told.
    setGlobalConfig({ allowInsecureUrls: true });
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    t = await buildTestApp({}, { publicUrl: baseUrl });
    await t.app.listen({ port, host: "127.0.0.1" });
    expect((await t.app.inject({ method: "POST", url: "/v1/types", headers: bearer(t.tokens.root), payload: SOCIAL_SECURITY_CARD })).statusCode).to.equal(201);
    expect((await t.app.inject({ method: "POST", url: "/v1/agencies/sh-amr/accreditations", headers: bearer(t.tokens.root), payload: { type: "social-security-card" } })).statusCode).to.equal(201);
  });
  after(async () => {
    setGlobalConfig({ allowInsecureUrls: false });
    await t?.close();
  });

  it("offer_url with a PIN → library client → SD-JWT VC with cnf.jwk, valid to @sd-jwt/sd-jwt-vc and to verifyPresentation", async () => {
    const issued = await t.app.inject({ method: "POST", url: "/v1/certificates", headers: { ...bearer(t.tokens.amr), prefer: "wait=30" }, payload: { type: "social-security-card", claims: socialSecurityClaims() } });
    expect(issued.statusCode, issued.body).to.equal(201);
    const offer = (await t.app.inject({ method: "POST", url: `/v1/certificates/${issued.json().id}/offer`, headers: bearer(t.tokens.amr), payload: { tx_code: true } })).json();

    // The wallet's key: P-256 in WebCrypto, signed through jose (nothing of ours signs for the library).
    const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: false });
    const publicJwk = (await exportJWK(publicKey)) as JWK & { kty: string };
    const client = new Openid4vciClient({
      callbacks: {
        fetch,
        hash: (data, alg) => new Uint8Array(createHash(alg.replace("-", "").toLowerCase()).update(data).digest()),
        generateRandom: (bytes) => new Uint8Array(randomBytes(bytes)),
        clientAuthentication: clientAuthenticationAnonymous(),
        signJwt: async (signer, { header, payload }) => {
          expect(signer.method).to.equal("jwk");
          const jwt = await new SignJWT(payload as Record<string, unknown>).setProtectedHeader(header as { alg: string }).sign(privateKey);
          return { jwt, signerJwk: publicJwk };
        },
      },
    });

    const credentialOffer = await client.resolveCredentialOffer(offer.offer_url);
    expect(credentialOffer.credential_issuer).to.equal(`${baseUrl}/agencies/sh-amr`);
    const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
    const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({ credentialOffer, issuerMetadata, txCode: offer.tx_code });
    const { c_nonce } = await client.requestNonce({ issuerMetadata });
    const credentialConfigurationId = credentialOffer.credential_configuration_ids[0];
    const { jwt } = await client.createCredentialRequestJwtProof({
      issuerMetadata,
      credentialConfigurationId,
      nonce: c_nonce,
      signer: { method: "jwk", alg: "ES256", publicJwk },
    });
    const response = await client.retrieveCredentials({ issuerMetadata, credentialConfigurationId, accessToken: accessTokenResponse.access_token, proofs: { jwt: [jwt] } });
    expect(response.credentialResponse.credentials).to.have.length(1);
    const [first] = response.credentialResponse.credentials as { credential: string }[];
    const credential = first.credential;

    const standard = await verifyWithStandardLibrary(credential);
    expect(standard.payload.cnf.jwk).to.deep.include({ kty: "EC", crv: "P-256", x: publicJwk.x, y: publicJwk.y });
    expect(standard.payload.certificate_number).to.be.a("string");
    expect(standard.status).to.equal(0);

    // Holder-bound for our SDK too: a presentation signed with the library wallet's key verifies.
    await (t.service as unknown as { flush(): Promise<void> }).flush();
    const holderSigner = await createWebCryptoHolderSigner({ privateKey: privateKey as CryptoKey, publicKey: publicKey as CryptoKey });
    const registries = [{ chainId: 31337, address: t.registry as Hex, provider: hre.ethers.provider }];
    const presentation = await presentWithKeyBinding(createPendingEnvelope(credential, 31337, t.registry), { disclose: [["card_number"]], nonce: "r-1", audience: "x509_hash:dept", holderSigner });
    const result = await verifyPresentation(presentation, { registries, nonce: "r-1", audience: "x509_hash:dept", proofServices: [baseUrl] });
    expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
    expect(result.credentials[0].holderBinding).to.deep.include({ required: true, checked: true });
    expect(result.credentials[0].claims).to.deep.equal({ card_number: socialSecurityClaims().card_number });
    expect(credentialLeaf(credential)).to.not.equal(credentialLeaf(issued.json().envelope.credential));
  });
});
