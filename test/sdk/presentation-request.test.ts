import { expect } from "chai";
import hre from "hardhat";
import { compactVerify, decodeProtectedHeader, importJWK } from "jose";
import {
  agencyIssuerUrl,
  buildConsentReceiptTree,
  consentReceiptLeaf,
  createRequestObject,
  createVerifierAttestation,
  createWebCryptoHolderSigner,
  findTypeById,
  publicJwkOf,
  verifyAnchoredConsentReceipt,
  verifyPresentationRequest,
  type ConsentReceipt,
  type HolderSigner,
  type Hex,
} from "@certchain/sdk";
import { rawPublicKeyOf } from "../../server/keys/node-signer";
import { deployTrustFixture, type TrustFixture } from "../support/chain-fixture";

const licence = findTypeById("business-licence")!;
const QUERY = {
  credentials: [{ id: "licence", format: "dc+sd-jwt", meta: { vct_values: [licence.vct] }, claims: [{ path: ["company_name"] }] }],
};
const PUBLIC_URL = "https://certs.example.gov.cn";
const RESPONSE_URI = `${PUBLIC_URL}/v1/presentation-responses`;
const SUBJECT = `${PUBLIC_URL}/agencies/sh-amr`;
const CLIENT_ID = `verifier_attestation:${SUBJECT}`;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const unb64 = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));

