import { expect } from "chai";
import { createHash, generateKeyPairSync } from "node:crypto";
import fc from "fast-check";
import { SimpleMerkleTree } from "@openzeppelin/merkle-tree";
import { createNodeSigner } from "../../server/keys/node-signer";
import {
  buildConsentReceiptTree,
  consentReceiptLeaf,
  consentReceiptOf,
  createWebCryptoHolderSigner,
  credentialLeaf,
  encodeConsentReceipt,
  findTypeById,
  isCertchainError,
  issueCredential,
  parseConsentReceipt,
  presentWithKeyBinding,
  verifyConsentReceiptProof,
  type ConsentReceipt,
  type Hex,
} from "@certchain/sdk";

const sha256 = (text: string) => `0x${createHash("sha256").update(text, "utf8").digest("hex")}` as Hex;
const licence = findTypeById("business-licence")!;
const requestObject = "eyJhbGciOiJFUzI1NiJ9.eyJub25jZSI6Im4ifQ.c2ln";

const receipt = (n: number, extra: Partial<ConsentReceipt> = {}): ConsentReceipt => ({
  format: "certchain-consent-receipt",
  version: 1,
  request: sha256(`request ${n}`),
  time: 1_767_225_600 + n,
  credentials: [{ query: "licence", credential: sha256(`credential ${n}`), key_binding: sha256(`kb ${n}`), claims: [["unified_social_credit_code"], ["company_name"]] }],
  ...extra,
});

