import { expect } from "chai";
import hre from "hardhat";
import { createHash, randomBytes } from "node:crypto";
import { presentCredential, verify, type Envelope, createDocumentHasher, digestOfDocument, normaliseDocumentDigest, verifyDocument, type DocumentVerificationResult } from "@certchain/sdk";
import { deployTrustFixture, issueAndAnchor, type TestAgency, type TrustFixture } from "../support/chain-fixture";
import { replaceDisclosure } from "../support/tamper";

const nodeSha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

function expectDocumentFailure(result: DocumentVerificationResult, code: string, verdict = "invalid") {
  expect(result.verdict, JSON.stringify(result.reason)).to.equal(verdict);
  expect(result.checks.find((c) => c.name === "document")).to.deep.include({ status: "failed", code });
}

/** Index of the disclosure carrying `name` (its position after the issuer-signed JWT). */
function disclosureIndexOf(envelope: Envelope, name: string): number {
  const parts = envelope.credential.split("~").slice(1, -1);
  return parts.findIndex((part) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"))[1] === name);
}

describe("sdk notarisation", function () {
  describe("digestOfDocument", function () {
    it("is the lowercase hex SHA-256 of the bytes, as node:crypto computes it", function () {
      for (const size of [0, 1, 55, 64, 1000, 100_003]) {
        const bytes = new Uint8Array(randomBytes(size));
        expect(digestOfDocument(bytes)).to.equal(nodeSha256(bytes)).and.to.match(/^[0-9a-f]{64}$/);
      }
      expect(digestOfDocument(new Uint8Array(0))).to.equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    });

    it("accepts an ArrayBuffer and a Node Buffer, and refuses anything else with DOCUMENT_INVALID", function () {
      const bytes = randomBytes(333);
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
      expect(digestOfDocument(buffer)).to.equal(nodeSha256(bytes));
      expect(digestOfDocument(bytes)).to.equal(nodeSha256(bytes));
      for (const bad of ["text", 42, null, undefined, {}, [1, 2]]) {
        expect(() => digestOfDocument(bad as never)).to.throw().with.property("code", "DOCUMENT_INVALID");
      }
    });

    it("gives the same digest incrementally, whatever the chunking", function () {
      const bytes = new Uint8Array(randomBytes(50_000));
      const hasher = createDocumentHasher();
      for (let i = 0; i < bytes.length; i += 4093) hasher.update(bytes.subarray(i, i + 4093));
      expect(hasher.digest()).to.equal(digestOfDocument(bytes));
      expect(hasher.size).to.equal(bytes.length);
    });

    it("normalises a given digest to the receipt's spelling, and rejects what is not one", function () {
      const digest = nodeSha256(Buffer.from("x"));
      expect(normaliseDocumentDigest(digest.toUpperCase())).to.equal(digest);
      expect(normaliseDocumentDigest(`0x${digest}`)).to.equal(digest);
      for (const bad of [digest.slice(1), `${digest}0`, "g".repeat(64), 7, null]) expect(normaliseDocumentDigest(bad)).to.equal(undefined);
    });
  });

  describe("verifyDocument", function () {
    let fx: TrustFixture;
    let notary: TestAgency;
    let options: { registries: TrustFixture["registry"][] };
    const document = new Uint8Array(Buffer.from("房屋租赁合同\n甲方：上海青禾数字科技有限公司\n乙方：陈嘉树\n租金：每月人民币捌仟元整\n"));
    const changed = document.slice();
    changed[changed.length - 2] ^= 0x01;

    const receiptClaims = (bytes: Uint8Array) => ({
      document_digest: digestOfDocument(bytes),
      digest_algorithm: "sha-256",
      title: "房屋租赁合同",
      parties: ["上海青禾数字科技有限公司", "陈嘉树"],
      document_size: bytes.length,
    });
    let receipt: Envelope;
    let anchored: Awaited<ReturnType<typeof issueAndAnchor>>;

    before(async function () {
      fx = await deployTrustFixture();
      const signers = await hre.ethers.getSigners();
      notary = await fx.addAgency("sh-notary", "上海市东方公证处", ["notarisation-receipt"], signers[5]);
      options = { registries: [fx.registry] };
      anchored = await issueAndAnchor(fx, notary, [
        { type: "notarisation-receipt", claims: receiptClaims(document) },
        { type: "notarisation-receipt", claims: receiptClaims(document) },
      ]);
      receipt = anchored.envelopes[0];
    });

    it("is valid for the notarised file, naming the notary office and the anchor time", async function () {
      const result = await verifyDocument(receipt, document, options);
      expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
      expect(result.reason).to.equal(null);
      expect(result.checks.map((c) => [c.name, c.status])).to.deep.equal(
        ["format", "integrity", "anchor", "issuer", "signature", "status", "validity", "schema", "document"].map((n) => [n, "passed"]),
      );
      expect(result.issuer).to.deep.include({ slug: "sh-notary", name: "上海市东方公证处" });
      expect(result.anchoredAt).to.be.a("string");
      expect(result.document).to.deep.equal({ digest: digestOfDocument(document), notarisedDigest: digestOfDocument(document), matches: true });
    });

    it("is a certificate like any other: the plain SDK verify says valid", async function () {
      const result = await verify(receipt, options);
      expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
      expect(result.certificate!.type!.id).to.equal("notarisation-receipt");
      expect(result.claims.document_digest).to.equal(digestOfDocument(document));
    });

    it("accepts the digest instead of the bytes (any case, 0x or not), and the receipt as JSON text", async function () {
      for (const given of [digestOfDocument(document), digestOfDocument(document).toUpperCase(), `0x${digestOfDocument(document)}`]) {
        expect((await verifyDocument(JSON.stringify(receipt), given, options)).verdict).to.equal("valid");
      }
      const buffer = document.buffer.slice(document.byteOffset, document.byteOffset + document.length);
      expect((await verifyDocument(receipt, buffer, options)).verdict).to.equal("valid");
    });

    it("fails a file changed by one byte with DOCUMENT_MISMATCH, while every receipt check still passes", async function () {
      const result = await verifyDocument(receipt, changed, options);
      expectDocumentFailure(result, "DOCUMENT_MISMATCH");
      expect(result.reason).to.deep.equal({ check: "document", code: "DOCUMENT_MISMATCH", message: "The file differs from the notarised document." });
      expect(result.checks.filter((c) => c.name !== "document").every((c) => c.status === "passed")).to.equal(true);
      expect(result.document.matches).to.equal(false);
      expect(result.document.digest).to.equal(digestOfDocument(changed));
    });

    it("refuses a certificate of another type with NOT_A_NOTARISATION_RECEIPT", async function () {
      const { envelopes } = await issueAndAnchor(fx, fx.amr, [{ type: "business-licence" }]);
      const result = await verifyDocument(envelopes[0], document, options);
      expectDocumentFailure(result, "NOT_A_NOTARISATION_RECEIPT");
      expect(result.reason!.code).to.equal("NOT_A_NOTARISATION_RECEIPT");
    });

    it("verifies a presentation that discloses the digest, and refuses one that withholds it", async function () {
      const shown = presentCredential(receipt, ["document_digest"]);
      expect((await verifyDocument(shown, document, options)).verdict).to.equal("valid");
      expectDocumentFailure(await verifyDocument(shown, changed, options), "DOCUMENT_MISMATCH");
      const hidden = presentCredential(receipt, ["title", "parties"]);
      const result = await verifyDocument(hidden, document, options);
      expectDocumentFailure(result, "DOCUMENT_DIGEST_WITHHELD");
      expect(result.document.notarisedDigest).to.equal(null);
    });

    it("fails a receipt whose digest disclosure was altered to match another file (integrity), without comparing", async function () {
      const index = disclosureIndexOf(receipt, "document_digest");
      expect(index).to.be.at.least(0);
      const forged = replaceDisclosure(receipt, index, ([salt, name]) => [salt, name, digestOfDocument(changed)]);
      const result = await verifyDocument(forged, changed, options);
      expect(result.verdict).to.equal("invalid");
      expect(result.reason!.check).to.equal("integrity");
      expect(result.checks.find((c) => c.name === "document")!.status).to.equal("skipped");
    });

    it("keeps a revoked receipt revoked, still reporting whether the file matches", async function () {
      const second = anchored.envelopes[1];
      const leaf = (await verify(second, options)).certificate!.leaf;
      await notary.client.changeStatus("revoke", [{ leaf, root: anchored.root, proof: anchored.proofs[1] }], 1);
      const matching = await verifyDocument(second, document, options);
      expect(matching.verdict).to.equal("revoked");
      expect(matching.checks.find((c) => c.name === "document")!.status).to.equal("passed");
      const differing = await verifyDocument(second, changed, options);
      expect(differing.verdict).to.equal("revoked");
      expect(differing.checks.find((c) => c.name === "document")).to.deep.include({ status: "failed", code: "DOCUMENT_MISMATCH" });
    });

    it("never throws: garbage receipts and unusable document arguments come back as verdicts", async function () {
      for (const garbage of [null, 42, "not json", { format: "certchain-envelope" }, [], "{"]) {
        const result = await verifyDocument(garbage, document, options);
        expect(result.verdict).to.equal("invalid");
        expect(result.reason!.check).to.equal("format");
        expect(result.checks.find((c) => c.name === "document")!.status).to.equal("skipped");
      }
      for (const bad of ["abc", 42, null, { length: 3 }, "z".repeat(64)]) {
        const result = await verifyDocument(receipt, bad as never, options);
        expectDocumentFailure(result, "DOCUMENT_INPUT_INVALID");
        expect(result.document.digest).to.equal(null);
      }
      const noOptions = await verifyDocument(receipt, document, undefined as never);
      expect(noOptions.verdict).to.not.equal("valid");
    });
  });
});
