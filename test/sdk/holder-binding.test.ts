import { expect } from "chai";
import { createHash, generateKeyPairSync } from "node:crypto";
import { calculateJwkThumbprint, compactVerify, exportJWK, importJWK } from "jose";
import { SDJwtVcInstance } from "@sd-jwt/sd-jwt-vc";
import { createNodeSigner, rawPublicKeyOf } from "../../server/keys/node-signer";
import {
  HOLDER_KEY_ALGORITHMS,
  createPendingEnvelope,
  createWebCryptoHolderSigner,
  disclosedClaimsOf,
  envelopeVersionOf,
  findTypeById,
  issueCredential,
  parseCredential,
  publicJwkOf,
  readHolderKey,
  subjectClaimsOf,
  validateClaims,
  verify,
} from "@certchain/sdk";

const agencyKey = generateKeyPairSync("ed25519").privateKey;
const licence = findTypeById("business-licence")!;
const claims = licence.schema.examples[0] as Record<string, unknown>;

function issue(holderKey?: unknown, issuerUri?: string) {
  return issueCredential({
    vct: licence.vct,
    issuer: "sh-amr",
    ...(issuerUri ? { issuerUri } : {}),
    certificateNumber: "SH-2026-0001",
    claims,
    signer: createNodeSigner(agencyKey),
    ...(holderKey !== undefined ? { holderKey: holderKey as JsonWebKey } : {}),
  });
}

describe("sdk: holder binding at issuance (SD-JWT VC cnf.jwk)", function () {
  const cases: [string, EcKeyGenParams | Algorithm][] = [
    ["ES256", { name: "ECDSA", namedCurve: "P-256" }],
    ["EdDSA", { name: "Ed25519" }],
  ];
  for (const [alg, params] of cases) {
    it(`binds a ${alg} device key: cnf.jwk holds its public members only, always visible, never a subject claim`, async function () {
      const pair = (await crypto.subtle.generateKey(params, false, ["sign", "verify"])) as CryptoKeyPair;
      const holder = await createWebCryptoHolderSigner(pair);
      expect(holder.alg).to.equal(alg);
      // What a wallet's JWK export may carry besides the key: dropped.
      const exported = { ...(await crypto.subtle.exportKey("jwk", pair.publicKey)), kid: "device-1", use: "sig" };
      const sdJwt = await issue(exported);
      const { payload, disclosures } = parseCredential(sdJwt);
      const expected = alg === "ES256" ? { kty: "EC", crv: "P-256", x: exported.x, y: exported.y } : { kty: "OKP", crv: "Ed25519", x: exported.x };
      expect(payload.cnf).to.deep.equal({ jwk: expected });
      expect(holder.publicJwk).to.deep.equal(expected);
      expect(disclosures.map((d) => d.name)).not.to.include("cnf");
      const subject = subjectClaimsOf(disclosedClaimsOf(parseCredential(sdJwt)));
      expect(subject).to.deep.equal(claims);
      expect(validateClaims(licence, subject).ok).to.equal(true);
      // The thumbprint is RFC 7638's, as jose computes it.
      const read = readHolderKey(exported);
      expect(read.ok && read.key.thumbprint).to.equal(await calculateJwkThumbprint(expected as never));
    });
  }

  it("refuses a private key, an unsupported curve and a malformed coordinate with a TypeError", async function () {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const privateJwk = await exportJWK(privateKey);
    await issue(privateJwk).then(() => expect.fail("bound a private key"), (error) => expect(error.message).to.match(/private/));
    const p384 = await exportJWK(generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey);
    await issue(p384).then(() => expect.fail("bound P-384"), (error) => expect(error).to.be.instanceOf(TypeError));
    const ok = await exportJWK(generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey);
    await issue({ ...ok, x: ok.x!.slice(2) }).then(() => expect.fail("bound a short x"), (error) => expect(error).to.be.instanceOf(TypeError));
    expect(readHolderKey({ ...ok, d: "AAAA" })).to.deep.equal({ ok: false, problem: "private" });
    expect(readHolderKey(p384)).to.deep.equal({ ok: false, problem: "unsupported" });
    expect(Object.keys(HOLDER_KEY_ALGORITHMS)).to.have.members(["ES256", "EdDSA", "SM2"]);
  });

  it("changes neither the leaf rule nor the envelope: a bound credential goes in a version 2 envelope, and a version 1 envelope holding one is refused", async function () {
    const jwk = await exportJWK(generateKeyPairSync("ed25519").publicKey);
    const sdJwt = await issue(jwk);
    expect(envelopeVersionOf(sdJwt)).to.equal(2);
    expect(envelopeVersionOf(await issue())).to.equal(1);
    const forcedV1 = createPendingEnvelope(sdJwt, 31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3", undefined, undefined, 1);
    const result = await verify(forcedV1, { registries: [] });
    expect(result.reason).to.deep.include({ code: "FORMAT_MALFORMED" });
    expect(result.reason!.message).to.match(/version 1 envelope/);
  });

  it("is accepted by @sd-jwt/sd-jwt-vc's verifier, which sees the same cnf", async function () {
    const jwk = await exportJWK(generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey);
    const sdJwt = await issue(jwk, "https://certs.example.gov.cn/agencies/sh-amr");
    const agencyJwk = await importJWK(publicJwkOf(rawPublicKeyOf(agencyKey)), "EdDSA");
    const instance = new SDJwtVcInstance({
      verifier: async (data: string, signature: string) => Boolean(await compactVerify(`${data}.${signature}`, agencyJwk, { algorithms: ["EdDSA"] })),
      hasher: async (data: string | ArrayBuffer) => new Uint8Array(createHash("sha256").update(typeof data === "string" ? data : Buffer.from(data)).digest()),
    });
    const { payload } = await instance.verify(sdJwt);
    expect(payload).to.deep.include(claims);
    expect((payload as { cnf?: unknown }).cnf).to.deep.equal({ jwk: { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y } });
  });

  it("cnf can be neither a subject claim at issuance nor a disclosure a holder adds", async function () {
    await issueCredential({ vct: licence.vct, issuer: "sh-amr", certificateNumber: "SH-1", claims: { ...claims, cnf: { jwk: {} } }, signer: createNodeSigner(agencyKey) }).then(
      () => expect.fail("issued cnf as a subject claim"),
      (error) => expect(error.message).to.match(/reserved claim names: cnf/),
    );
    // An SD-JWT whose signed digests include a disclosure named cnf (the signature is not what is tested here).
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const disclosure = b64(["c2FsdHNhbHRzYWx0c2FsdA", "cnf", { jwk: { kty: "OKP", crv: "Ed25519", x: "A".repeat(43) } }]);
    const payload = { iss: "urn:certchain:agency:sh-amr", vct: licence.vct, iat: 1, certificate_number: "SH-1", _sd: [createHash("sha256").update(disclosure).digest("base64url")], _sd_alg: "sha-256" };
    const sdJwt = `${b64({ alg: "EdDSA", typ: "dc+sd-jwt" })}.${b64(payload)}.${"A".repeat(86)}~${disclosure}~`;
    expect(() => disclosedClaimsOf(parseCredential(sdJwt))).to.throw().with.property("code", "INTEGRITY_CLAIM_CONFLICT");
  });

  it("createWebCryptoHolderSigner refuses a key that is not P-256 or Ed25519", async function () {
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, false, ["sign", "verify"])) as CryptoKeyPair;
    await createWebCryptoHolderSigner(pair).then(() => expect.fail("accepted P-384"), (error) => expect(error.code).to.equal("HOLDER_KEY_UNSUPPORTED"));
  });
});
