import { expect } from "chai";
import {
  certificateTypeFromMetadata,
  createRegistryReader,
  formatCertificateNumber,
  issueCredential,
  typeMetadataText,
  verify,
  type TypeMetadataDocument,
  type VerificationResult,
} from "@certchain/sdk";
import { anchorCredentials, deployTrustFixture, type TrustFixture } from "../support/chain-fixture";

const VCT = "https://certs.example.gov.cn/types/social-security-card/1";
const L = (zh: string, en: string) => [{ locale: "zh-CN", label: zh }, { locale: "en", label: en }];
const DOCUMENT = {
  vct: VCT,
  name: "Social security card",
  display: [{ locale: "zh-CN", name: "社会保障卡" }, { locale: "en", name: "Social security card" }],
  claims: [
    { path: ["holder"], display: L("持卡人", "Holder"), sd: "always", mandatory: true },
    { path: ["holder", "name"], display: L("姓名", "Name") },
    { path: ["card_number"], display: L("卡号", "Card number"), sd: "always", mandatory: true },
  ],
  "certchain:type_code": "SBZK",
  "certchain:claim_order": ["holder", "card_number"],
  "certchain:schema": {
    type: "object",
    properties: {
      holder: { type: "object", properties: { name: { type: "string", minLength: 1 } }, required: ["name"], additionalProperties: false },
      card_number: { type: "string", pattern: "^[0-9A-Z]{9}$" },
    },
    required: ["holder", "card_number"],
    additionalProperties: false,
    examples: [{ holder: { name: "王芳" }, card_number: "A12345678" }],
  },
} as const satisfies Record<string, unknown>;
const TEXT = typeMetadataText(DOCUMENT);
const TYPE = certificateTypeFromMetadata(TEXT);

/** A fetch that serves documents by URL and counts requests. */
function serving(documents: Record<string, string>) {
  const calls: string[] = [];
  const fetch = async (url: string) => {
    calls.push(url);
    const body = documents[url];
    return { ok: body !== undefined, status: body === undefined ? 404 : 200, text: async () => body ?? "" };
  };
  return { fetch, calls };
}