describe("sdk: department requests (verifier_attestation request objects) and anchored consent receipts", function () {
  this.timeout(120_000);
  let fx: TrustFixture;
  let requestKey: HolderSigner;
  let now: number;

  before(async function () {
    fx = await deployTrustFixture();
    requestKey = await createWebCryptoHolderSigner((await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair);
    now = (await hre.ethers.provider.getBlock("latest"))!.timestamp;
  });

  const attest = (overrides: Partial<Parameters<typeof createVerifierAttestation>[0]> = {}) =>
    createVerifierAttestation({ issuer: agencyIssuerUrl(PUBLIC_URL, "sh-amr"), subject: SUBJECT, requestKey: requestKey.publicJwk, issuedAt: now, expiresAt: now + 3600, redirectUris: [RESPONSE_URI], signer: fx.amr.signer, ...overrides });

  const request = async (overrides: Partial<Parameters<typeof createRequestObject>[0]> = {}) =>
    createRequestObject({
      attestation: await attest(),
      subject: SUBJECT,
      responseUri: RESPONSE_URI,
      nonce: "nonce-0123456789abcdef",
      state: "state-0123456789abcdef",
      dcqlQuery: QUERY,
      purpose: "办理企业开户",
      clientMetadata: { client_name: "开户窗口" },
      issuedAt: now,
      expiresAt: now + 600,
      signer: requestKey,
      ...overrides,
    });

  const check = (text: unknown, extra: { clientId?: string; at?: number } = {}) => verifyPresentationRequest(text, { registries: [fx.registry], clientId: extra.clientId ?? CLIENT_ID, now: (extra.at ?? now) * 1000 });

  it("shows a request signed by the attested key, and names the agency the registry holds as the verified sender", async function () {
    const text = await request();
    const result = await check(text);
    expect(result, JSON.stringify(result)).to.deep.include({ ok: true, verified: true, code: null });
    expect(result.verifier.agency).to.deep.include({ slug: "sh-amr", name: "上海市市场监督管理局" });
    expect(result.verifier.registry).to.deep.include({ chainId: 31337, address: fx.registry.address });
    expect(result.request).to.deep.include({ clientId: CLIENT_ID, nonce: "nonce-0123456789abcdef", state: "state-0123456789abcdef", responseUri: RESPONSE_URI, purpose: "办理企业开户", clientName: "开户窗口" });
    expect(result.request!.dcqlQuery).to.deep.equal(QUERY);
    // Independently (jose): the request object verifies with the attestation's cnf.jwk, the attestation with the agency's registered key.
    const header = decodeProtectedHeader(text);
    expect(header).to.deep.include({ typ: "oauth-authz-req+jwt", alg: "ES256" });
    const attestation = header.jwt as string;
    const cnf = unb64(attestation.split(".")[1]).cnf.jwk;
    await compactVerify(text, await importJWK(cnf, "ES256"));
    const agencyJwk = publicJwkOf(rawPublicKeyOf(fx.amr.privateKey));
    const verified = await compactVerify(attestation, await importJWK(agencyJwk, "EdDSA"));
    expect(verified.protectedHeader).to.deep.include({ typ: "verifier-attestation+jwt", kid: fx.amr.signer.kid });
    expect(JSON.parse(new TextDecoder().decode(verified.payload))).to.deep.include({ iss: SUBJECT, sub: SUBJECT, redirect_uris: [RESPONSE_URI] });
  });

  it("refuses a request object altered after signing (REQUEST_OBJECT_SIGNATURE_INVALID), whatever it changes", async function () {
    const [h, p, s] = (await request()).split(".");
    for (const change of [{ response_uri: "https://attacker.example/collect" }, { dcql_query: { ...QUERY, credentials: [{ ...QUERY.credentials[0], claims: [{ path: ["legal_representative"] }] }] } }, { nonce: "another" }]) {
      const tampered = `${h}.${b64({ ...unb64(p), ...change })}.${s}`;
      expect(await check(tampered)).to.deep.include({ ok: false, verified: false, code: "REQUEST_OBJECT_SIGNATURE_INVALID", request: null });
    }
    // A request re-signed by another key, keeping the department's attestation, fails the same way.
    const other = await createWebCryptoHolderSigner((await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair);
    expect((await check(await request({ signer: other }))).code).to.equal("REQUEST_OBJECT_SIGNATURE_INVALID");
  });

  it("says the sender is not verified when the attestation is not an agency's registered key, or its key was revoked", async function () {
    // Signed by a key of the agency's name that the registry does not hold.
    const stranger = await deployTrustFixture();
    const forged = await request({ attestation: await attest({ signer: stranger.amr.signer }) });
    const result = await check(forged);
    expect(result).to.deep.include({ ok: true, verified: false, code: "VERIFIER_NOT_TRUSTED" });
    expect(result.request!.clientName).to.equal("开户窗口");
    expect(result.verifier.agency).to.equal(null);
    // The civil-affairs bureau's real key cannot attest in the market regulator's name.
    expect((await check(await request({ attestation: await attest({ signer: fx.mca.signer }) }))).code).to.equal("VERIFIER_NOT_TRUSTED");
    // A key the registry revoked (an agency of its own here, so the other tests keep theirs).
    const revoked = await fx.addAgency("sh-hrss", "上海市人力资源和社会保障局", [], fx.outsider);
    const beforeRevocation = await request({ attestation: await attest({ issuer: agencyIssuerUrl(PUBLIC_URL, "sh-hrss"), signer: revoked.signer }) });
    expect((await check(beforeRevocation)).verified).to.equal(true);
    await fx.admin.revokeSigningKey(revoked.keyId, now);
    expect((await check(beforeRevocation)).code).to.equal("VERIFIER_NOT_TRUSTED");
    // An issuer that is no agency at all.
    expect((await check(await request({ attestation: await attest({ issuer: "https://example.com/someone" }) }))).code).to.equal("VERIFIER_NOT_TRUSTED");
  });

  it("refuses expired requests and attestations, mismatched client ids, response_uris the attestation does not allow, and other modes", async function () {
    expect((await check(await request(), { at: now + 601 })).code).to.equal("REQUEST_OBJECT_EXPIRED");
    expect((await check(await request({ attestation: await attest({ expiresAt: now - 1 }) }))).code).to.equal("VERIFIER_ATTESTATION_EXPIRED");
    expect((await check(await request(), { clientId: "verifier_attestation:https://elsewhere.example" })).code).to.equal("REQUEST_CLIENT_ID_MISMATCH");
    expect((await check(await request({ subject: "https://elsewhere.example" }), { clientId: "verifier_attestation:https://elsewhere.example" })).code).to.equal("REQUEST_CLIENT_ID_MISMATCH");
    expect((await check(await request({ responseUri: "https://attacker.example/collect" }))).code).to.equal("REQUEST_RESPONSE_URI_NOT_ALLOWED");
    const refused = await request({ dcqlQuery: { credentials: [] } }).then(() => "made", (error: Error & { code?: string }) => error.code);
    expect(refused).to.equal("DCQL_QUERY_INVALID");
    // Re-signed with other parameters by the attested key: only direct_post vp_token requests, no redirect_uri.
    const resign = async (change: Record<string, unknown>) => {
      const [h, p] = (await request()).split(".");
      const input = `${h}.${b64({ ...unb64(p), ...change })}`;
      return `${input}.${Buffer.from(await requestKey.sign(new TextEncoder().encode(input))).toString("base64url")}`;
    };
    expect((await check(await resign({ response_mode: "fragment" }))).code).to.equal("REQUEST_OBJECT_UNSUPPORTED");
    expect((await check(await resign({ response_type: "vp_token id_token" }))).code).to.equal("REQUEST_OBJECT_UNSUPPORTED");
    expect((await check(await resign({ redirect_uri: RESPONSE_URI }))).code).to.equal("REQUEST_OBJECT_MALFORMED");
    expect((await check(await resign({ dcql_query: { credentials: "all" } }))).code).to.equal("REQUEST_QUERY_INVALID");
    expect((await check(await resign({ nonce: undefined }))).code).to.equal("REQUEST_OBJECT_MALFORMED");
  });

  it("never throws on hostile input", async function () {
    for (const input of [undefined, null, 42, "", "a.b.c", "x".repeat(100_000), { not: "a jwt" }, `${b64({ typ: "oauth-authz-req+jwt", alg: "none" })}.${b64({})}.`]) {
      const result = await check(input);
      expect(result.ok, String(input).slice(0, 40)).to.equal(false);
      expect(result.code).to.be.a("string");
    }
  });

  it("says a department's anchored receipt proves its use, and what does not", async function () {
    const receipt = (time: number, claim: string): ConsentReceipt => ({
      format: "certchain-consent-receipt",
      version: 1,
      request: `0x${"ab".repeat(32)}` as Hex,
      time,
      credentials: [{ query: "licence", credential: `0x${"cd".repeat(32)}` as Hex, key_binding: `0x${"ef".repeat(32)}` as Hex, claims: [[claim]] }],
    });
    const receipts = [receipt(now - 60, "company_name"), receipt(now - 30, "unified_social_credit_code"), receipt(now - 10, "address")];
    const tree = buildConsentReceiptTree(receipts);
    await fx.amr.client.anchorRoot(tree.root, tree.size);
    const mine = receipts[1];
    const result = await verifyAnchoredConsentReceipt(mine, { proof: tree.proofOf(mine)!, root: tree.root, registries: [fx.registry] });
    expect(result, JSON.stringify(result)).to.deep.include({ valid: true, code: null });
    expect(result.department).to.deep.include({ slug: "sh-amr", name: "上海市市场监督管理局" });
    expect(Date.parse(result.anchoredAt!) / 1000).to.be.at.least(now);
    // Another receipt's proof, an altered receipt, a root nobody anchored.
    expect((await verifyAnchoredConsentReceipt(mine, { proof: tree.proofOf(receipts[0])!, root: tree.root, registries: [fx.registry] })).code).to.equal("RECEIPT_PROOF_INVALID");
    expect((await verifyAnchoredConsentReceipt({ ...mine, time: mine.time + 1 }, { proof: tree.proofOf(mine)!, root: tree.root, registries: [fx.registry] })).code).to.equal("RECEIPT_PROOF_INVALID");
    const lonely = receipt(now, "legal_representative");
    expect((await verifyAnchoredConsentReceipt(lonely, { proof: [], root: consentReceiptLeaf(lonely), registries: [fx.registry] })).code).to.equal("RECEIPT_ROOT_NOT_ANCHORED");
    expect((await verifyAnchoredConsentReceipt({ format: "nope" }, { proof: [], root: tree.root, registries: [fx.registry] })).code).to.equal("RECEIPT_MALFORMED");
    // A receipt claiming a use long after the anchor cannot have been in the tree when it was anchored.
    const late = [receipt(now + 7200, "company_name"), receipt(now, "address")];
    const lateTree = buildConsentReceiptTree(late);
    await fx.amr.client.anchorRoot(lateTree.root, lateTree.size);
    expect((await verifyAnchoredConsentReceipt(late[0], { proof: lateTree.proofOf(late[0])!, root: lateTree.root, registries: [fx.registry] })).code).to.equal("RECEIPT_TIME_AFTER_ANCHOR");
  });
});
