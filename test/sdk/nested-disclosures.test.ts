import { expect } from "chai";
import { createHash, generateKeyPairSync } from "node:crypto";
import { compactVerify, importJWK } from "jose";
import { verifySDJWT } from "@meeco/sd-jwt";
import { SDJwtVcInstance } from "@sd-jwt/sd-jwt-vc";
import { createNodeSigner, rawPublicKeyOf } from "../../server/keys/node-signer";
import {
  birthMedicalCertificate,
  createPendingEnvelope,
  disclosablePaths,
  disclosedClaimsOf,
  findTypeByVct,
  issueCredential,
  marriageCertificate,
  parseCredential,
  presentCredential,
  publicJwkOf,
  selectivePathsOf,
  subjectClaimsOf,
  validateClaims,
  verify,
} from "@certchain/sdk";
import { derivedCreditCode } from "../../server/service/identifiers";
import { anchorCredentials, deployTrustFixture, numberFor, type TrustFixture } from "../support/chain-fixture";

const key = generateKeyPairSync("ed25519").privateKey;
const signer = createNodeSigner(key);
const example = (type = marriageCertificate) => structuredClone(type.schema.examples[0]) as Record<string, any>;
const hasher = async (data: string | ArrayBuffer) => new Uint8Array(createHash("sha256").update(typeof data === "string" ? data : Buffer.from(data)).digest());

async function issueMarriage(claims = example(), by = signer) {
  return issueCredential({ vct: marriageCertificate.vct, issuer: "sh-mca", issuerUri: "https://certs.example.gov.cn/agencies/sh-mca", vctIntegrity: marriageCertificate.integrity, certificateNumber: numberFor("JHZS", derivedCreditCode("sh-mca")), claims, signer: by, selectivePaths: selectivePathsOf(marriageCertificate) });
}

/** @sd-jwt/sd-jwt-vc's own verifier, with the key as a JWK: an implementation that is not ours. */
async function libraryVerify(sdJwt: string) {
  const jwk = await importJWK(publicJwkOf(rawPublicKeyOf(key)), "EdDSA");
  const instance = new SDJwtVcInstance({
    verifier: async (data: string, signature: string) => {
      const [h, p] = data.split(".");
      await compactVerify(`${h}.${p}.${signature}`, jwk, { algorithms: ["EdDSA"] });
      return true;
    },
    hasher,
  });
  return (await instance.verify(sdJwt)).payload as Record<string, any>;
}

/** @meeco/sd-jwt with jose: a second independent implementation. */
async function meecoVerify(sdJwt: string) {
  const publicKey = await importJWK(publicJwkOf(rawPublicKeyOf(key)), "EdDSA");
  return (await verifySDJWT(sdJwt, async (jwt: string) => Boolean(await compactVerify(jwt, publicKey, { algorithms: ["EdDSA"] })), async () => (data: string) => createHash("sha256").update(data).digest("base64url"))) as Record<string, any>;
}