describe("sdk: consent receipts (用证记录)", function () {
  it("encodes canonically: JCS with members by name, claim paths and credentials sorted, hex lowercase — byte for byte", function () {
    const given = receipt(1);
    given.credentials[0].credential = given.credentials[0].credential.toUpperCase().replace("0X", "0x") as Hex;
    const expected =
      `{"credentials":[{"claims":[["company_name"],["unified_social_credit_code"]],"credential":"${sha256("credential 1")}","key_binding":"${sha256("kb 1")}","query":"licence"}],` +
      `"format":"certchain-consent-receipt","request":"${sha256("request 1")}","time":1767225601,"version":1}`;
    expect(encodeConsentReceipt(given)).to.equal(expected);
    expect(consentReceiptLeaf(given)).to.equal(sha256(expected));
    // Order of input does not matter; content does.
    const reordered = { ...receipt(1), credentials: [{ ...receipt(1).credentials[0], claims: [["company_name"], ["unified_social_credit_code"], ["company_name"]] }] };
    expect(consentReceiptLeaf(reordered)).to.equal(consentReceiptLeaf(receipt(1)));
    expect(consentReceiptLeaf(receipt(1, { time: 1_767_225_602 }))).to.not.equal(consentReceiptLeaf(receipt(1)));
    // Non-ASCII names are written as JSON.stringify writes them (JCS), UTF-8 hashed.
    const chinese = receipt(1, { credentials: [{ ...receipt(1).credentials[0], claims: [["名称"]] }] });
    expect(encodeConsentReceipt(chinese)).to.contain('"claims":[["名称"]]');
  });

  it("refuses malformed receipts with CONSENT_RECEIPT_INVALID", function () {
    const bad: unknown[] = [
      null,
      { ...receipt(1), version: 2 },
      { ...receipt(1), request: "0x12" },
      { ...receipt(1), time: 1.5 },
      { ...receipt(1), credentials: [] },
      { ...receipt(1), credentials: [{ ...receipt(1).credentials[0], key_binding: "kb" }] },
      { ...receipt(1), credentials: [{ ...receipt(1).credentials[0], claims: [[]] }] },
      { ...receipt(1), credentials: [{ ...receipt(1).credentials[0], claims: [["a", -1]] }] },
    ];
    for (const value of bad) expect(() => parseConsentReceipt(value), JSON.stringify(value)).to.throw().that.satisfies((e: unknown) => isCertchainError(e, "CONSENT_RECEIPT_INVALID"));
  });

  it("the wallet and the department derive the same receipt from the request object and the vp_token alone", async function () {
    const holder = await createWebCryptoHolderSigner((await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair);
    const credential = await issueCredential({ vct: licence.vct, issuer: "sh-amr", certificateNumber: "SH-1", claims: licence.schema.examples[0] as Record<string, unknown>, signer: createNodeSigner(generateKeyPairSync("ed25519").privateKey), holderKey: holder.publicJwk });
    const presentation = await presentWithKeyBinding(credential, { disclose: ["company_name", "legal_representative"], nonce: "n", audience: "a", holderSigner: holder, issuedAt: 1_767_225_600 });
    const vpToken = { licence: [presentation] };
    const departmentSide = consentReceiptOf({ requestObject, vpToken: JSON.stringify(vpToken) });
    const walletSide = consentReceiptOf({ requestObject, vpToken });
    expect(walletSide).to.deep.equal(departmentSide);
    expect(departmentSide).to.deep.equal({
      format: "certchain-consent-receipt",
      version: 1,
      request: sha256(requestObject),
      time: 1_767_225_600,
      credentials: [{ query: "licence", credential: credentialLeaf(credential), key_binding: sha256(presentation.slice(presentation.lastIndexOf("~") + 1)), claims: [["company_name"], ["legal_representative"]] }],
    });
    // Without a key-binding JWT there is no time both sides know: it must be given.
    expect(() => consentReceiptOf({ requestObject, vpToken: { licence: [credential] } })).to.throw().that.satisfies((e: unknown) => isCertchainError(e, "CONSENT_RECEIPT_INPUT_INVALID"));
    expect(consentReceiptOf({ requestObject, vpToken: { licence: [credential] }, time: 5 }).credentials[0].key_binding).to.equal(null);
  });

  it("a period's receipts form an OpenZeppelin-compatible tree whose proofs show inclusion, and nothing else", function () {
    const receipts = Array.from({ length: 37 }, (_, i) => receipt(i));
    const tree = buildConsentReceiptTree(receipts);
    expect(tree.size).to.equal(37);
    // The same root as OpenZeppelin's SimpleMerkleTree over the same leaves.
    expect(tree.root).to.equal(SimpleMerkleTree.of(receipts.map(consentReceiptLeaf)).root);
    for (const r of receipts) expect(verifyConsentReceiptProof(r, tree.proofOf(r)!, tree.root)).to.equal(true);
    const proof = tree.proofOf(receipts[5])!;
    // Another time, another field, another root, a tampered proof: all false, never a throw.
    expect(verifyConsentReceiptProof(receipt(5, { time: 1 }), proof, tree.root)).to.equal(false);
    expect(verifyConsentReceiptProof({ ...receipts[5], credentials: [{ ...receipts[5].credentials[0], claims: [["company_name"]] }] }, proof, tree.root)).to.equal(false);
    expect(verifyConsentReceiptProof(receipts[5], proof, buildConsentReceiptTree(receipts.slice(1)).root)).to.equal(false);
    expect(verifyConsentReceiptProof(receipts[5], [...proof.slice(1), proof[0]], tree.root)).to.equal(false);
    expect(verifyConsentReceiptProof({} as ConsentReceipt, proof, tree.root)).to.equal(false);
    expect(verifyConsentReceiptProof(receipts[5], "junk" as unknown as Hex[], tree.root)).to.equal(false);
    expect(tree.proofOf(receipt(99))).to.equal(undefined);
  });

  it("round-trips: any receipt's proof verifies against its tree's root", function () {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.nat(), (size, pick) => {
        const receipts = Array.from({ length: size }, (_, i) => receipt(i + 1000 * size));
        const tree = buildConsentReceiptTree(receipts);
        const chosen = receipts[pick % size];
        return verifyConsentReceiptProof(chosen, tree.proofOf(chosen)!, tree.root);
      }),
      { numRuns: 40 },
    );
  });
});
