import { expect } from "chai";
import { createHash, generateKeyPairSync } from "node:crypto";
import { compactVerify, importJWK } from "jose";
import { verifySDJWT } from "@meeco/sd-jwt";
import { SDJwtVcInstance } from "@sd-jwt/sd-jwt-vc";
import { createNodeSigner, rawPublicKeyOf } from "../../server/keys/node-signer";
import {
  certificateTypes,
  credentialLeaf,
  disclosedClaimsOf,
  issueCredential,
  issuerSignedJwtOf,
  keyIdOf,
  parseCredential,
  presentCredential,
  publicJwkOf,
  createPendingEnvelope,
  subjectClaimsOf,
} from "@certchain/sdk";

const ed = generateKeyPairSync("ed25519").privateKey;
const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;

async function issueExample(key = ed, typeIndex = 0) {
  const type = certificateTypes[typeIndex];
  const claims = type.schema.examples![0] as Record<string, unknown>;
  const sdJwt = await issueCredential({ vct: type.vct, issuer: "sh-amr", certificateNumber: "SH-2026-0001", claims, signer: createNodeSigner(key) });
  return { type, claims, sdJwt };
}

describe("sdk credential", function () {
  for (const [label, key] of [["EdDSA", ed], ["ES256", p256]] as const) {
    it(`an ${label} credential verifies with an independent SD-JWT implementation (@meeco/sd-jwt + jose)`, async function () {
      const { type, claims, sdJwt } = await issueExample(key);
      const jwk = publicJwkOf(rawPublicKeyOf(key));
      const publicKey = await importJWK(jwk, label);
      const getHasher = async (alg: string) => {
        expect(alg).to.equal("sha-256");
        return (data: string) => createHash("sha256").update(data).digest("base64url");
      };
      const verifier = async (jwt: string) => {
        const { protectedHeader } = await compactVerify(jwt, publicKey, { algorithms: [label] });
        return protectedHeader.typ === "dc+sd-jwt";
      };
      const payload = await verifySDJWT(sdJwt, verifier, getHasher);
      expect(payload).to.deep.include({ ...claims, iss: "urn:certchain:agency:sh-amr", vct: type.vct, certificate_number: "SH-2026-0001" });
    });
  }

  it("verifies with @sd-jwt/sd-jwt-vc's own verifier too", async function () {
    const { claims, sdJwt } = await issueExample();
    const publicKey = rawPublicKeyOf(ed);
    const jwk = await importJWK(publicJwkOf(publicKey), "EdDSA");
    const sdjwt = new SDJwtVcInstance({
      verifier: async (data: string, signature: string) => {
        const [h, p] = data.split(".");
        await compactVerify(`${h}.${p}.${signature}`, jwk, { algorithms: ["EdDSA"] });
        return true;
      },
      hasher: async (data: string | ArrayBuffer) => new Uint8Array(createHash("sha256").update(typeof data === "string" ? data : Buffer.from(data)).digest()),
    });
    const { payload } = await sdjwt.verify(sdJwt);
    expect(payload).to.deep.include(claims);
  });

  it("makes every subject claim selectively disclosable and keeps iss, vct, iat, nbf, exp and the number visible", async function () {
    const { claims, sdJwt } = await issueExample();
    const { payload, header, disclosures } = parseCredential(sdJwt);
    expect(header).to.deep.include({ alg: "EdDSA", typ: "dc+sd-jwt", kid: keyIdOf(rawPublicKeyOf(ed)).kid });
    expect(payload).to.include.keys("iss", "vct", "iat", "nbf", "certificate_number", "_sd", "_sd_alg");
    for (const name of Object.keys(claims)) expect(payload).not.to.have.property(name);
    expect(disclosures.map((d) => d.name)).to.have.members(Object.keys(claims));
    expect(disclosedClaimsOf(parseCredential(sdJwt))).to.deep.include(claims);
  });

  it("salts every disclosure: the same claims issued twice give different digests and leaves", async function () {
    const a = await issueExample();
    const b = await issueExample();
    expect(parseCredential(a.sdJwt).payload._sd).not.to.deep.equal(parseCredential(b.sdJwt).payload._sd);
    expect(credentialLeaf(a.sdJwt)).not.to.equal(credentialLeaf(b.sdJwt));
  });

  it("salts are 128 random bits (RFC 9901 §9.3) as canonical base64url of 16 bytes, unique across pool refills", async function () {
    // 400 credentials × their claims use more salts than one random pool holds (2,048).
    const signer = createNodeSigner(ed);
    const type = certificateTypes[0];
    const claims = type.schema.examples![0] as Record<string, unknown>;
    const salts: string[] = [];
    for (let i = 0; i < 400; i++) {
      const sdJwt = await issueCredential({ vct: type.vct, issuer: "sh-amr", certificateNumber: `SH-${i}`, claims, signer });
      for (const disclosure of parseCredential(sdJwt).disclosures) salts.push(disclosure.salt);
    }
    expect(salts.length).to.be.greaterThan(2 * 2048);
    for (const salt of salts) {
      expect(salt).to.match(/^[A-Za-z0-9_-]{22}$/);
      // Canonical: the paper format packs such strings as their 16 bytes.
      expect(Buffer.from(salt, "base64url").toString("base64url")).to.equal(salt);
    }
    expect(new Set(salts).size).to.equal(salts.length);
    // Every bit is random: 6 per character, and the last character's 2 (4 values, all seen).
    for (let position = 0; position < 21; position++) expect(new Set(salts.map((s) => s[position])).size, `position ${position}`).to.equal(64);
    expect(new Set(salts.map((s) => s[21])).size).to.equal(4);
  });

  it("nested disclosures get their own fresh salts, and the credential round-trips", async function () {
    const signer = createNodeSigner(ed);
    const claims = { address: { city: "上海", street: "世纪大道 100 号" }, branches: ["浦东", "静安"] };
    const sdJwt = await issueCredential({
      vct: certificateTypes[0].vct,
      issuer: "sh-amr",
      certificateNumber: "SH-N",
      claims,
      selectivePaths: [["address", "city"], ["branches", null]],
      signer,
    });
    const { disclosures } = parseCredential(sdJwt);
    expect(disclosures).to.have.length(2 + 1 + 2);
    expect(new Set(disclosures.map((d) => d.salt)).size).to.equal(disclosures.length);
    expect(disclosedClaimsOf(parseCredential(sdJwt))).to.deep.include(claims);
  });

  it("refuses subject claims that would shadow the visible ones", async function () {
    const type = certificateTypes[0];
    for (const name of ["iss", "vct", "exp", "certificate_number", "_sd"]) {
      await issueCredential({ vct: type.vct, issuer: "x", certificateNumber: "n", claims: { [name]: "forged" }, signer: createNodeSigner(ed) }).then(
        () => expect.fail(`${name} accepted`),
        (error) => expect(String(error)).to.match(/reserved/),
      );
    }
  });

  it("the leaf is the SHA-256 of the issuer-signed JWT, unchanged by presentations", async function () {
    const { claims, sdJwt } = await issueExample();
    const jwt = issuerSignedJwtOf(sdJwt);
    expect(credentialLeaf(sdJwt)).to.equal("0x" + createHash("sha256").update(jwt).digest("hex"));
    const envelope = createPendingEnvelope(sdJwt, 31337, `0x${"11".repeat(20)}`);
    const [first] = Object.keys(claims);
    const shown = presentCredential(envelope, [first]);
    expect(credentialLeaf(shown.credential)).to.equal(credentialLeaf(sdJwt));
    expect(Object.keys(disclosedClaimsOf(parseCredential(shown.credential)))).to.include(first);
    expect(parseCredential(shown.credential).disclosures).to.have.length(1);
  });

  it("presentCredential refuses a claim the certificate does not disclose", async function () {
    const { sdJwt } = await issueExample();
    const envelope = createPendingEnvelope(sdJwt, 31337, `0x${"11".repeat(20)}`);
    expect(() => presentCredential(envelope, ["no_such_claim"])).to.throw().with.property("code", "PRESENTATION_UNKNOWN_CLAIM");
  });

  it("key ids are RFC 7638 thumbprints, as jose computes them", async function () {
    const { calculateJwkThumbprint } = await import("jose");
    for (const key of [ed, p256]) {
      const raw = rawPublicKeyOf(key);
      expect(keyIdOf(raw).kid).to.equal(await calculateJwkThumbprint(publicJwkOf(raw) as any, "sha256"));
    }
  });

  it("subject claims keep a claim named __proto__ as a claim: it never becomes the result's prototype", function () {
    const claims = JSON.parse('{"iss":"urn:certchain:agency:x","__proto__":{"company_name":"冒名公司"},"legal_representative":"张三"}');
    const subject = subjectClaimsOf(claims);
    expect(Object.getPrototypeOf(subject)).to.equal(Object.prototype);
    expect(Object.hasOwn(subject, "__proto__")).to.equal(true);
    expect((subject as { company_name?: unknown }).company_name).to.equal(undefined);
    expect(Object.keys(subject)).to.deep.equal(["__proto__", "legal_representative"]);
  });
});
