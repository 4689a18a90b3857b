import { expect } from "chai";
import hre from "hardhat";
import { generateKeyPairSync } from "node:crypto";
import { createNodeSigner, rawPublicKeyOf } from "../../server/keys/node-signer";
import { sm2 as smCrypto } from "sm-crypto-v2";
import { SDJwtVcInstance } from "@sd-jwt/sd-jwt-vc";
import {
  createSm2Signer,
  encodePaperPayload,
  paperQrVersion,
  PAPER_MAX_QR_VERSION,
  findTypeById,
  generateSm2PrivateKey,
  issueCredential,
  parseCredential,
  presentCredential,
  presentWithKeyBinding,
  publicJwkOf,
  verify,
  verifyMany,
  verifyPresentation,
  type Envelope,
  type HolderPublicJwk,
  type HolderSigner,
  type VerificationResult,
} from "@certchain/sdk";
import { anchorCredentials, deployTrustFixture, issueAndAnchor, issueCredentials, numberFor, type TestAgency, type TrustFixture } from "../support/chain-fixture";
import { opensslSm3, opensslVerifiesSm2, sm2PointOf } from "../support/openssl-sm2";
import { tamperedEnvelope } from "../support/tamper";

// An SM2 (国密) agency's certificates through the whole SDK pipeline on a real chain, checked
// where it counts by code that is not ours: the `openssl` command line and sm-crypto-v2.

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

function expectFailure(result: VerificationResult, check: string, code: string) {
  expect(result.reason, JSON.stringify(result.checks)).to.deep.include({ check, code });
  expect(result.verdict).to.equal("invalid");
}

/** Every digest the issuer signed: `_sd` members and `{ "...": digest }` array elements, at any depth. */
function signedDigests(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const element of value) signedDigests(element, out);
  else if (value && typeof value === "object") {
    for (const [name, member] of Object.entries(value)) {
      if (name === "_sd" && Array.isArray(member)) out.push(...(member as string[]));
      else if (name === "...") out.push(member as string);
      else signedDigests(member, out);
    }
  }
  return out;
}

/** The credential with one bit of byte `at` of its issuer-signed JWT part `part` (0 header, 1 payload, 2 signature) flipped. */
function flipJwtBit(credential: string, part: 1 | 2, at: number): string {
  const [jwt, ...rest] = credential.split("~");
  const segments = jwt.split(".");
  const bytes = Buffer.from(segments[part], "base64url");
  bytes[at] ^= 1;
  segments[part] = bytes.toString("base64url");
  return [segments.join("."), ...rest].join("~");
}

