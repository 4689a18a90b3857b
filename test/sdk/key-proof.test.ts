import { expect } from "chai";
import { generateKeyPairSync } from "node:crypto";
import { EmbeddedJWK, SignJWT, exportJWK, jwtVerify } from "jose";
import { KEY_PROOF_CODES, createKeyProof, createWebCryptoHolderSigner, verifyKeyProof, type HolderSigner, type VerifyKeyProofOptions } from "@certchain/sdk";

const issuer = "https://certs.example.gov.cn/agencies/sh-amr";
const nonce = "wKI4LT17ac15ES9bw8ac4";

async function deviceKey(alg: "ES256" | "EdDSA" = "ES256"): Promise<HolderSigner> {
  const params = alg === "ES256" ? { name: "ECDSA", namedCurve: "P-256" } : { name: "Ed25519" };
  return createWebCryptoHolderSigner((await crypto.subtle.generateKey(params, false, ["sign", "verify"])) as CryptoKeyPair);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const options = (extra: Partial<VerifyKeyProofOptions> = {}): VerifyKeyProofOptions => ({ credentialIssuer: issuer, nonce, ...extra });

async function expectCode(jwt: unknown, code: keyof typeof KEY_PROOF_CODES, extra: Partial<VerifyKeyProofOptions> = {}) {
  await verifyKeyProof(jwt, options(extra)).then(
    () => expect.fail(`accepted, expected ${code}`),
    (error) => expect(error.code, error.message).to.equal(code),
  );
}

/** Signs header.payload with the holder key: a wallet that follows the rules only partly. */
async function signed(holder: HolderSigner, header: Record<string, unknown>, payload: Record<string, unknown>) {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${Buffer.from(await holder.sign(new TextEncoder().encode(input))).toString("base64url")}`;
}

describe("sdk: OpenID4VCI key proofs (jwt proof type)", function () {
  let holder: HolderSigner;
  const now = () => Math.floor(Date.now() / 1000);

  before(async function () {
    holder = await deviceKey();
  });

  for (const alg of ["ES256", "EdDSA"] as const) {
    it(`round-trips with a non-extractable ${alg} WebCrypto key and returns the key to bind`, async function () {
      const key = alg === "ES256" ? holder : await deviceKey("EdDSA");
      const jwt = await createKeyProof({ credentialIssuer: issuer, nonce, holderSigner: key });
      const [header, payload] = jwt.split(".").slice(0, 2).map((p) => JSON.parse(Buffer.from(p, "base64url").toString()));
      expect(header).to.deep.equal({ alg, typ: "openid4vci-proof+jwt", jwk: key.publicJwk });
      expect(payload).to.have.keys("aud", "iat", "nonce");
      expect(payload).not.to.have.property("iss");
      const verified = await verifyKeyProof(jwt, options());
      expect(verified).to.deep.include({ jwk: key.publicJwk, alg });
      expect(verified.thumbprint).to.match(/^[A-Za-z0-9_-]{43}$/);
    });
  }

  it("is what jose verifies with the embedded jwk, and accepts a proof jose signed (another implementation)", async function () {
    const jwt = await createKeyProof({ credentialIssuer: issuer, nonce, holderSigner: holder });
    const { payload, protectedHeader } = await jwtVerify(jwt, EmbeddedJWK, { audience: issuer, typ: "openid4vci-proof+jwt" });
    expect(payload.nonce).to.equal(nonce);
    expect(protectedHeader.alg).to.equal("ES256");
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = await exportJWK(publicKey);
    const foreign = await new SignJWT({ nonce }).setProtectedHeader({ alg: "ES256", typ: "openid4vci-proof+jwt", jwk }).setAudience(issuer).setIssuedAt().sign(privateKey);
    expect((await verifyKeyProof(foreign, options())).jwk).to.deep.equal({ kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y });
  });

  it("refuses each fault with its stable code, and says which OpenID4VCI error to answer with", async function () {
    const good = { aud: issuer, iat: now(), nonce };
    const header = { alg: "ES256", typ: "openid4vci-proof+jwt", jwk: holder.publicJwk };
    await expectCode("not a jwt", "KEY_PROOF_MALFORMED");
    await expectCode(42, "KEY_PROOF_MALFORMED");
    await expectCode(await signed(holder, { ...header, typ: "JWT" }, good), "KEY_PROOF_WRONG_TYPE");
    await expectCode(`${b64({ ...header, alg: "none" })}.${b64(good)}.`, "KEY_PROOF_ALGORITHM_NOT_ALLOWED");
    await expectCode(await signed(holder, { ...header, alg: "HS256" }, good), "KEY_PROOF_ALGORITHM_NOT_ALLOWED");
    await expectCode(await signed(await deviceKey("EdDSA"), { ...header, alg: "EdDSA", jwk: (await deviceKey("EdDSA")).publicJwk }, good), "KEY_PROOF_ALGORITHM_NOT_ALLOWED", { algorithms: ["ES256"] });
    await expectCode(await signed(holder, { alg: "ES256", typ: "openid4vci-proof+jwt", kid: "did:example:123#1" }, good), "KEY_PROOF_KEY_UNSUPPORTED");
    const privateJwk = { ...(await exportJWK(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey)) };
    await expectCode(await signed(holder, { ...header, jwk: privateJwk }, good), "KEY_PROOF_PRIVATE_KEY");
    await expectCode(await signed(holder, { ...header, alg: "EdDSA" }, good), "KEY_PROOF_KEY_UNSUPPORTED");
    // Signed by another key than the header's jwk; and altered after signing.
    await expectCode(await signed(await deviceKey(), header, good), "KEY_PROOF_SIGNATURE_INVALID");
    const genuine = await signed(holder, header, good);
    const [h, , s] = genuine.split(".");
    await expectCode(`${h}.${b64({ ...good, nonce: "other" })}.${s}`, "KEY_PROOF_SIGNATURE_INVALID");
    await expectCode(await signed(holder, header, { ...good, aud: "https://evil.example" }), "KEY_PROOF_AUDIENCE_MISMATCH");
    await expectCode(await signed(holder, header, { aud: issuer, iat: now() }), "KEY_PROOF_NONCE_MISSING");
    await expectCode(await signed(holder, header, { ...good, nonce: "stale-nonce" }), "KEY_PROOF_NONCE_MISMATCH");
    await expectCode(await signed(holder, header, { ...good, iat: now() - 301 }), "KEY_PROOF_STALE");
    await expectCode(await signed(holder, header, { ...good, iat: now() + 600 }), "KEY_PROOF_ISSUED_IN_FUTURE");
    await expectCode(await signed(holder, header, { ...good, iss: "wallet-a" }), "KEY_PROOF_CLIENT_MISMATCH", { clientId: "wallet-b" });
    await expectCode(await signed(holder, header, { ...good, iat: "now" }), "KEY_PROOF_MALFORMED");
    expect(KEY_PROOF_CODES.KEY_PROOF_NONCE_MISMATCH[0]).to.equal("invalid_nonce");
    expect(KEY_PROOF_CODES.KEY_PROOF_SIGNATURE_INVALID[0]).to.equal("invalid_proof");
    // An issuer without a nonce endpoint does not look at the nonce.
    expect((await verifyKeyProof(await signed(holder, header, { aud: issuer, iat: now() }), options({ nonce: null }))).alg).to.equal("ES256");
  });
});