describe("nested disclosures (RFC 9901 §4.2.6 object members, §4.2.4.2 array elements): marriage certificate version 2", function () {
  it("the newest marriage certificate type makes each spouse, and each field of each spouse, a disclosure of its own", function () {
    expect(marriageCertificate.vct).to.equal("urn:certchain:vct:marriage-certificate:2");
    expect(selectivePathsOf(marriageCertificate)).to.deep.include.members([["spouses", null], ["spouses", null, "name"], ["spouses", null, "id_number"]]);
    expect(selectivePathsOf(findTypeByVct("urn:certchain:vct:marriage-certificate:1")!)).to.deep.equal([]);
  });

  it("issues spouses as an array of element digests whose disclosures hold field digests", async function () {
    const sdJwt = await issueMarriage();
    const { payload, disclosures } = parseCredential(sdJwt);
    expect(payload).not.to.have.property("spouses");
    const spouses = disclosures.find((d) => d.name === "spouses")!.value as unknown[];
    expect(spouses).to.have.length(2);
    for (const element of spouses) expect(Object.keys(element as object)).to.deep.equal(["..."]);
    const elements = disclosures.filter((d) => d.name === undefined);
    expect(elements).to.have.length(2);
    for (const element of elements) expect(Object.keys(element.value as object)).to.deep.equal(["_sd"]);
    // 5 top-level claims, 2 spouses, 5 fields each.
    expect(disclosures).to.have.length(5 + 2 + 10);
    expect(subjectClaimsOf(disclosedClaimsOf(parseCredential(sdJwt)))).to.deep.equal(example());
  });

  it("verifies with @sd-jwt/sd-jwt-vc and with @meeco/sd-jwt, whole and as a presentation of one spouse's name", async function () {
    const sdJwt = await issueMarriage();
    expect(await libraryVerify(sdJwt)).to.deep.include(example());
    expect(await meecoVerify(sdJwt)).to.deep.include(example());
    const shared = presentCredential(createPendingEnvelope(sdJwt, 31337, `0x${"11".repeat(20)}`), [["spouses", 0, "name"]]).credential;
    for (const payload of [await libraryVerify(shared), await meecoVerify(shared)]) {
      expect(payload.spouses).to.deep.equal([{ name: "周立恒" }]);
      expect(payload).not.to.have.property("holder_name");
    }
  });

  it("decodes the same claims as a credential @sd-jwt/sd-jwt-vc issues with the same disclosure frame", async function () {
    const claims = example();
    const field = ["name", "gender", "date_of_birth", "id_number", "nationality"];
    const instance = new SDJwtVcInstance({ signer: async (data: string) => Buffer.from(await signer.sign(new TextEncoder().encode(data))).toString("base64url"), signAlg: "EdDSA", hasher, saltGenerator: () => createHash("sha256").update(String(Math.random())).digest("base64url").slice(0, 22) });
    const library = await instance.issue(
      { iss: "https://certs.example.gov.cn/agencies/sh-mca", vct: marriageCertificate.vct, iat: 1, ...claims } as any,
      { _sd: Object.keys(claims), spouses: { _sd: [0, 1], 0: { _sd: field }, 1: { _sd: field } } } as any,
      { header: { kid: signer.kid } },
    );
    const ours = await issueMarriage(claims);
    const decode = (sdJwt: string) => subjectClaimsOf(disclosedClaimsOf(parseCredential(sdJwt.endsWith("~") ? sdJwt : `${sdJwt}~`)));
    expect(decode(ours)).to.deep.equal(decode(library));
    // Same shape: which claims are disclosures, at which depth.
    const shape = (sdJwt: string) => parseCredential(sdJwt.endsWith("~") ? sdJwt : `${sdJwt}~`).disclosures.map((d) => d.name ?? "[]").sort();
    expect(shape(ours)).to.deep.equal(shape(library));
  });

  it("lists every part the holder can reveal on its own, positions as issued", async function () {
    const paths = disclosablePaths(createPendingEnvelope(await issueMarriage(), 31337, `0x${"11".repeat(20)}`));
    expect(paths).to.deep.include.members([["holder_name"], ["spouses"], ["spouses", 0], ["spouses", 1], ["spouses", 0, "name"], ["spouses", 1, "id_number"]]);
    expect(paths).to.have.length(17);
  });

  it("reveals everything beneath a claim named whole, and only the chosen part beneath a nested path", async function () {
    const envelope = createPendingEnvelope(await issueMarriage(), 31337, `0x${"11".repeat(20)}`);
    const claimsOf = (e: typeof envelope) => subjectClaimsOf(disclosedClaimsOf(parseCredential(e.credential)));
    expect(claimsOf(presentCredential(envelope, ["spouses"]))).to.deep.equal({ spouses: example().spouses });
    expect(claimsOf(presentCredential(envelope, [["spouses", 1]]))).to.deep.equal({ spouses: [example().spouses[1]] });
    expect(claimsOf(presentCredential(envelope, [["spouses", 0, "name"], ["spouses", 1, "date_of_birth"], "registration_date"]))).to.deep.equal({
      registration_date: "2024-05-20",
      spouses: [{ name: "周立恒" }, { date_of_birth: "1995-10-08" }],
    });
    expect(() => presentCredential(envelope, [["spouses", 2]])).to.throw().with.property("code", "PRESENTATION_UNKNOWN_CLAIM");
    expect(() => presentCredential(envelope, [["spouses", 0, "nickname"]])).to.throw().with.property("code", "PRESENTATION_UNKNOWN_CLAIM");
  });

  it("judges a partial presentation by the schema without presence rules at any depth, and still refuses malformed nested values", function () {
    expect(validateClaims(marriageCertificate, { spouses: [{ name: "周立恒" }] }, { partial: true })).to.deep.equal({ ok: true });
    expect(validateClaims(marriageCertificate, { spouses: [{ name: "周立恒" }] }).ok).to.equal(false);
    expect(validateClaims(marriageCertificate, { spouses: [{ id_number: "x" }] }, { partial: true }).ok).to.equal(false);
    expect(validateClaims(marriageCertificate, { spouses: [{ nickname: "阿恒" }] }, { partial: true }).ok).to.equal(false);
    expect(validateClaims(marriageCertificate, { spouses: [{}, {}, {}] }, { partial: true }).ok).to.equal(false);
  });

  describe("on a chain", function () {
    let fx: TrustFixture;
    before(async () => {
      fx = await deployTrustFixture();
    });

    it("verifies a presentation of one spouse's name: valid, labelled, and saying what it withholds at every depth", async function () {
      const [envelope] = (await anchorCredentials(fx, fx.mca, [await issueMarriage(example(), fx.mca.signer)])).envelopes;
      const shared = presentCredential(envelope, [["spouses", 0, "name"]]);
      const result = await verify(shared, { registries: [fx.registry] });
      expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
      expect(result.checks.find((c) => c.name === "schema")!.status).to.equal("passed");
      expect(result.claims).to.deep.equal({ spouses: [{ name: "周立恒" }] });
      expect(result.withheld).to.have.members(["holder_name", "registration_date", "registration_authority", "notes"]);
      expect(result.withheldClaims).to.deep.include.members([
        { path: ["spouses", 0, "gender"] },
        { path: ["spouses", 0, "id_number"] },
        { path: ["spouses", null], count: 1 },
      ]);
      expect(result.certificate!.type!.labels!.find((l) => l.path.join() === "spouses,,name")!.label).to.deep.equal({ "zh-CN": "姓名", en: "Name" });
    });

    it("fails a presentation whose spouse disclosure was swapped for one from another certificate (integrity)", async function () {
      const other = structuredClone(example());
      other.spouses[0].name = "王伟";
      const [a, b] = (await anchorCredentials(fx, fx.mca, [await issueMarriage(example(), fx.mca.signer), await issueMarriage(other, fx.mca.signer)])).envelopes;
      const foreign = parseCredential(b.credential).disclosures.find((d) => d.name === "name" && d.value === "王伟")!.encoded;
      const own = parseCredential(a.credential).disclosures.find((d) => d.name === "name" && d.value === "周立恒")!.encoded;
      const forged = { ...a, credential: a.credential.replace(own, foreign) };
      const result = await verify(forged, { registries: [fx.registry] });
      expect(result.verdict).to.equal("invalid");
      expect(result.reason).to.deep.include({ check: "integrity", code: "INTEGRITY_UNREFERENCED_DISCLOSURE" });
    });

    it("birth medical certificate version 2: a parent's name without the parent's ID number", async function () {
      const claims = example(birthMedicalCertificate);
      const credential = await issueCredential({ vct: birthMedicalCertificate.vct, issuer: "sh-mca", certificateNumber: numberFor("CSYX", fx.mca.creditCode), claims, signer: fx.mca.signer, selectivePaths: selectivePathsOf(birthMedicalCertificate) });
      await fx.admin.setAccreditation("sh-mca", birthMedicalCertificate.vct);
      const [envelope] = (await anchorCredentials(fx, fx.mca, [credential])).envelopes;
      const result = await verify(presentCredential(envelope, [["mother", "name"], "newborn_name"]), { registries: [fx.registry] });
      expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
      expect(result.claims).to.deep.equal({ newborn_name: claims.newborn_name, mother: { name: claims.mother.name } });
      expect(result.withheldClaims).to.deep.include.members([{ path: ["mother", "id_number"] }, { path: ["mother", "nationality"] }]);
    });
  });
});
