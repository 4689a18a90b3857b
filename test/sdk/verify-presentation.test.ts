import { expect } from "chai";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { compactVerify, importJWK, type JWK } from "jose";
import { SDJwtVcInstance } from "@sd-jwt/sd-jwt-vc";
import {
  consentReceiptOf,
  createWebCryptoHolderSigner,
  credentialLeaf,
  findTypeById,
  issueCredential,
  presentCredential,
  presentWithKeyBinding,
  publicJwkOf,
  verify,
  verifyPresentation,
  type Envelope,
  type HolderSigner,
  type PresentationVerificationResult,
  type VerifyPresentationOptions,
} from "@certchain/sdk";
import { rawPublicKeyOf } from "../../server/keys/node-signer";
import { anchorCredentials, deployTrustFixture, numberFor, type TestAgency, type TrustFixture } from "../support/chain-fixture";

const licence = findTypeById("business-licence")!;
const example = licence.schema.examples[0] as Record<string, unknown>;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const unb64 = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
const sha256b64 = (text: string) => createHash("sha256").update(text).digest("base64url");

/** A wallet's device key: WebCrypto, private half non-extractable. */
async function deviceKey(alg: "ES256" | "EdDSA" = "ES256"): Promise<HolderSigner> {
  const params = alg === "ES256" ? { name: "ECDSA", namedCurve: "P-256" } : { name: "Ed25519" };
  return createWebCryptoHolderSigner((await crypto.subtle.generateKey(params, false, ["sign", "verify"])) as CryptoKeyPair);
}

// A department asks for 3 of the licence's fields, the legal representative optional.
const QUERY = {
  credentials: [
    {
      id: "licence",
      format: "dc+sd-jwt",
      meta: { vct_values: [licence.vct] },
      claims: [
        { id: "name", path: ["company_name"] },
        { id: "code", path: ["unified_social_credit_code"] },
        { id: "rep", path: ["legal_representative"] },
      ],
      claim_sets: [["name", "code", "rep"], ["name", "code"]],
    },
  ],
};
const REQUIRED = ["company_name", "unified_social_credit_code"];

