import { expect } from "chai";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { TypeMetadataFormatSchema } from "@sd-jwt/sd-jwt-vc";
import {
  bundledTypeVersions,
  certificateTypeFromMetadata,
  certificateTypes,
  findTypeByVct,
  isCertchainError,
  matchesIntegrity,
  typeIdentityOf,
  typeMetadataDigest,
  typeMetadataProblems,
  typeMetadataText,
  validateClaims,
  type TypeMetadataDocument,
} from "@certchain/sdk";

const METADATA_DIR = path.join(__dirname, "..", "..", "sdk", "types", "metadata");
const files = readdirSync(METADATA_DIR).filter((f) => f.endsWith(".json"));
const sri = (alg: string, text: string) => `${alg}-${createHash(alg).update(text, "utf8").digest("base64")}`;

/** A small, complete document to break in one place at a time. */
function sample(): any {
  const L = (zh: string, en: string) => [{ locale: "zh-CN", label: zh }, { locale: "en", label: en }];
  return {
    name: "Social security card",
    display: [{ locale: "zh-CN", name: "社会保障卡" }, { locale: "en", name: "Social security card" }],
    claims: [
      { path: ["holder"], display: L("持卡人", "Holder"), sd: "always", mandatory: true },
      { path: ["holder", "name"], display: L("姓名", "Name"), sd: "always" },
      { path: ["holder", "id_number"], display: L("身份证件号码", "ID number"), sd: "always" },
      { path: ["banks"], display: L("合作银行", "Banks"), sd: "always" },
      { path: ["banks", null], display: L("银行", "Bank"), sd: "always" },
    ],
    "certchain:type_code": "SBZK",
    "certchain:claim_order": ["holder", "banks"],
    "certchain:schema": {
      type: "object",
      properties: {
        holder: { type: "object", properties: { name: { type: "string" }, id_number: { type: "string", pattern: "^[0-9X]{18}$" } }, required: ["name"], additionalProperties: false },
        banks: { type: "array", items: { type: "string", maxLength: 32 } },
      },
      required: ["holder"],
      additionalProperties: false,
      examples: [{ holder: { name: "王芳", id_number: "11010519491231002X" }, banks: ["中国工商银行"] }],
    },
  };
}
const withVct = (doc: any) => ({ vct: "https://certs.example.gov.cn/types/social-security-card/1", ...doc });
const pointers = (doc: unknown, options?: { vct?: "required" | "absent" }) => typeMetadataProblems(doc, options).map((p) => p.pointer);

