import { expect } from "chai";
import hre from "hardhat";
import { generateKeyPairSync } from "node:crypto";
import { deployRegistry } from "../../server/chain/deploy";
import { createNodeSigner, rawPublicKeyOf } from "../../server/keys/node-signer";
import { derivedCreditCode } from "../../server/service/identifiers";
import {
  createPendingEnvelope,
  createRegistryReader,
  credentialLeaf,
  disclosureDigest,
  findTypeById,
  presentCredential,
  verify,
  verifyMany,
  type Envelope,
  type RegistryReader,
  type VerificationResult,
} from "@certchain/sdk";
import { anchorCredentials, deployTrustFixture, issueAndAnchor, issueCredentials, numberFor, type TrustFixture } from "../support/chain-fixture";
import { reencodeCredential, replaceDisclosure, tamperedEnvelope } from "../support/tamper";

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

function expectFailure(result: VerificationResult, check: string, code: string, verdict = "invalid") {
  expect(result.reason, JSON.stringify(result.checks)).to.deep.include({ check, code });
  expect(result.verdict).to.equal(verdict);
  expect(result.checks.find((c) => c.name === check)).to.include({ status: "failed", code });
}

describe("sdk verify", function () {
  let fx: TrustFixture;
  let options: { registries: TrustFixture["registry"][] };

  before(async function () {
    fx = await deployTrustFixture();
    options = { registries: [fx.registry] };
  });

  async function oneLicence(extra: Parameters<typeof issueAndAnchor>[2][number] = { type: "business-licence" }) {
    const { envelopes } = await issueAndAnchor(fx, fx.amr, [extra]);
    return envelopes[0];
  }

  describe("a genuine certificate", function () {
    it("is valid, names its issuer, anchor time and registry, and passes every check", async function () {
      const envelope = await oneLicence();
      const result = await verify(envelope, options);
      expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
      expect(result.reason).to.equal(null);
      expect(result.checks.map((c) => [c.name, c.status])).to.deep.equal(
        ["format", "integrity", "anchor", "issuer", "signature", "status", "validity", "schema"].map((n) => [n, "passed"]),
      );
      expect(result.issuer).to.deep.include({ slug: "sh-amr", name: "上海市市场监督管理局" });
      expect(result.registry).to.deep.include({ chainId: 31337, name: "test registry" });
      // The anchor block's own time (the in-process chain's clock can lag the wall clock after
      // the contract tests' snapshot reverts on a slow machine).
      const block = await hre.ethers.provider.getBlock(result.anchor!.block);
      expect(Date.parse(result.anchoredAt!)).to.equal(block!.timestamp * 1000);
      expect(result.certificate!.type!.id).to.equal("business-licence");
      expect(Object.keys(result.claims).length).to.be.greaterThan(3);
      expect(result.withheld).to.deep.equal([]);
      expect(result.status).to.deep.include({ state: "active" });
    });

    it("accepts the envelope as JSON text as well as an object", async function () {
      const envelope = await oneLicence();
      expect((await verify(JSON.stringify(envelope), options)).verdict).to.equal("valid");
    });

    it("verifies a presentation that withholds claims and lists what it withholds", async function () {
      const envelope = await oneLicence();
      const claims = Object.keys((await verify(envelope, options)).claims);
      const shared = presentCredential(envelope, claims.slice(0, 2));
      const result = await verify(shared, options);
      expect(result.verdict).to.equal("valid");
      expect(Object.keys(result.claims)).to.have.members(claims.slice(0, 2));
      expect(result.withheld).to.have.members(claims.slice(2));
    });

    it("verifies an ES256 agency's certificate", async function () {
      const [, , , , , opEc] = await hre.ethers.getSigners();
      const ec = await fx.addAgency("sh-ec-test", "P-256 测试机构", ["business-licence"], opEc, "ec");
      const { envelopes } = await issueAndAnchor(fx, ec, [{ type: "business-licence" }]);
      const result = await verify(envelopes[0], options);
      expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
    });
  });

  describe("forgeries", function () {
    it("a changed disclosed value fails integrity", async function () {
      const envelope = await oneLicence();
      const forged = replaceDisclosure(envelope, 0, (d) => [d[0], d[1], "伪造的值"]);
      expectFailure(await verify(forged, options), "integrity", "INTEGRITY_UNREFERENCED_DISCLOSURE");
    });

    it("an added disclosure fails integrity", async function () {
      const envelope = await oneLicence();
      const forged = tamperedEnvelope(envelope, (c) => `${c}${b64(["c2FsdHNhbHRzYWx0", "extra_right", "无限期经营"])}~`);
      expectFailure(await verify(forged, options), "integrity", "INTEGRITY_UNREFERENCED_DISCLOSURE");
    });

    it("a duplicated disclosure fails integrity", async function () {
      const envelope = await oneLicence();
      const first = envelope.credential.split("~")[1];
      const forged = tamperedEnvelope(envelope, (c) => `${c}${first}~`);
      expectFailure(await verify(forged, options), "integrity", "INTEGRITY_DUPLICATE_DISCLOSURE");
    });

    it("a removed disclosure is a presentation: still valid, the claim withheld", async function () {
      const envelope = await oneLicence();
      const parts = envelope.credential.split("~");
      const fewer = tamperedEnvelope(envelope, () => [parts[0], ...parts.slice(2)].join("~"));
      const result = await verify(fewer, options);
      expect(result.verdict).to.equal("valid");
      expect(result.withheld).to.have.length(1);
    });

    it("a digest removed from the signed payload leaves its disclosure unreferenced", async function () {
      const envelope = await oneLicence();
      const forged = reencodeCredential(envelope, (_header, payload) => ({ ...payload, _sd: (payload._sd as string[]).slice(1) }));
      expectFailure(await verify(forged, options), "integrity", "INTEGRITY_UNREFERENCED_DISCLOSURE");
    });

    it("a digest removed from the signed payload together with its disclosure breaks the anchor", async function () {
      const envelope = await oneLicence();
      const parts = envelope.credential.split("~");
      const dropped = disclosureDigest(parts[1]);
      const edited = reencodeCredential(envelope, (_header, payload) => ({ ...payload, _sd: (payload._sd as string[]).filter((d) => d !== dropped) }));
      const forged = tamperedEnvelope(edited, (c) => c.split("~").filter((_, i) => i !== 1).join("~"));
      expectFailure(await verify(forged, options), "anchor", "ANCHOR_PROOF_INVALID");
    });

    it("a swapped proof fails the anchor check", async function () {
      const { envelopes } = await issueAndAnchor(fx, fx.amr, [{ type: "business-licence" }, { type: "business-licence" }, { type: "business-licence" }]);
      const swapped: Envelope = { ...envelopes[0], anchor: { ...envelopes[0].anchor, proof: (envelopes[1].anchor as any).proof } as any };
      expectFailure(await verify(swapped, options), "anchor", "ANCHOR_PROOF_INVALID");
    });

    it("a root that was never anchored fails the anchor check", async function () {
      const [credential] = await issueCredentials(fx.amr, [{ type: "business-licence" }]);
      const envelope = await oneLicence();
      const lone: Envelope = { ...envelope, credential, anchor: { ...envelope.anchor, root: (await import("@certchain/sdk")).credentialLeaf(credential), proof: [] } as any };
      expectFailure(await verify(lone, options), "anchor", "ANCHOR_ROOT_NOT_FOUND");
    });

    it("a root anchored by another agency fails the issuer check", async function () {
      const credentials = await issueCredentials(fx.amr, [{ type: "business-licence" }]);
      const { envelopes } = await anchorCredentials(fx, fx.mca, credentials);
      expectFailure(await verify(envelopes[0], options), "issuer", "ISSUER_MISMATCH");
    });

    it("a signature by a key of another agency fails the issuer check", async function () {
      // The civil-affairs bureau anchors a credential in its own name that points at the
      // market-regulation bureau's key.
      const borrowed = { ...fx.mca.signer, kid: fx.amr.signer.kid };
      const credentials = await issueCredentials(fx.mca, [{ type: "marriage-certificate", signer: borrowed }]);
      const { envelopes } = await anchorCredentials(fx, fx.mca, credentials);
      expectFailure(await verify(envelopes[0], options), "issuer", "ISSUER_KEY_OF_ANOTHER_AGENCY");
    });

    it("a signature by an unregistered key under a registered kid fails the signature check", async function () {
      const impostor = createNodeSigner(generateKeyPairSync("ed25519").privateKey);
      const credentials = await issueCredentials(fx.amr, [{ type: "business-licence", signer: { ...impostor, kid: fx.amr.signer.kid } }]);
      const { envelopes } = await anchorCredentials(fx, fx.amr, credentials);
      expectFailure(await verify(envelopes[0], options), "signature", "SIGNATURE_INVALID");
    });

    it("an unregistered key fails the issuer check", async function () {
      const stranger = createNodeSigner(generateKeyPairSync("ed25519").privateKey);
      const credentials = await issueCredentials(fx.amr, [{ type: "business-licence", signer: stranger }]);
      const { envelopes } = await anchorCredentials(fx, fx.amr, credentials);
      expectFailure(await verify(envelopes[0], options), "issuer", "ISSUER_KEY_UNKNOWN");
    });

    it("a key revoked before the anchor time fails; certificates anchored before the revocation stay valid", async function () {
      const [, , , , , , opKeys] = await hre.ethers.getSigners();
      const agency = await fx.addAgency("sh-keys-test", "密钥测试局", ["business-licence"], opKeys);
      const before = (await issueAndAnchor(fx, agency, [{ type: "business-licence" }])).envelopes[0];
      const now = (await hre.ethers.provider.getBlock("latest"))!.timestamp;
      await fx.admin.revokeSigningKey(agency.keyId, now + 1);
      const after = (await issueAndAnchor(fx, agency, [{ type: "business-licence" }])).envelopes[0];
      expectFailure(await verify(after, options), "issuer", "ISSUER_KEY_REVOKED");
      expect((await verify(before, options)).verdict).to.equal("valid");
    });

    it("a retired key stops new certificates but keeps earlier ones valid (rotation)", async function () {
      const [, , , , , , , opRotate] = await hre.ethers.getSigners();
      const agency = await fx.addAgency("sh-rotate-test", "轮换测试局", ["business-licence"], opRotate);
      const old = (await issueAndAnchor(fx, agency, [{ type: "business-licence" }])).envelopes[0];
      const now = (await hre.ethers.provider.getBlock("latest"))!.timestamp;
      await fx.admin.retireSigningKey(agency.keyId, now + 1);
      const replacement = generateKeyPairSync("ed25519").privateKey;
      await fx.admin.addSigningKey(agency.slug, rawPublicKeyOf(replacement));
      const fresh = (await issueAndAnchor(fx, agency, [{ type: "business-licence", signer: createNodeSigner(replacement) }])).envelopes[0];
      const stale = (await issueAndAnchor(fx, agency, [{ type: "business-licence" }])).envelopes[0];
      expect((await verify(old, options)).verdict).to.equal("valid");
      expect((await verify(fresh, options)).verdict).to.equal("valid");
      expectFailure(await verify(stale, options), "issuer", "ISSUER_KEY_RETIRED");
    });

    it("an agency not accredited for the type at anchor time fails the issuer check", async function () {
      const { envelopes } = await issueAndAnchor(fx, fx.amr, [{ type: "marriage-certificate" }]);
      expectFailure(await verify(envelopes[0], options), "issuer", "ISSUER_NOT_ACCREDITED");
    });

    it("an accreditation that ended before the anchor fails; one anchored inside the window stays valid", async function () {
      const [, , , , , , , , opAcc] = await hre.ethers.getSigners();
      const agency = await fx.addAgency("sh-acc-test", "资质测试局", ["production-licence"], opAcc);
      const inside = (await issueAndAnchor(fx, agency, [{ type: "production-licence" }])).envelopes[0];
      const now = (await hre.ethers.provider.getBlock("latest"))!.timestamp;
      const { findTypeById } = await import("@certchain/sdk");
      await fx.admin.setAccreditation(agency.slug, findTypeById("production-licence")!.vct, 1, now + 1);
      const outside = (await issueAndAnchor(fx, agency, [{ type: "production-licence" }])).envelopes[0];
      expect((await verify(inside, options)).verdict).to.equal("valid");
      expectFailure(await verify(outside, options), "issuer", "ISSUER_NOT_ACCREDITED");
    });

    for (const alg of ["none", "HS256", "HS512", "RS256", "ES256K", "", null]) {
      it(`alg ${JSON.stringify(alg)} is refused by the format check`, async function () {
        const envelope = await oneLicence();
        const forged = reencodeCredential(envelope, (header, payload) => [{ ...header, alg }, payload], alg === "none" ? "" : undefined);
        expectFailure(await verify(forged, options), "format", "FORMAT_ALGORITHM_NOT_ALLOWED");
      });
    }

    it("a certificate number with a wrong check character fails the format check", async function () {
      const good = numberFor("YYZZ", fx.amr.creditCode);
      const last = good.slice(-1);
      const wrong = good.slice(0, -1) + (last === "0" ? "1" : "0");
      const { envelopes } = await issueAndAnchor(fx, fx.amr, [{ type: "business-licence", certificateNumber: wrong }]);
      expectFailure(await verify(envelopes[0], options), "format", "CERT_NUMBER_INVALID");
      const fine = await issueAndAnchor(fx, fx.amr, [{ type: "business-licence", certificateNumber: good }]);
      expect((await verify(fine.envelopes[0], options)).verdict).to.equal("valid");
    });

    describe("the certificate number must be the anchoring agency's and the type's", function () {
      it("a second agency's certificate numbered with the first agency's code and another type's code fails CERT_NUMBER_MISMATCH (it was valid)", async function () {
        const forged = await issueAndAnchor(fx, fx.mca, [{ type: "marriage-certificate", certificateNumber: numberFor("YYZZ", fx.amr.creditCode) }]);
        expectFailure(await verify(forged.envelopes[0], options), "issuer", "CERT_NUMBER_MISMATCH");
      });

      it("either segment alone is enough: another agency's code, or another type's code", async function () {
        const { envelopes } = await issueAndAnchor(fx, fx.mca, [
          { type: "marriage-certificate", certificateNumber: numberFor("JHZS", fx.amr.creditCode) },
          { type: "marriage-certificate", certificateNumber: numberFor("YYZZ", fx.mca.creditCode) },
          { type: "marriage-certificate", certificateNumber: numberFor("JHZS", fx.mca.creditCode) },
        ]);
        const results = await verifyMany(envelopes, options);
        expectFailure(results[0], "issuer", "CERT_NUMBER_MISMATCH");
        expectFailure(results[1], "issuer", "CERT_NUMBER_MISMATCH");
        expect(results[2].verdict, JSON.stringify(results[2].reason)).to.equal("valid");
      });

      it("a number outside the national format at all fails CERT_NUMBER_MISMATCH; a national one with a wrong check character stays CERT_NUMBER_INVALID", async function () {
        const good = numberFor("YYZZ", fx.amr.creditCode);
        const { envelopes } = await issueAndAnchor(fx, fx.amr, [
          { type: "business-licence", certificateNumber: "SH-2026-0001" },
          { type: "business-licence", certificateNumber: "" },
          { type: "business-licence", certificateNumber: good.slice(0, -1) + (good.endsWith("0") ? "1" : "0") },
        ]);
        const results = await verifyMany(envelopes, options);
        expectFailure(results[0], "issuer", "CERT_NUMBER_MISMATCH");
        expect(results[1].reason?.code).to.be.oneOf(["FORMAT_MALFORMED", "CERT_NUMBER_MISMATCH"]);
        expect(results[1].verdict).to.equal("invalid");
        expectFailure(results[2], "format", "CERT_NUMBER_INVALID");
      });

      it("the agency's code is read with the rest of the context: no extra chain round trip", async function () {
        const { envelopes } = await issueAndAnchor(fx, fx.mca, [{ type: "marriage-certificate" }, { type: "marriage-certificate", certificateNumber: numberFor("JHZS", fx.amr.creditCode) }]);
        const reader = createRegistryReader(fx.registry);
        let contextCalls = 0;
        const counted: RegistryReader = { ...reader, verificationContexts: (q) => (contextCalls++, reader.verificationContexts(q)) };
        const results = await verifyMany(envelopes, { registries: [counted] });
        expect(results.map((r) => r.reason?.code ?? r.verdict)).to.deep.equal(["valid", "CERT_NUMBER_MISMATCH"]);
        expect(contextCalls).to.equal(1);
      });
    });

    for (const [label, input] of [
      ["truncated JSON", (e: Envelope) => JSON.stringify(e).slice(0, 120)],
      ["non-JSON text", () => "这不是一个证书文件"],
      ["an empty object", () => ({})],
      ["null", () => null],
      ["a number", () => 42],
      ["a truncated credential", (e: Envelope) => ({ ...e, credential: e.credential.slice(0, 60) })],
      ["an unknown format version", (e: Envelope) => ({ ...e, version: 99 })],
    ] as const) {
      it(`${label} fails the format check`, async function () {
        const envelope = await oneLicence();
        const result = await verify((input as (e: Envelope) => unknown)(envelope), options);
        expect(result.verdict).to.equal("invalid");
        expect(result.reason!.check).to.equal("format");
      });
    }

    it("an envelope naming an untrusted registry or another chain id fails the anchor check", async function () {
      const envelope = await oneLicence();
      const otherChain = { ...envelope, anchor: { ...envelope.anchor, chainId: 1 } };
      const otherRegistry = { ...envelope, anchor: { ...envelope.anchor, registry: "0x" + "12".repeat(20) } };
      expectFailure(await verify(otherChain, options), "anchor", "ANCHOR_UNTRUSTED_REGISTRY");
      expectFailure(await verify(otherRegistry, options), "anchor", "ANCHOR_UNTRUSTED_REGISTRY");
      expectFailure(await verify(envelope, { registries: [] }), "anchor", "ANCHOR_UNTRUSTED_REGISTRY");
    });
  });

  describe("only what was checked is reported", function () {
    it("anchor.transaction is the envelope's only when its receipt shows this registry anchoring the root; otherwise null, verdict unchanged", async function () {
      const first = await issueAndAnchor(fx, fx.amr, [{ type: "business-licence" }]);
      const other = await issueAndAnchor(fx, fx.amr, [{ type: "business-licence" }]);
      const envelope = first.envelopes[0];
      const genuine = await verify(envelope, options);
      expect(genuine.verdict).to.equal("valid");
      expect(genuine.anchor!.transaction).to.equal((envelope.anchor as { transaction: string }).transaction);

      const notAnchoring = [
        (other.envelopes[0].anchor as { transaction: string }).transaction, // anchored another root
        "0x" + "ab".repeat(32), // no such transaction
        (await fx.amr.client.changeStatus("suspend", [{ leaf: credentialLeaf(other.envelopes[0].credential), root: other.root, proof: other.proofs[0] }], 1)).hash, // a registry transaction, but no RootAnchored
      ];
      for (const transaction of notAnchoring) {
        const edited = { ...envelope, anchor: { ...envelope.anchor, transaction } } as Envelope;
        const result = await verify(edited, options);
        expect(result.verdict, transaction).to.equal("valid");
        expect(result.anchor, transaction).to.deep.include({ root: first.root, transaction: null });
        expect(result.anchor!.block).to.equal(genuine.anchor!.block);
      }
    });

    it("verifyMany reads each distinct (root, transaction) once", async function () {
      const a = await issueAndAnchor(fx, fx.amr, Array.from({ length: 30 }, () => ({ type: "business-licence" })));
      const b = await issueAndAnchor(fx, fx.mca, Array.from({ length: 20 }, () => ({ type: "marriage-certificate" })));
      const reader = createRegistryReader(fx.registry);
      const asked: unknown[][] = [];
      const counted: RegistryReader = { ...reader, anchorTransactions: (q) => (asked.push([...q]), reader.anchorTransactions!(q)) };
      const results = await verifyMany([...a.envelopes, ...b.envelopes, ...a.envelopes], { registries: [counted] });
      expect(results.every((r) => r.verdict === "valid" && r.anchor!.transaction !== null)).to.equal(true);
      expect(asked.flat()).to.have.length(2);
      // A reader without the method (a caller's own) reports no transaction and changes no verdict.
      const { anchorTransactions: _omitted, ...plain } = reader;
      const without = await verifyMany(a.envelopes.slice(0, 2), { registries: [plain as RegistryReader] });
      expect(without.map((r) => [r.verdict, r.anchor!.transaction])).to.deep.equal([["valid", null], ["valid", null]]);
    });

    describe("a member named twice is FORMAT_MALFORMED at every level (I-JSON, RFC 7493)", function () {
      const dupInText = (text: string, member: string, value: string) => text.replace(`"${member}":`, `"${member}":${value},"${member}":`);

      it("JSON.parse itself accepts duplicates silently (the last value wins): that is why they are looked for", function () {
        expect(JSON.parse('{"iss":"a","iss":"b"}')).to.deep.equal({ iss: "b" });
        expect(JSON.parse('{"iss":"a","\\u0069ss":"b"}')).to.deep.equal({ iss: "b" });
      });

      it("in the envelope text: top level, in the anchor, with an escaped name", async function () {
        const envelope = await oneLicence();
        const text = JSON.stringify(envelope);
        const cases = [
          dupInText(text, "credential", JSON.stringify("x")),
          dupInText(text, "root", JSON.stringify("0x" + "00".repeat(32))),
          dupInText(text, "status", '"pending"'),
          text.replace('"format":', '"\\u0066ormat":"certchain-envelope","format":'),
        ];
        for (const forged of cases) expectFailure(await verify(forged, options), "format", "FORMAT_MALFORMED");
        // The same texts without the duplicate verify.
        expect((await verify(text, options)).verdict).to.equal("valid");
      });

      it("in the JWT header and payload, and inside a disclosure's value", async function () {
        const envelope = await oneLicence();
        const [jwt, ...disclosures] = envelope.credential.split("~");
        const [h, p, sig] = jwt.split(".");
        const text = (part: string) => Buffer.from(part, "base64url").toString("utf8");
        const encode = (t: string) => Buffer.from(t).toString("base64url");
        const header = dupInText(text(h), "alg", '"none"');
        const payload = dupInText(text(p), "iss", JSON.stringify("urn:certchain:agency:sh-mca"));
        const nested = encode(JSON.stringify(["salt-salt-salt-salt", "address", { city: "上海" }]).replace('"city":', '"city":"北京","city":'));
        const cases = [
          [`${encode(header)}.${p}.${sig}`, ...disclosures].join("~"),
          [`${h}.${encode(payload)}.${sig}`, ...disclosures].join("~"),
          [jwt, ...disclosures.slice(0, -1), nested, ""].join("~"),
        ];
        for (const credential of cases) expectFailure(await verify({ ...envelope, credential }, options), "format", "FORMAT_MALFORMED");
      });

      it("strings that merely contain a repeated name are no duplicates", async function () {
        const { envelopes } = await issueAndAnchor(fx, fx.amr, [
          { type: "business-licence", claims: { ...(findTypeById("business-licence")!.schema.examples[0] as object), business_scope: '{"a":1,"a":2} \\"a\\":' } },
        ]);
        expect((await verify(JSON.stringify(envelopes[0]), options)).verdict).to.equal("valid");
      });
    });

    it("a credential cut off inside a disclosure is FORMAT_MALFORMED (it was FORMAT_KEY_BINDING_UNSUPPORTED); a real key-binding JWT stays that", async function () {
      const envelope = await oneLicence();
      const credential = envelope.credential;
      const lastStart = credential.slice(0, -1).lastIndexOf("~") + 1;
      for (let cut = lastStart + 1; cut < credential.length - 1; cut += 7) {
        expectFailure(await verify({ ...envelope, credential: credential.slice(0, cut) }, options), "format", "FORMAT_MALFORMED");
      }
      // Cut exactly after a "~" it is a presentation withholding the rest: still valid.
      expect((await verify({ ...envelope, credential: credential.slice(0, lastStart) }, options)).verdict).to.equal("valid");
      const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
      const kbJwt = `${encode({ alg: "EdDSA", typ: "kb+jwt" })}.${encode({ iat: 1, aud: "x", nonce: "n", sd_hash: "h" })}.${"A".repeat(86)}`;
      expectFailure(await verify({ ...envelope, credential: credential + kbJwt }, options), "format", "FORMAT_KEY_BINDING_UNSUPPORTED");
    });
  });

  describe("status and time", function () {
    async function withStatus(action: "revoke" | "suspend", reason: number) {
      const { envelopes, root, proofs } = await issueAndAnchor(fx, fx.amr, [{ type: "business-licence" }]);
      const { credentialLeaf } = await import("@certchain/sdk");
      const update = { leaf: credentialLeaf(envelopes[0].credential), root, proof: proofs[0] };
      await fx.amr.client.changeStatus(action, [update], reason);
      return { envelope: envelopes[0], update };
    }

    it("a revoked certificate is revoked, with reason and time", async function () {
      const { envelope } = await withStatus("revoke", 3);
      const result = await verify(envelope, options);
      expectFailure(result, "status", "STATUS_REVOKED", "revoked");
      expect(result.status).to.deep.include({ state: "revoked", reason: 3 });
      expect(result.status!.since).to.be.a("string");
    });

    it("a suspended certificate is suspended; reinstated it is valid again", async function () {
      const { envelope, update } = await withStatus("suspend", 7);
      expectFailure(await verify(envelope, options), "status", "STATUS_SUSPENDED", "suspended");
      await fx.amr.client.changeStatus("reinstate", [update], 0);
      const result = await verify(envelope, options);
      expect(result.verdict).to.equal("valid");
      expect(result.status).to.deep.include({ state: "active" });
    });

    it("an expired certificate is expired", async function () {
      const past = Math.floor(Date.now() / 1000) - 3600;
      const envelope = await oneLicence({ type: "business-licence", validFrom: past - 3600, validUntil: past });
      expectFailure(await verify(envelope, options), "validity", "VALIDITY_EXPIRED", "expired");
    });

    it("a certificate not valid yet is invalid with its own reason; valid once its time comes", async function () {
      const soon = Math.floor(Date.now() / 1000) + 3600;
      const envelope = await oneLicence({ type: "business-licence", validFrom: soon });
      expectFailure(await verify(envelope, options), "validity", "VALIDITY_NOT_YET_VALID");
      expect((await verify(envelope, { ...options, now: (soon + 1) * 1000 })).verdict).to.equal("valid");
    });

    it("a pending envelope is pending", async function () {
      const [credential] = await issueCredentials(fx.amr, [{ type: "business-licence" }]);
      const result = await verify(createPendingEnvelope(credential, 31337, fx.registry.address), options);
      expectFailure(result, "anchor", "ANCHOR_PENDING", "pending");
      expect(result.checks.find((c) => c.name === "integrity")!.status).to.equal("passed");
    });

    it("an anchor without enough confirmations is pending", async function () {
      const envelope = await oneLicence();
      expectFailure(await verify(envelope, { ...options, minConfirmations: 50 }), "anchor", "ANCHOR_UNCONFIRMED", "pending");
    });

    it("an unreachable chain makes the certificate unverifiable, not invalid", async function () {
      const envelope = await oneLicence();
      const registries = [{ chainId: 31337, address: fx.registry.address, rpcUrl: "http://127.0.0.1:9" }];
      expectFailure(await verify(envelope, { registries }), "anchor", "CHAIN_UNREACHABLE", "unverifiable");
    });
  });

  describe("verifyMany and mutual recognition", function () {
    function counting(reader: RegistryReader) {
      const calls = { contexts: 0, statuses: 0 };
      const counted: RegistryReader = {
        ...reader,
        verificationContexts: (q) => (calls.contexts++, reader.verificationContexts(q)),
        statuses: (a, l) => (calls.statuses++, reader.statuses(a, l)),
      };
      return { counted, calls };
    }

    it("many reads in flight on one call's abort signal raise no listener-leak warning (Node warns past ten)", async function () {
      // Twenty batches: twenty anchoring transactions, each checked by its own receipt read, at once.
      const batches = [];
      for (let i = 0; i < 20; i++) batches.push(await issueAndAnchor(fx, fx.amr, [{ type: "business-licence" }]));
      const warnings: string[] = [];
      const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
      process.on("warning", onWarning);
      try {
        const results = await verifyMany(batches.map((b) => b.envelopes[0]), { registries: [fx.registry] });
        expect(results.map((r) => r.verdict)).to.deep.equal(Array(20).fill("valid"));
        // Warnings are emitted on the next tick.
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        process.off("warning", onWarning);
      }
      expect(warnings.filter((w) => w.startsWith("MaxListenersExceededWarning"))).to.deep.equal([]);
    });

    it("verifies a batch with one registry read for all roots and one for all statuses", async function () {
      const a = await issueAndAnchor(fx, fx.amr, Array.from({ length: 40 }, () => ({ type: "business-licence" })));
      const b = await issueAndAnchor(fx, fx.mca, Array.from({ length: 25 }, () => ({ type: "marriage-certificate" })));
      const { counted, calls } = counting(createRegistryReader(fx.registry));
      const inputs = [...a.envelopes, ...b.envelopes, "garbage"];
      const results = await verifyMany(inputs, { registries: [counted] });
      expect(results).to.have.length(66);
      expect(results.slice(0, 65).every((r) => r.verdict === "valid")).to.equal(true);
      expect(results[65].verdict).to.equal("invalid");
      // one context read for both roots; one status read per anchoring agency
      expect(calls).to.deep.equal({ contexts: 1, statuses: 2 });
    });

    it("reads statuses of a large group through the agency's status events, with the same verdicts", async function () {
      const { envelopes, root, proofs } = await issueAndAnchor(fx, fx.amr, Array.from({ length: 300 }, () => ({ type: "business-licence" })));
      const { credentialLeaf } = await import("@certchain/sdk");
      const update = (i: number) => ({ leaf: credentialLeaf(envelopes[i].credential), root, proof: proofs[i] });
      await fx.amr.client.changeStatus("revoke", [update(3), update(250)], 5);
      await fx.amr.client.changeStatus("suspend", [update(7), update(8)], 7);
      await fx.amr.client.changeStatus("reinstate", [update(8)], 9);
      const { counted, calls } = counting(createRegistryReader(fx.registry));
      const results = await verifyMany(envelopes, { registries: [counted] });
      const verdicts = results.map((r) => r.verdict);
      expect(verdicts[3]).to.equal("revoked");
      expect(verdicts[250]).to.equal("revoked");
      expect(results[250].status).to.deep.include({ state: "revoked", reason: 5 });
      expect(verdicts[7]).to.equal("suspended");
      expect(verdicts[8]).to.equal("valid");
      expect(results[8].status).to.deep.include({ state: "active", reason: 9 });
      expect(verdicts.filter((v) => v === "valid")).to.have.length(297);
      // The same answers one certificate at a time (state reads only).
      for (const i of [3, 7, 8, 9]) expect((await verify(envelopes[i], options)).verdict).to.equal(verdicts[i]);
      expect(calls.statuses).to.equal(1);
    });

    it("trusts several registries and says which one vouched", async function () {
      const [root] = await hre.ethers.getSigners();
      const second = await deployRegistry(root);
      const { createRegistryAdmin } = await import("../../server/chain/registry-admin");
      const { createOperatorClient } = await import("../../server/chain/operator");
      const admin = createRegistryAdmin(second.address, root);
      await admin.registerAgency("zj-amr", "浙江省市场监督管理局", derivedCreditCode("zj-amr"));
      const { findTypeById } = await import("@certchain/sdk");
      await admin.setAccreditation("zj-amr", findTypeById("business-licence")!.vct);
      const key = generateKeyPairSync("ed25519").privateKey;
      await admin.addSigningKey("zj-amr", rawPublicKeyOf(key));
      const [, , , , , , , , , opZj] = await hre.ethers.getSigners();
      await admin.addOperator("zj-amr", await opZj.getAddress());
      const zj = { slug: "zj-amr", name: "", creditCode: derivedCreditCode("zj-amr"), privateKey: key, signer: createNodeSigner(key), keyId: "0x" as const, operator: opZj, client: createOperatorClient(second.address, opZj) };
      const zjFixture = { ...fx, registry: { ...fx.registry, address: second.address, id: second.registryId } };
      const { envelopes } = await issueAndAnchor(zjFixture, zj, [{ type: "business-licence" }]);
      const registries = [fx.registry, { chainId: 31337, address: second.address, provider: fx.registry.provider, name: "浙江省证照互认链" }];
      const result = await verify(envelopes[0], { registries });
      expect(result.verdict).to.equal("valid");
      expect(result.registry!.name).to.equal("浙江省证照互认链");
      expect(result.issuer!.name).to.equal("浙江省市场监督管理局");
      expect((await verify(envelopes[0], options)).reason!.code).to.equal("ANCHOR_UNTRUSTED_REGISTRY");
    });
  });
});