describe("SM2 (国密) credentials", function () {
  this.timeout(120_000);
  let fx: TrustFixture;
  let agency: TestAgency;
  let options: { registries: TrustFixture["registry"][] };

  before(async function () {
    fx = await deployTrustFixture();
    const [, , , , , , , opSm2] = await hre.ethers.getSigners();
    agency = await fx.addAgency("sh-mca-sm2", "上海市民政局（国密）", ["marriage-certificate", "business-licence"], opSm2, "sm2");
    options = { registries: [fx.registry] };
  });

  const marriage = async () => (await issueAndAnchor(fx, agency, [{ type: "marriage-certificate" }])).envelopes[0];

  it("are signed SM2 with SM3 disclosure digests, and verify valid with every check passed", async function () {
    const envelope = await marriage();
    const { header, payload } = parseCredential(envelope.credential);
    expect(header).to.deep.include({ alg: "SM2", typ: "dc+sd-jwt", kid: agency.signer.kid });
    expect(payload._sd_alg).to.equal("sm3");
    const result = await verify(envelope, options);
    expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
    expect(result.checks.every((c) => c.status === "passed")).to.equal(true);
    expect(result.issuer).to.deep.include({ slug: "sh-mca-sm2" });
  });

  it("carry a JWS signature the openssl command line and sm-crypto-v2 verify (SM2, SM3, user id 1234567812345678)", async function () {
    const envelope = await marriage();
    const { signingInput, signature } = parseCredential(envelope.credential);
    const publicKey = sm2PointOf(agency.privateKey);
    expect(opensslVerifiesSm2(publicKey, signingInput, signature)).to.equal(true);
    expect(smCrypto.doVerifySignature(signingInput, hex(signature), hex(publicKey), { hash: true })).to.equal(true);
  });

  it("list disclosure digests that OpenSSL's SM3 recomputes, every one of them, nested ones included", async function () {
    const envelope = await marriage();
    const { payload, disclosures } = parseCredential(envelope.credential);
    // Nested disclosures' digests sit inside the disclosures that hold them (RFC 9901 §4.2.6).
    const signed = signedDigests([payload, ...disclosures.map((d) => d.value)]);
    expect(disclosures.length).to.be.greaterThan(3);
    const recomputed = disclosures.map((d) => opensslSm3(d.encoded).toString("base64url"));
    expect(signed).to.have.members(recomputed);
  });

  it("verify with an independent SD-JWT implementation (@sd-jwt/sd-jwt-vc, with sm-crypto-v2 and OpenSSL's SM3)", async function () {
    const envelope = await marriage();
    const publicKey = hex(sm2PointOf(agency.privateKey));
    const sdjwt = new SDJwtVcInstance({
      verifier: async (data: string, signature: string) =>
        smCrypto.doVerifySignature(new TextEncoder().encode(data), hex(Buffer.from(signature, "base64url")), publicKey, { hash: true }),
      hasher: async (data: string | ArrayBuffer, alg?: string) => {
        expect(alg).to.equal("sm3");
        return new Uint8Array(opensslSm3(typeof data === "string" ? data : Buffer.from(data)));
      },
    });
    const { payload } = await sdjwt.verify(envelope.credential);
    expect(payload).to.have.property("certificate_number", parseCredential(envelope.credential).payload.certificate_number);
    expect(payload).to.have.property("spouses");
  });

  it("present with claims withheld and still verify", async function () {
    const envelope = await marriage();
    const shared = presentCredential(envelope, ["registration_date"]);
    const result = await verify(shared, options);
    expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
    expect(Object.keys(result.claims)).to.deep.equal(["registration_date"]);
  });

  it("go on paper, their SM3 digests written by reference as SHA-256 ones are, and come back verifying", async function () {
    const envelope = await marriage();
    const whole = encodePaperPayload(envelope);
    // By reference, each revealed digest costs 2 bytes instead of 33: the whole certificate fits a printout's QR code.
    expect(paperQrVersion(whole), "QR version").to.be.a("number").and.at.most(PAPER_MAX_QR_VERSION);
    expect((await verify(whole, options)).verdict).to.equal("valid");
    const text = encodePaperPayload(presentCredential(envelope, ["holder_name", "registration_date"]));
    const result = await verify(text, options);
    expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
    expect(result.claims).to.have.keys("holder_name", "registration_date");
  });

  it("bind to an SM2 holder key: the key-binding JWT is SM2-signed and its sd_hash is OpenSSL's SM3 of the presentation", async function () {
    const holderSigner = createSm2Signer(generateSm2PrivateKey());
    const holder: HolderSigner = { alg: "SM2", publicJwk: publicJwkOf({ alg: "SM2", publicKey: holderSigner.publicKey }) as HolderPublicJwk, sign: holderSigner.sign };
    const type = findTypeById("business-licence")!;
    const credential = await issueCredential({
      vct: type.vct,
      issuer: agency.slug,
      certificateNumber: numberFor(type.typeCode, agency.creditCode),
      claims: type.schema.examples[0] as Record<string, unknown>,
      signer: agency.signer,
      holderKey: holder.publicJwk,
    });
    const envelope = (await anchorCredentials(fx, agency, [credential])).envelopes[0];
    const presentation = await presentWithKeyBinding(envelope, { disclose: ["company_name"], nonce: "n-sm2", audience: "a-sm2", holderSigner: holder });
    const kb = presentation.slice(presentation.lastIndexOf("~") + 1);
    const [h, p, sig] = kb.split(".");
    expect(JSON.parse(Buffer.from(h, "base64url").toString())).to.include({ alg: "SM2", typ: "kb+jwt" });
    expect(JSON.parse(Buffer.from(p, "base64url").toString()).sd_hash).to.equal(opensslSm3(presentation.slice(0, presentation.lastIndexOf("~") + 1)).toString("base64url"));
    expect(opensslVerifiesSm2(holderSigner.publicKey, `${h}.${p}`, Buffer.from(sig, "base64url"))).to.equal(true);
    const anchor = (({ status: _status, ...rest }) => rest)(envelope.anchor as Extract<Envelope["anchor"], { status: "anchored" }>);
    const result = await verifyPresentation({ licence: [presentation] }, { registries: [fx.registry], nonce: "n-sm2", audience: "a-sm2", anchors: [anchor] });
    expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
    expect(result.credentials[0].holderBinding.holderKey).to.deep.include({ alg: "SM2" });
    const wrongNonce = await verifyPresentation({ licence: [presentation] }, { registries: [fx.registry], nonce: "other", audience: "a-sm2", anchors: [anchor] });
    expect(wrongNonce.verdict).to.equal("invalid");
  });

  describe("one bit changed", function () {
    it("in the signature: SIGNATURE_INVALID (even when the altered credential is the one anchored)", async function () {
      const [credential] = await issueCredentials(agency, [{ type: "business-licence" }]);
      const forged = flipJwtBit(credential, 2, 10);
      const { envelopes } = await anchorCredentials(fx, agency, [forged]);
      expectFailure(await verify(envelopes[0], options), "signature", "SIGNATURE_INVALID");
    });

    it("in the payload: SIGNATURE_INVALID (even when the altered credential is the one anchored)", async function () {
      const [credential] = await issueCredentials(agency, [{ type: "business-licence" }]);
      // A bit of `iat`'s digits: the payload stays valid JSON, only its meaning changes.
      const payloadJson = Buffer.from(credential.split(".")[1], "base64url").toString();
      const forged = flipJwtBit(credential, 1, payloadJson.indexOf('"iat":') + 7);
      expect(() => parseCredential(forged)).not.to.throw();
      const { envelopes } = await anchorCredentials(fx, agency, [forged]);
      expectFailure(await verify(envelopes[0], options), "signature", "SIGNATURE_INVALID");
    });

    it("in the signature or payload of an anchored credential: its leaf leaves the Merkle tree (ANCHOR_PROOF_INVALID)", async function () {
      const envelope = await marriage();
      expectFailure(await verify(tamperedEnvelope(envelope, (c) => flipJwtBit(c, 2, 0)), options), "anchor", "ANCHOR_PROOF_INVALID");
    });

    it("in a disclosure: INTEGRITY_UNREFERENCED_DISCLOSURE", async function () {
      const envelope = await marriage();
      const forged = tamperedEnvelope(envelope, (credential) => {
        const parts = credential.split("~");
        const decoded = Buffer.from(parts[1], "base64url");
        // The salt's last character: still a JSON string, one bit away.
        const at = decoded.indexOf('",') - 1;
        decoded[at] ^= 1;
        parts[1] = decoded.toString("base64url");
        return parts.join("~");
      });
      expectFailure(await verify(forged, options), "integrity", "INTEGRITY_UNREFERENCED_DISCLOSURE");
    });
  });

  it("with a key claiming another algorithm: refused before the signature (ISSUER_KEY_ALGORITHM_MISMATCH)", async function () {
    const envelope = await marriage();
    const [jwt, ...rest] = envelope.credential.split("~");
    const [h, p, s] = jwt.split(".");
    const header = { ...JSON.parse(Buffer.from(h, "base64url").toString()), alg: "ES256" };
    const forged: Envelope = { ...envelope, credential: [`${Buffer.from(JSON.stringify(header)).toString("base64url")}.${p}.${s}`, ...rest].join("~") };
    const { envelopes } = await anchorCredentials(fx, agency, [forged.credential]);
    expectFailure(await verify(envelopes[0], options), "issuer", "ISSUER_KEY_ALGORITHM_MISMATCH");
  });

  it("verifyMany checks a large mixed batch of SM2 and Ed25519 certificates alike", async function () {
    const sm2Items = await issueAndAnchor(fx, agency, Array.from({ length: 40 }, () => ({ type: "business-licence" })));
    const edItems = await issueAndAnchor(fx, fx.amr, Array.from({ length: 70 }, () => ({ type: "business-licence" })));
    const broken = tamperedEnvelope(sm2Items.envelopes[0], (c) => flipJwtBit(c, 2, 5));
    const results = await verifyMany([...sm2Items.envelopes, ...edItems.envelopes, broken], options);
    expect(results.slice(0, -1).map((r) => r.verdict)).to.deep.equal(new Array(110).fill("valid"));
    expect(results.at(-1)!.verdict).to.equal("invalid");
  });

  it("rotation from Ed25519 to SM2 on chain keeps the Ed25519 certificates valid", async function () {
    const [, , , , , , , , , opRotating] = await hre.ethers.getSigners();
    const rotating = await fx.addAgency("sh-rotating", "轮换测试机构", ["business-licence"], opRotating, "ed25519");
    const before = (await issueAndAnchor(fx, rotating, [{ type: "business-licence" }])).envelopes[0];
    // The root authority adds an SM2 key and retires the Ed25519 one from now on.
    const sm2Key = generateKeyPairSync("ec", { namedCurve: "SM2" }).privateKey;
    await fx.admin.addSigningKey("sh-rotating", rawPublicKeyOf(sm2Key));
    const now = (await hre.ethers.provider.getBlock("latest"))!.timestamp + 1;
    await fx.admin.retireSigningKey(rotating.keyId, now);
    const after = (await issueAndAnchor(fx, { ...rotating, signer: createNodeSigner(sm2Key) }, [{ type: "business-licence" }])).envelopes[0];
    const [old, fresh] = await verifyMany([before, after], options);
    expect(old.verdict, JSON.stringify(old.reason)).to.equal("valid");
    expect(fresh.verdict, JSON.stringify(fresh.reason)).to.equal("valid");
    expect(parseCredential(after.credential).header.alg).to.equal("SM2");
    // And the retired Ed25519 key can no longer issue.
    const late = (await issueAndAnchor(fx, rotating, [{ type: "business-licence" }])).envelopes[0];
    expectFailure(await verify(late, options), "issuer", "ISSUER_KEY_RETIRED");
  });
});