describe("sdk type metadata (SD-JWT VC Type Metadata documents)", function () {
  describe("the bundled documents", function () {
    it("are all in the bundle, each valid, and parse with @sd-jwt/sd-jwt-vc's own Type Metadata schema", function () {
      expect(bundledTypeVersions.map((t) => `${t.id}.${t.version}.json`)).to.have.members(files);
      for (const file of files) {
        const document = JSON.parse(readFileSync(path.join(METADATA_DIR, file), "utf8"));
        expect(typeMetadataProblems(document), file).to.deep.equal([]);
        const parsed = TypeMetadataFormatSchema.safeParse(document);
        expect(parsed.success, `${file}: ${JSON.stringify(parsed.error?.issues)}`).to.equal(true);
      }
    });

    it("carry names and labels in zh-CN and en, the type code, claim order and the JSON Schema with examples", function () {
      for (const type of bundledTypeVersions) {
        expect(type.names["zh-CN"]).to.match(/\p{Script=Han}/u);
        expect(type.typeCode).to.equal(type.metadata["certchain:type_code"]);
        expect(Object.keys(type.claims)).to.deep.equal(type.metadata["certchain:claim_order"]);
        expect(Object.keys(type.claims)).to.have.members(Object.keys(type.schema.properties));
        for (const example of type.schema.examples) expect(validateClaims(type, example)).to.deep.equal({ ok: true });
        for (const { label } of type.claimLabels) expect(label["zh-CN"] && label.en, JSON.stringify(label)).to.be.a("string").that.is.not.empty;
      }
    });

    it("hash their compact JSON text: integrity is SRI sha256 (base64), the registry hash is the same digest in hex", function () {
      for (const type of bundledTypeVersions) {
        const text = JSON.stringify(JSON.parse(readFileSync(path.join(METADATA_DIR, `${type.id}.${type.version}.json`), "utf8")));
        expect(type.metadataText).to.equal(text);
        expect(type.integrity).to.equal(sri("sha256", text));
        expect(type.metadataHash).to.equal(`0x${createHash("sha256").update(text).digest("hex")}`);
        expect(typeMetadataDigest(text)).to.deep.equal({ integrity: type.integrity, hash: type.metadataHash });
      }
    });

    it("never change: each document's SHA-256 is the frozen one (test/vectors/type-metadata-integrity.json), and no frozen one is dropped", function () {
      const frozen = JSON.parse(readFileSync(path.join(__dirname, "..", "vectors", "type-metadata-integrity.json"), "utf8")).documents as Record<string, string>;
      for (const [vct, integrity] of Object.entries(frozen)) expect(findTypeByVct(vct)?.integrity, vct).to.equal(integrity);
    });

    it("label nested claims by path, so pages never need a raw key (marriage: each spouse and each field)", function () {
      const marriage = findTypeByVct("urn:certchain:vct:marriage-certificate:1")!;
      const labels = new Map(marriage.claimLabels.map((c) => [JSON.stringify(c.path), c.label]));
      expect(labels.get(JSON.stringify(["spouses", null]))).to.deep.equal({ "zh-CN": "当事人", en: "Spouse" });
      expect(labels.get(JSON.stringify(["spouses", null, "id_number"]))).to.deep.equal({ "zh-CN": "身份证件号码", en: "ID number" });
      expect(certificateTypes.map((t) => t.id)).to.deep.equal(["business-licence", "marriage-certificate", "birth-medical-certificate", "production-licence", "notarisation-receipt"]);
    });
  });

  describe("certificateTypeFromMetadata", function () {
    it("reads a new type from its exact text, hashing the text as given", function () {
      const text = JSON.stringify(withVct(sample()));
      const type = certificateTypeFromMetadata(text);
      expect(type).to.deep.include({ id: "social-security-card", version: 1, typeCode: "SBZK", names: { "zh-CN": "社会保障卡", en: "Social security card" } });
      expect(type.claims).to.deep.equal({ holder: { "zh-CN": "持卡人", en: "Holder" }, banks: { "zh-CN": "合作银行", en: "Banks" } });
      expect(type.integrity).to.equal(sri("sha256", text));
      expect(Object.isFrozen(type.metadata)).to.equal(true);
      // Whitespace is part of the bytes: a pretty-printed copy is another document.
      expect(certificateTypeFromMetadata(JSON.stringify(withVct(sample()), null, 2)).integrity).to.not.equal(type.integrity);
    });

    it("refuses a broken document with CERT_TYPE_INVALID and the pointers of every fault", function () {
      const broken = withVct(sample());
      broken.claims[1].display = [{ locale: "zh-CN", label: "姓名" }];
      broken["certchain:type_code"] = "sbzk";
      try {
        certificateTypeFromMetadata(broken);
        expect.fail("accepted");
      } catch (error) {
        expect(isCertchainError(error, "CERT_TYPE_INVALID")).to.equal(true);
        expect((error as any).details.problems.map((p: any) => p.pointer)).to.have.members(["/claims/1/display", "/certchain:type_code"]);
      }
    });
  });

  describe("typeMetadataProblems", function () {
    const cases: [string, (doc: any) => void, string][] = [
      ["a missing English type name", (d) => d.display.pop(), "/display"],
      ["a malformed locale", (d) => (d.display[0].locale = "zh_CN"), "/display/0/locale"],
      ["a claim without labels", (d) => delete d.claims[2].display, "/claims/2/display"],
      ["an empty label", (d) => (d.claims[0].display[1].label = " "), "/claims/0/display/1/label"],
      ["a path with an index (the library refuses them)", (d) => (d.claims[4].path = ["banks", 0]), "/claims/4/path"],
      ["a path naming no claim of the schema", (d) => d.claims.push({ ...d.claims[1], path: ["holder", "nickname"] }), "/claims/5/path"],
      ["the same path twice", (d) => d.claims.push({ ...d.claims[1] }), "/claims/5/path"],
      ["a nested claim of the schema without labels", (d) => d.claims.splice(2, 1), "/claims"],
      ["a top-level claim that is not selectively disclosable", (d) => (d.claims[0].sd = "never"), "/claims/0/sd"],
      ["an unknown sd value", (d) => (d.claims[1].sd = "sometimes"), "/claims/1/sd"],
      ["mandatory not matching the schema's required claims", (d) => (d.claims[3].mandatory = true), "/claims/3/mandatory"],
      ["a certificate number entry that would be disclosable", (d) => d.claims.push({ path: ["certificate_number"], display: d.claims[0].display, sd: "always" }), "/claims/5/sd"],
      ["a type code of the wrong shape", (d) => (d["certchain:type_code"] = "SBZ"), "/certchain:type_code"],
      ["a claim order missing a claim", (d) => d["certchain:claim_order"].pop(), "/certchain:claim_order"],
      ["an open schema", (d) => (d["certchain:schema"].additionalProperties = true), "/certchain:schema"],
      ["a misspelt keyword", (d) => (d["certchain:schema"].properties.banks.items.maxLenght = 32), "/certchain:schema/properties/banks/items/maxLenght"],
      ["a camelCase claim name", (d) => (d["certchain:schema"].properties.bankList = { type: "string" }), "/certchain:schema/properties/bankList"],
      ["a reserved claim name", (d) => (d["certchain:schema"].properties.status = { type: "string" }), "/certchain:schema/properties/status"],
      ["an example that does not fit", (d) => (d["certchain:schema"].examples[0].holder.id_number = "x"), "/certchain:schema/examples/0"],
      ["no example", (d) => (d["certchain:schema"].examples = []), "/certchain:schema/examples"],
      ["extends", (d) => (d.extends = "https://example.com/base"), "/extends"],
    ];
    for (const [what, mutate, pointer] of cases) {
      it(`points at ${pointer} for ${what}`, function () {
        const doc = withVct(sample());
        expect(pointers(doc)).to.deep.equal([]);
        mutate(doc);
        expect(pointers(doc)).to.include(pointer);
      });
    }

    it("requires a vct, or its absence when the service assigns it", function () {
      expect(pointers(sample())).to.deep.equal(["/vct"]);
      expect(pointers(sample(), { vct: "absent" })).to.deep.equal([]);
      expect(pointers(withVct(sample()), { vct: "absent" })).to.deep.equal(["/vct"]);
    });

    it("never throws on hostile input", function () {
      for (const doc of [null, 1, "x", [], { claims: "x", display: {}, "certchain:schema": [] }, JSON.parse('{"__proto__": {"vct": "x"}}'), { "certchain:schema": { type: "object", properties: { a: { pattern: "(" } }, additionalProperties: false } }]) {
        expect(typeMetadataProblems(doc)).to.be.an("array").that.is.not.empty;
      }
      const huge = withVct(sample());
      huge.description = "长".repeat(30_000);
      expect(pointers(huge)).to.deep.equal([""]);
    });
  });

  describe("vct identity and integrity", function () {
    it("reads id and version from URN and service URL vcts, and keeps any other vct whole", function () {
      expect(typeIdentityOf("urn:certchain:vct:marriage-certificate:2")).to.deep.equal({ id: "marriage-certificate", version: 2 });
      expect(typeIdentityOf("https://certs.example.gov.cn/base/types/social-security-card/3")).to.deep.equal({ id: "social-security-card", version: 3 });
      expect(typeIdentityOf("https://example.com/pid")).to.deep.equal({ id: "https://example.com/pid" });
    });

    it("checks SRI values as the draft says: the strongest algorithm present decides, base64 digests, any match", function () {
      const text = typeMetadataText(withVct(sample()));
      expect(matchesIntegrity(text, sri("sha256", text))).to.equal(true);
      expect(matchesIntegrity(text, `${sri("sha256", "other")} ${sri("sha256", text)}`)).to.equal(true);
      expect(matchesIntegrity(text, `${sri("sha256", text)} ${sri("sha384", "other")}`)).to.equal(false);
      expect(matchesIntegrity(text, `${sri("sha256", "other")} ${sri("sha512", text)}`)).to.equal(true);
      const hex = `sha256-${createHash("sha256").update(text).digest("hex")}`;
      for (const bad of [hex, "md5-abc", "", undefined, 42, sri("sha256", text + " ")]) expect(matchesIntegrity(text, bad), String(bad)).to.equal(false);
    });
  });
});