describe("sdk verify: certificate types it does not ship (format v2 type metadata)", function () {
  let fx: TrustFixture;

  before(async function () {
    fx = await deployTrustFixture();
    await fx.admin.registerType(VCT, TYPE.metadataHash, "SBZK");
    await fx.admin.setAccreditation("sh-amr", VCT);
  });

  async function issued(claims: Record<string, unknown> = { ...DOCUMENT["certchain:schema"].examples[0] }, integrity: string | null = TYPE.integrity, vct = VCT, typeCode = "SBZK") {
    const credential = await issueCredential({
      vct,
      issuer: "sh-amr",
      issuerUri: "https://certs.example.gov.cn/agencies/sh-amr",
      ...(integrity ? { vctIntegrity: integrity } : {}),
      certificateNumber: formatCertificateNumber({ typeCode, issuerCode: fx.amr.creditCode, serial: String(Date.now() % 1e8).padStart(8, "0"), version: "1" }),
      claims,
      signer: fx.amr.signer,
    });
    return (await anchorCredentials(fx, fx.amr, [credential])).envelopes[0];
  }

  const schemaCheck = (result: VerificationResult) => result.checks.find((c) => c.name === "schema")!;

  // Accepted documents are cached by hash across calls, so tests about where a document comes
  // from use a type (and hash) of their own.
  let fresh = 0;
  async function registeredType(origin = "https://certs.example.gov.cn") {
    const vct = `${origin}/types/fresh-type-${++fresh}/1`;
    const text = typeMetadataText({ ...DOCUMENT, vct });
    const type = certificateTypeFromMetadata(text);
    await fx.admin.registerType(vct, type.metadataHash, "SBZK");
    await fx.admin.setAccreditation("sh-amr", vct);
    return { vct, text, type };
  }

  it("without metadata the certificate is still valid, its claims unchecked (SCHEMA_TYPE_UNKNOWN), as in v1", async function () {
    const result = await verify(await issued(), { registries: [fx.registry] });
    expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
    expect(result.certificate!.type).to.equal(null);
    expect(schemaCheck(result)).to.include({ status: "skipped", code: "SCHEMA_TYPE_UNKNOWN" });
  });

  it("learns the type from the verifier's offline bundle, checked against the registry: claims validated, labels for nested paths", async function () {
    const result = await verify(await issued(), { registries: [fx.registry], types: { bundle: [TEXT] } });
    expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
    expect(schemaCheck(result).status).to.equal("passed");
    expect(result.certificate!.type).to.deep.include({ id: "social-security-card", names: { "zh-CN": "社会保障卡", en: "Social security card" }, claimOrder: ["holder", "card_number"] });
    expect(result.certificate!.type!.labels!.map((l) => l.path)).to.deep.include(["holder", "name"]);
  });

  it("fetches the document from an allowed host's vct URL once, then serves it from the cache by hash", async function () {
    const { vct, text, type } = await registeredType();
    const envelope = await issued(undefined, type.integrity, vct);
    const { fetch, calls } = serving({ [vct]: text });
    const options = { registries: [fx.registry], types: { hosts: ["certs.example.gov.cn"], fetch } };
    for (let i = 0; i < 2; i++) {
      const result = await verify(envelope, options);
      expect(schemaCheck(result).status, JSON.stringify(result.checks)).to.equal("passed");
    }
    expect(calls).to.deep.equal([vct]);
    // Another call with no way to the document at all: the hash names it, the cache has it.
    expect(schemaCheck(await verify(envelope, { registries: [fx.registry] })).status).to.equal("passed");
  });

  it("fetches nothing from a host it was not told to trust, nor over plain http from a non-loopback host", async function () {
    const https = await registeredType();
    const http = await registeredType("http://certs.example.gov.cn");
    const { fetch, calls } = serving({ [https.vct]: https.text, [http.vct]: http.text });
    const other = await verify(await issued(undefined, https.type.integrity, https.vct), { registries: [fx.registry], types: { hosts: ["elsewhere.example"], fetch } });
    expect(schemaCheck(other).code).to.equal("SCHEMA_TYPE_UNKNOWN");
    const plain = await verify(await issued(undefined, http.type.integrity, http.vct), { registries: [fx.registry], types: { hosts: ["certs.example.gov.cn"], fetch } });
    expect(schemaCheck(plain).code).to.equal("SCHEMA_TYPE_UNKNOWN");
    expect(calls).to.deep.equal([]);
  });

  it("uses no document the registry does not hold, however it arrived: a changed label makes it TYPE_METADATA_UNTRUSTED", async function () {
    const { vct, text } = await registeredType();
    const changed = JSON.parse(text) as any;
    changed.claims[2].display[0].label = "银行卡号";
    const forged = typeMetadataText(changed as TypeMetadataDocument);
    const { fetch } = serving({ [vct]: forged });
    for (const types of [{ bundle: [forged] }, { hosts: ["certs.example.gov.cn"], fetch }]) {
      // The credential names no integrity here, so only the registry can tell.
      const result = await verify(await issued(undefined, null, vct), { registries: [fx.registry], types });
      expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
      expect(schemaCheck(result)).to.include({ status: "skipped", code: "TYPE_METADATA_UNTRUSTED" });
      expect(result.certificate!.type).to.equal(null);
    }
  });

  it("fails a credential whose vct#integrity names another document than the registered one (TYPE_METADATA_MISMATCH)", async function () {
    const other = certificateTypeFromMetadata(typeMetadataText({ ...DOCUMENT, description: "another document" }));
    const result = await verify(await issued(undefined, other.integrity), { registries: [fx.registry], types: { bundle: [TEXT] } });
    expect(result.verdict).to.equal("invalid");
    expect(result.reason).to.deep.include({ check: "schema", code: "TYPE_METADATA_MISMATCH" });
    // Decided from the registry's hash alone, without any document.
    const bare = await verify(await issued(undefined, other.integrity), { registries: [fx.registry] });
    expect(bare.reason).to.deep.include({ code: "TYPE_METADATA_MISMATCH" });
  });

  it("validates claims with the learned schema: a malformed nested claim is SCHEMA_INVALID", async function () {
    const result = await verify(await issued({ holder: { name: "" }, card_number: "A12345678" }), { registries: [fx.registry], types: { bundle: [DOCUMENT as unknown as TypeMetadataDocument] } });
    expect(result.verdict).to.equal("invalid");
    expect(result.reason).to.deep.include({ check: "schema", code: "SCHEMA_INVALID" });
    expect(result.reason!.message).to.contain("/holder/name");
  });

  it("for a type the registry does not hold, shows the labels of the document the issuer named but checks nothing", async function () {
    const unregistered = { ...DOCUMENT, vct: "https://certs.example.gov.cn/types/residence-permit/1" };
    const text = typeMetadataText(unregistered);
    const type = certificateTypeFromMetadata(text);
    await fx.admin.setAccreditation("sh-amr", unregistered.vct);
    const envelope = await issued(undefined, type.integrity, unregistered.vct);
    const result = await verify(envelope, { registries: [fx.registry], types: { bundle: [text] } });
    expect(result.verdict).to.equal("valid");
    expect(schemaCheck(result)).to.include({ status: "skipped", code: "TYPE_METADATA_UNTRUSTED" });
    expect(result.certificate!.type!.names.en).to.equal("Social security card");
  });

  it("checks the number's type segment against the type code the registry holds for a type the SDK does not ship (CERT_NUMBER_MISMATCH)", async function () {
    const wrong = await verify(await issued(undefined, undefined, VCT, "SBZX"), { registries: [fx.registry] });
    expect(wrong.verdict).to.equal("invalid");
    expect(wrong.reason).to.deep.include({ check: "issuer", code: "CERT_NUMBER_MISMATCH" });
    expect((await verify(await issued(), { registries: [fx.registry] })).verdict).to.equal("valid");
  });

  it("a registry reader without typeRecords (an older registry) vouches for nothing", async function () {
    const { vct, text, type } = await registeredType();
    const reader = createRegistryReader(fx.registry);
    const { typeRecords: _, ...older } = reader;
    const result = await verify(await issued(undefined, type.integrity, vct), { registries: [older as typeof reader], types: { bundle: [text] } });
    expect(result.verdict).to.equal("valid");
    expect(schemaCheck(result).code).to.equal("TYPE_METADATA_UNTRUSTED");
  });
});