describe("sdk: verifyPresentation (holder binding, DCQL, key-binding JWTs)", function () {
  this.timeout(120_000);
  let fx: TrustFixture;
  let holder: HolderSigner;
  let envelope: Envelope;
  const nonce = "n-0S6_WzA2Mj";
  const audience = "x509_san_dns:verifier.example.gov.cn";
  const requestObject = "eyJhbGciOiJFUzI1NiIsInR5cCI6Im9hdXRoLWF1dGh6LXJlcStqd3QifQ.eyJub25jZSI6Im4tMFM2In0.c2ln";

  async function bound(key: HolderSigner | undefined, agency: TestAgency = fx.amr): Promise<Envelope> {
    const credential = await issueCredential({
      vct: licence.vct,
      issuer: agency.slug,
      certificateNumber: numberFor(licence.typeCode, agency.creditCode),
      claims: example,
      signer: agency.signer,
      ...(key ? { holderKey: key.publicJwk } : {}),
    });
    return (await anchorCredentials(fx, agency, [credential])).envelopes[0];
  }

  /** What a department's verifier passes: the request, and the anchor proof the wallet sent along. */
  const optionsFor = (env: Envelope | undefined, extra: Partial<VerifyPresentationOptions> = {}): VerifyPresentationOptions => ({
    registries: [fx.registry],
    nonce,
    audience,
    dcqlQuery: QUERY,
    ...(env && env.anchor.status === "anchored" ? { anchors: [(({ status: _s, ...rest }) => rest)(env.anchor)] } : {}),
    ...extra,
  });

  const present = (env: Envelope = envelope, disclose: string[] = REQUIRED, signer = holder, more: { nonce?: string; audience?: string; issuedAt?: number } = {}) =>
    presentWithKeyBinding(env, { disclose, nonce: more.nonce ?? nonce, audience: more.audience ?? audience, holderSigner: signer, issuedAt: more.issuedAt });

  function expectRefused(result: PresentationVerificationResult, check: string, code: string, verdict = "invalid") {
    expect(result.verdict, JSON.stringify(result.reason)).to.equal(verdict);
    expect(result.reason).to.deep.include({ check, code });
  }

  /** Replaces the KB-JWT's payload and re-signs it with `signer` (or keeps the signature). */
  async function rebind(presentation: string, change: (payload: Record<string, unknown>) => Record<string, unknown>, signer?: HolderSigner, header?: Record<string, unknown>) {
    const end = presentation.lastIndexOf("~") + 1;
    const [h, p, s] = presentation.slice(end).split(".");
    const newHeader = header ? b64(header) : h;
    const input = `${newHeader}.${b64(change(unb64(p)))}`;
    const signature = signer ? Buffer.from(await signer.sign(new TextEncoder().encode(input))).toString("base64url") : s;
    return `${presentation.slice(0, end)}${input}.${signature}`;
  }

  before(async function () {
    fx = await deployTrustFixture();
    holder = await deviceKey("ES256");
    envelope = await bound(holder);
  });

  describe("a citizen's consented answer", function () {
    it("is valid: holder binding checked, exactly the two required fields, a consent receipt both sides compute alike", async function () {
      const vpToken = JSON.stringify({ licence: [await present()] });
      const result = await verifyPresentation(vpToken, optionsFor(envelope, { requestObject }));
      expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
      expect(result.credentials).to.have.length(1);
      const [credential] = result.credentials;
      expect(credential.queryId).to.equal("licence");
      expect(credential.checks.map((c) => [c.name, c.status])).to.deep.equal(
        ["format", "integrity", "holder", "query", "anchor", "issuer", "signature", "status", "validity", "schema"].map((n) => [n, "passed"]),
      );
      expect(credential.claims).to.deep.equal({ company_name: example.company_name, unified_social_credit_code: example.unified_social_credit_code });
      expect(credential.disclosed).to.have.deep.members([["company_name"], ["unified_social_credit_code"]]);
      expect(credential.holderBinding).to.deep.include({ required: true, checked: true });
      expect(credential.holderBinding.holderKey).to.deep.include({ alg: "ES256" });
      expect(credential.issuer).to.deep.include({ slug: "sh-amr" });
      // The wallet, from the same request object and vp_token, gets the same receipt.
      expect(result.receipt).to.deep.equal(consentReceiptOf({ requestObject, vpToken }));
      expect(result.receipt!.credentials[0]).to.deep.include({ query: "licence", credential: credentialLeaf(envelope.credential), key_binding: credential.holderBinding.keyBinding!.digest });
    });

    it("accepts the optional field when the holder keeps it, and an Ed25519 device key", async function () {
      const edHolder = await deviceKey("EdDSA");
      const edEnvelope = await bound(edHolder);
      const result = await verifyPresentation({ licence: [await present(edEnvelope, [...REQUIRED, "legal_representative"], edHolder)] }, optionsFor(edEnvelope));
      expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
      expect(Object.keys(result.credentials[0].claims)).to.have.members([...REQUIRED, "legal_representative"]);
      expect(result.credentials[0].holderBinding.holderKey!.alg).to.equal("EdDSA");
    });

    it("accepts an envelope whose credential is the SD-JWT+KB (its anchor travels with it), and finds a compact one's proof by lookup", async function () {
      const presentation = await present();
      expect((await verifyPresentation({ licence: [{ ...envelope, credential: presentation }] }, optionsFor(undefined))).verdict).to.equal("valid");
      const { status: _status, ...anchor } = envelope.anchor as Extract<Envelope["anchor"], { status: "anchored" }>;
      const asked: string[] = [];
      const lookup = async (leaf: string) => {
        asked.push(leaf);
        return leaf === credentialLeaf(envelope.credential) ? anchor : undefined;
      };
      expect((await verifyPresentation({ licence: [presentation] }, optionsFor(undefined, { anchors: lookup }))).verdict).to.equal("valid");
      expect(asked).to.deep.equal([credentialLeaf(envelope.credential)]);
    });

    it("without any anchor proof is unverifiable, not invalid (ANCHOR_PROOF_UNAVAILABLE), and the holder check still runs", async function () {
      const result = await verifyPresentation({ licence: [await present()] }, optionsFor(undefined));
      expectRefused(result, "anchor", "ANCHOR_PROOF_UNAVAILABLE", "unverifiable");
      expect(result.credentials[0].checks.find((c) => c.name === "holder")).to.include({ status: "passed" });
    });

    it("keeps the chain's verdict: a revoked certificate's bound answer is revoked", async function () {
      const revokedEnvelope = await bound(holder);
      const anchored = revokedEnvelope.anchor as Extract<Envelope["anchor"], { status: "anchored" }>;
      await fx.amr.client.changeStatus("revoke", [{ leaf: credentialLeaf(revokedEnvelope.credential), root: anchored.root, proof: anchored.proof }], 1);
      expectRefused(await verifyPresentation({ licence: [await present(revokedEnvelope)] }, optionsFor(revokedEnvelope)), "status", "STATUS_REVOKED", "revoked");
    });
  });

  describe("replay and forgery of the key binding", function () {
    it("the same vp_token posted to another request (nonce) fails with KEY_BINDING_NONCE_MISMATCH", async function () {
      const vpToken = { licence: [await present()] };
      expect((await verifyPresentation(vpToken, optionsFor(envelope))).verdict).to.equal("valid");
      const replayed = await verifyPresentation(vpToken, optionsFor(envelope, { nonce: "another-request-nonce" }));
      expectRefused(replayed, "holder", "KEY_BINDING_NONCE_MISMATCH");
      expect(replayed.receipt).to.equal(null);
    });

    it("sent to another verifier (aud) fails with KEY_BINDING_AUDIENCE_MISMATCH", async function () {
      expectRefused(await verifyPresentation({ licence: [await present()] }, optionsFor(envelope, { audience: "x509_san_dns:other.example.gov.cn" })), "holder", "KEY_BINDING_AUDIENCE_MISMATCH");
    });

    it("a KB-JWT altered after signing (its nonce rewritten) fails its signature", async function () {
      const forged = await rebind(await present(undefined, undefined, undefined, { nonce: "old" }), (p) => ({ ...p, nonce }));
      expectRefused(await verifyPresentation({ licence: [forged] }, optionsFor(envelope)), "holder", "KEY_BINDING_SIGNATURE_INVALID");
    });

    it("a KB-JWT signed by another key than the credential's cnf fails its signature", async function () {
      const thief = await deviceKey("ES256");
      const stolen = await rebind(await present(), (p) => p, thief);
      expectRefused(await verifyPresentation({ licence: [stolen] }, optionsFor(envelope)), "holder", "KEY_BINDING_SIGNATURE_INVALID");
      // presentWithKeyBinding refuses to sign with a key the credential is not bound to.
      await presentWithKeyBinding(envelope, { disclose: REQUIRED, nonce, audience, holderSigner: thief }).then(
        () => expect.fail("signed with a foreign key"),
        (error) => expect(error.code).to.equal("PRESENTATION_HOLDER_KEY_MISMATCH"),
      );
    });

    it("a wrong sd_hash fails, whether re-signed by the holder or left from another set of disclosures", async function () {
      const resigned = await rebind(await present(), (p) => ({ ...p, sd_hash: sha256b64("something else~") }), holder);
      expectRefused(await verifyPresentation({ licence: [resigned] }, optionsFor(envelope)), "holder", "KEY_BINDING_SD_HASH_MISMATCH");
      // A disclosure added to a bound presentation: the KB-JWT covered the smaller one.
      const small = await present();
      const extra = presentCredential(envelope, ["company_type"]).credential.split("~")[1];
      const end = small.lastIndexOf("~") + 1;
      const widened = `${small.slice(0, end)}${extra}~${small.slice(end)}`;
      expectRefused(await verifyPresentation({ licence: [widened] }, optionsFor(envelope)), "holder", "KEY_BINDING_SD_HASH_MISMATCH");
    });

    it("alg none, an HMAC, or a typ other than kb+jwt is refused before any key is used", async function () {
      const presentation = await present();
      const end = presentation.lastIndexOf("~") + 1;
      const [, p] = presentation.slice(end).split(".");
      const none = `${presentation.slice(0, end)}${b64({ alg: "none", typ: "kb+jwt" })}.${p}.`;
      expectRefused(await verifyPresentation({ licence: [none] }, optionsFor(envelope)), "holder", "KEY_BINDING_ALGORITHM_NOT_ALLOWED");
      const hmac = await rebind(presentation, (x) => x, undefined, { alg: "HS256", typ: "kb+jwt" });
      expectRefused(await verifyPresentation({ licence: [hmac] }, optionsFor(envelope)), "holder", "KEY_BINDING_ALGORITHM_NOT_ALLOWED");
      const untyped = await rebind(presentation, (x) => x, holder, { alg: "ES256", typ: "JWT" });
      expectRefused(await verifyPresentation({ licence: [untyped] }, optionsFor(envelope)), "holder", "KEY_BINDING_MALFORMED");
    });

    it("a KB-JWT older than maxKbAgeSeconds is stale; one from the future is refused", async function () {
      const now = Math.floor(Date.now() / 1000);
      expectRefused(await verifyPresentation({ licence: [await present(undefined, undefined, undefined, { issuedAt: now - 301 })] }, optionsFor(envelope)), "holder", "KEY_BINDING_STALE");
      expect((await verifyPresentation({ licence: [await present(undefined, undefined, undefined, { issuedAt: now - 301 })] }, optionsFor(envelope, { maxKbAgeSeconds: 600 }))).verdict).to.equal("valid");
      expectRefused(await verifyPresentation({ licence: [await present(undefined, undefined, undefined, { issuedAt: now + 600 })] }, optionsFor(envelope)), "holder", "KEY_BINDING_ISSUED_IN_FUTURE");
    });

    it("no KB-JWT where binding is required is KEY_BINDING_MISSING; a credential without cnf is HOLDER_BINDING_MISSING", async function () {
      const bare = presentCredential(envelope, REQUIRED).credential;
      expectRefused(await verifyPresentation({ licence: [bare] }, optionsFor(envelope)), "holder", "KEY_BINDING_MISSING");
      const unbound = await bound(undefined);
      const plain = presentCredential(unbound, REQUIRED).credential;
      expectRefused(await verifyPresentation({ licence: [plain] }, optionsFor(unbound)), "holder", "HOLDER_BINDING_MISSING");
      await presentWithKeyBinding(unbound, { disclose: REQUIRED, nonce, audience, holderSigner: holder }).then(
        () => expect.fail("bound an unbound credential"),
        (error) => expect(error.code).to.equal("PRESENTATION_NOT_HOLDER_BOUND"),
      );
      // A query that does not require binding accepts the bare presentation: binding not checked.
      const relaxed = { credentials: [{ ...QUERY.credentials[0], require_cryptographic_holder_binding: false }] };
      const result = await verifyPresentation({ licence: [plain] }, optionsFor(unbound, { dcqlQuery: relaxed }));
      expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
      expect(result.credentials[0].holderBinding).to.deep.include({ required: false, checked: false });
    });
  });

  describe("the answer against the DCQL query", function () {
    it("a presentation disclosing more than the query asks is refused (DCQL_CLAIM_NOT_REQUESTED) and passes no claims on", async function () {
      const result = await verifyPresentation({ licence: [await present(envelope, [...REQUIRED, "company_type"])] }, optionsFor(envelope));
      expectRefused(result, "query", "DCQL_CLAIM_NOT_REQUESTED");
      expect(result.credentials[0].claims).to.deep.equal({});
    });

    it("a required field left out is DCQL_CLAIM_MISSING", async function () {
      expectRefused(await verifyPresentation({ licence: [await present(envelope, ["company_name"])] }, optionsFor(envelope)), "query", "DCQL_CLAIM_MISSING");
    });

    it("a value the query does not accept is DCQL_VALUE_MISMATCH", async function () {
      const picky = { credentials: [{ ...QUERY.credentials[0], claims: QUERY.credentials[0].claims.map((c) => (c.id === "name" ? { ...c, values: ["另一家公司"] } : c)) }] };
      expectRefused(await verifyPresentation({ licence: [await present()] }, optionsFor(envelope, { dcqlQuery: picky })), "query", "DCQL_VALUE_MISMATCH");
    });

    it("a certificate of another type is DCQL_VCT_MISMATCH", async function () {
      const other = { credentials: [{ ...QUERY.credentials[0], meta: { vct_values: ["urn:certchain:vct:production-licence:1"] } }] };
      expectRefused(await verifyPresentation({ licence: [await present()] }, optionsFor(envelope, { dcqlQuery: other })), "query", "DCQL_VCT_MISMATCH");
    });

    it("the response's shape: unknown ids, two presentations where one is allowed, a required credential missing, a bare presentation", async function () {
      const p = await present();
      expectRefused(await verifyPresentation({ licence: [p], other: [p] }, optionsFor(envelope)), "query", "DCQL_CREDENTIAL_NOT_REQUESTED");
      expectRefused(await verifyPresentation({ licence: [p, p] }, optionsFor(envelope)), "query", "DCQL_TOO_MANY_PRESENTATIONS");
      const two = { credentials: [QUERY.credentials[0], { ...QUERY.credentials[0], id: "second" }] };
      expectRefused(await verifyPresentation({ licence: [p] }, optionsFor(envelope, { dcqlQuery: two })), "query", "DCQL_CREDENTIAL_MISSING");
      const either = { ...two, credential_sets: [{ options: [["licence"], ["second"]] }] };
      expect((await verifyPresentation({ licence: [p] }, optionsFor(envelope, { dcqlQuery: either }))).verdict).to.equal("valid");
      expectRefused(await verifyPresentation(p, optionsFor(envelope)), "format", "FORMAT_MALFORMED");
      // Without a query, a single presentation is fine.
      expect((await verifyPresentation(p, optionsFor(envelope, { dcqlQuery: undefined }))).verdict).to.equal("valid");
    });

    it("refuses an invalid dcqlQuery as the caller's mistake (DCQL_QUERY_INVALID), and missing nonce or audience", async function () {
      const p = await present();
      await verifyPresentation({ licence: [p] }, optionsFor(envelope, { dcqlQuery: { credentials: [] } })).then(
        () => expect.fail("accepted"),
        (error) => expect(error.code).to.equal("DCQL_QUERY_INVALID"),
      );
      await verifyPresentation({ licence: [p] }, { ...optionsFor(envelope), nonce: "" }).then(
        () => expect.fail("accepted"),
        (error) => expect(error).to.be.instanceOf(TypeError),
      );
    });
  });

  describe("interoperability with @sd-jwt/* (0.19.0)", function () {
    it("accepts a presentation built by @sd-jwt/sd-jwt-vc with a KB-JWT signed by the holder's key", async function () {
      const instance = new SDJwtVcInstance({
        hasher: async (data: string | ArrayBuffer) => new Uint8Array(createHash("sha256").update(typeof data === "string" ? data : Buffer.from(data)).digest()),
        kbSignAlg: holder.alg,
        kbSigner: async (data: string) => Buffer.from(await holder.sign(new TextEncoder().encode(data))).toString("base64url"),
      });
      const presentation = await instance.present(
        envelope.credential,
        { company_name: true, unified_social_credit_code: true },
        { kb: { payload: { iat: Math.floor(Date.now() / 1000), aud: audience, nonce } } },
      );
      const result = await verifyPresentation({ licence: [presentation] }, optionsFor(envelope));
      expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
      expect(result.credentials[0].holderBinding.checked).to.equal(true);
      expect(Object.keys(result.credentials[0].claims)).to.have.members(REQUIRED);
    });

    it("builds presentations that @sd-jwt/sd-jwt-vc's own key-binding verification accepts (and refuses for another nonce)", async function () {
      const presentation = await present();
      const agencyJwk = await importJWK(publicJwkOf(rawPublicKeyOf(fx.amr.privateKey)), "EdDSA");
      const instance = new SDJwtVcInstance({
        hasher: async (data: string | ArrayBuffer) => new Uint8Array(createHash("sha256").update(typeof data === "string" ? data : Buffer.from(data)).digest()),
        verifier: async (data: string, signature: string) => Boolean(await compactVerify(`${data}.${signature}`, agencyJwk, { algorithms: ["EdDSA"] })),
        // The holder key comes from the credential's cnf.jwk, as SD-JWT VC says.
        kbVerifier: async (data: string, signature: string, payload: Record<string, any>) => {
          const key = await importJWK(payload.cnf.jwk as JWK, "ES256");
          return Boolean(await compactVerify(`${data}.${signature}`, key, { algorithms: ["ES256"] }));
        },
      });
      const { kb } = await instance.verify(presentation, { keyBindingNonce: nonce });
      expect(kb!.payload).to.deep.include({ aud: audience, nonce });
      await instance.verify(presentation, { keyBindingNonce: "another" }).then(
        () => expect.fail("accepted another nonce"),
        (error) => expect(String(error)).to.match(/Nonce/i),
      );
    });
  });

  describe("hostile input", function () {
    it("never throws, whatever the vp_token: a verdict with a reason", async function () {
      const options = optionsFor(envelope);
      const p = await present();
      const samples = [null, 42, "", "~", "{", "{}", "[]", { licence: [] }, { licence: "x" }, { licence: [null] }, { licence: [{}] }, { licence: [p.replace(/~[^~]*$/, "~x.y.z")] }, { licence: [p + "~"] }, { licence: [`${p}.`] }, { __proto__: [p] }];
      for (const sample of samples) {
        const result = await verifyPresentation(sample, options);
        expect(result.verdict, JSON.stringify(sample)).to.not.equal("valid");
        expect(result.reason, JSON.stringify(sample)).to.not.equal(null);
      }
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.string(), fc.dictionary(fc.string(), fc.array(fc.oneof(fc.string(), fc.constant(p.slice(0, -5)))))), async (value) => {
          const result = await verifyPresentation(value, options);
          expect(result.verdict).to.not.equal("valid");
        }),
        { numRuns: 60 },
      );
    });

    it("plain verify still refuses an SD-JWT+KB with FORMAT_KEY_BINDING_UNSUPPORTED, pointing to verifyPresentation", async function () {
      const result = await verify({ ...envelope, credential: await present() }, { registries: [fx.registry] });
      expect(result.reason).to.deep.include({ code: "FORMAT_KEY_BINDING_UNSUPPORTED" });
    });
  });
});
