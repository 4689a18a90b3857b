import { createHash } from "node:crypto";
import { expect } from "chai";
import fc from "fast-check";
import { encodeCBOR, CBORTag } from "@levischuck/tiny-cbor";
import { deflateSync } from "fflate";
import QRCode from "qrcode";
import {
  base45Decode,
  base45Encode,
  credentialLeaf,
  decodePaperPayload,
  encodePaperPayload,
  isPaperPayload,
  paperQrVersion,
  presentCredential,
  verify,
  PAPER_PREFIX,
  QR_ALPHANUMERIC_CAPACITY_M,
  type Envelope,
  type VerificationResult,
} from "@certchain/sdk";
import { PAPER_DICTIONARY_V1 } from "../../sdk/paper/dictionary";
import { deployTrustFixture, issueAndAnchor, type TrustFixture } from "../support/chain-fixture";
import { replaceDisclosure } from "../support/tamper";

const paperOf = (bytes: Uint8Array) => PAPER_PREFIX + base45Encode(deflateSync(bytes, { dictionary: PAPER_DICTIONARY_V1 }));

function expectFailure(result: VerificationResult, check: string, code: string) {
  expect(result.verdict, JSON.stringify(result.reason)).to.not.equal("valid");
  expect(result.reason, JSON.stringify(result.checks)).to.deep.include({ check, code });
}

describe("sdk paper: the QR payload", function () {
  describe("base45 (RFC 9285)", function () {
    it("encodes and decodes the RFC's examples", function () {
      const cases: [string, string][] = [
        ["AB", "BB8"],
        ["Hello!!", "%69 VD92EX0"],
        ["base-45", "UJCLQE7W581"],
        ["ietf!", "QED8WEX0"],
      ];
      for (const [text, encoded] of cases) {
        expect(base45Encode(new TextEncoder().encode(text))).to.equal(encoded);
        expect(new TextDecoder().decode(base45Decode(encoded))).to.equal(text);
      }
    });

    it("refuses characters outside the alphabet, impossible lengths and groups out of range", function () {
      for (const bad of ["GGW", "ZZZ", "A", "ABCD", "abc", "BB8\n", "BB😀"]) expect(() => base45Decode(bad), bad).to.throw(TypeError);
    });

    it("round-trips any bytes", function () {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
          expect(base45Decode(base45Encode(bytes))).to.deep.equal(bytes);
        }),
      );
    });
  });

  it("the capacity table matches the qrcode encoder for every version (alphanumeric, error correction M)", function () {
    QR_ALPHANUMERIC_CAPACITY_M.forEach((capacity, i) => {
      expect(QRCode.create("A".repeat(capacity), { errorCorrectionLevel: "M" }).version, `version ${i + 1}`).to.equal(i + 1);
      if (i < 39) expect(QRCode.create("A".repeat(capacity + 1), { errorCorrectionLevel: "M" }).version).to.equal(i + 2);
      expect(paperQrVersion("A".repeat(capacity))).to.equal(i + 1);
    });
    expect(paperQrVersion("A".repeat(3392))).to.equal(null);
  });

  it("the dictionary of layout 1 is frozen (a printed payload inflates with these bytes forever)", function () {
    expect(createHash("sha256").update(PAPER_DICTIONARY_V1).digest("hex")).to.equal("2bb660fe459f696fa8fb86a0a412f1cac0bbf19492e453d99f1d243599908ea5");
  });

  describe("with a chain", function () {
    let fx: TrustFixture;
    let options: { registries: TrustFixture["registry"][] };
    let licence: Envelope;
    let marriage: Envelope;

    before(async function () {
      fx = await deployTrustFixture();
      options = { registries: [fx.registry] };
      // Five certificates per batch: a proof of three hashes, as a small batch of the service has.
      licence = (await issueAndAnchor(fx, fx.amr, Array.from({ length: 5 }, () => ({ type: "business-licence" })))).envelopes[2];
      marriage = (await issueAndAnchor(fx, fx.mca, [{ type: "marriage-certificate" }])).envelopes[0];
    });

    it("decodes to the very presentation it was made from (the credential byte for byte, the proof, the registry)", function () {
      for (const [envelope, reveal] of [
        [licence, ["company_name", "unified_social_credit_code", "legal_representative", "domicile"]],
        [licence, []],
        [marriage, ["holder_name", "spouses"]],
      ] as const) {
        const presentation = presentCredential(envelope, reveal);
        const text = encodePaperPayload(presentation);
        expect(text).to.match(/^CC1:[0-9A-Z $%*+\-./:]+$/);
        expect(isPaperPayload(text)).to.equal(true);
        const back = decodePaperPayload(text);
        expect(back.credential).to.equal(presentation.credential);
        expect(back.version).to.equal(presentation.version);
        const anchor = presentation.anchor as Extract<Envelope["anchor"], { status: "anchored" }>;
        expect(back.anchor).to.deep.include({ status: "anchored", chainId: anchor.chainId, root: anchor.root.toLowerCase(), proof: anchor.proof.map((p) => p.toLowerCase()) });
        expect(back.anchor.registry).to.equal(anchor.registry.toLowerCase());
      }
    });

    it("keeps the payload small: revealed digests by reference, hashes as bytes, a dictionary", function () {
      const text = encodePaperPayload(presentCredential(licence, ["company_name", "unified_social_credit_code", "legal_representative", "domicile"]));
      const json = JSON.stringify(presentCredential(licence, ["company_name", "unified_social_credit_code", "legal_representative", "domicile"]));
      // Each of 11 digests, the key id, the signature and 3 proof hashes is incompressible: ~550 bytes.
      expect(text.length).to.be.below(json.length * 0.6);
      expect(paperQrVersion(text)).to.be.at.most(23);
    });

    it("verifies from its text with the same verdict, checks and claims as the file", async function () {
      const presentation = presentCredential(licence, ["company_name", "legal_representative"]);
      const fromFile = await verify(presentation, options);
      const fromPaper = await verify(encodePaperPayload(presentation), options);
      expect(fromPaper.verdict).to.equal("valid");
      expect(fromPaper.checks).to.deep.equal(fromFile.checks);
      expect(fromPaper.claims).to.deep.equal({ company_name: "上海青禾数字科技有限公司", legal_representative: "陈嘉树" });
      expect(fromPaper.withheld).to.deep.equal(fromFile.withheld);
      expect(fromPaper.issuer).to.deep.equal(fromFile.issuer);
      expect(fromPaper.anchoredAt).to.equal(fromFile.anchoredAt);
      expect(fromPaper.certificate).to.deep.equal(fromFile.certificate);
    });

    it("a revoked certificate's paper verifies revoked", async function () {
      const { envelopes, root, proofs } = await issueAndAnchor(fx, fx.amr, [{ type: "business-licence" }]);
      const text = encodePaperPayload(presentCredential(envelopes[0], ["company_name"]));
      expect((await verify(text, options)).verdict).to.equal("valid");
      await fx.amr.client.changeStatus("revoke", [{ leaf: credentialLeaf(envelopes[0].credential), root, proof: proofs[0] }], 3);
      const result = await verify(text, options);
      expectFailure(result, "status", "STATUS_REVOKED");
      expect(result.verdict).to.equal("revoked");
    });

    describe("a tampered payload is not valid, with the check that caught it", function () {
      it("an edited claim value: INTEGRITY_UNREFERENCED_DISCLOSURE", async function () {
        const edited = replaceDisclosure(presentCredential(licence, ["company_name"]), 0, ([salt, name]) => [salt, name, "另一家公司"]);
        expectFailure(await verify(encodePaperPayload(edited), options), "integrity", "INTEGRITY_UNREFERENCED_DISCLOSURE");
      });

      it("an edited proof: the root it leads to was never anchored (ANCHOR_ROOT_NOT_FOUND)", async function () {
        const presentation = presentCredential(licence, ["company_name"]);
        const anchor = presentation.anchor as Extract<Envelope["anchor"], { status: "anchored" }>;
        const edited = { ...presentation, anchor: { ...anchor, proof: [`0x${"ab".repeat(32)}`, ...anchor.proof.slice(1)] } } as Envelope;
        expectFailure(await verify(encodePaperPayload(edited), options), "anchor", "ANCHOR_ROOT_NOT_FOUND");
      });

      it("another registry: ANCHOR_UNTRUSTED_REGISTRY", async function () {
        const presentation = presentCredential(licence, ["company_name"]);
        const edited = { ...presentation, anchor: { ...presentation.anchor, registry: `0x${"11".repeat(20)}` } } as Envelope;
        expectFailure(await verify(encodePaperPayload(edited), options), "anchor", "ANCHOR_UNTRUSTED_REGISTRY");
      });

      it("one character changed anywhere: never valid with other content, never a throw", async function () {
        const text = encodePaperPayload(presentCredential(licence, ["company_name"]));
        const original = decodePaperPayload(text);
        const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
        const mutated = new Set<string>();
        fc.assert(
          fc.property(fc.integer({ min: 4, max: text.length - 1 }), fc.integer({ min: 0, max: 44 }), (at, c) => {
            const changed = text.slice(0, at) + alphabet[c] + text.slice(at + 1);
            if (changed !== text) mutated.add(changed);
          }),
          { numRuns: 60 },
        );
        const texts = [...mutated];
        const results = await Promise.all(texts.map((m) => verify(m, options)));
        // The final deflate byte has padding bits no decoder reads: a change there decodes to the
        // same presentation, byte for byte, and stays valid (about 5 of 50,000 changes). Any change
        // that alters what is decoded must not be valid.
        results.forEach((result, i) => {
          if (result.verdict === "valid") expect(decodePaperPayload(texts[i]), `changed at ${[...texts[i]].findIndex((ch, k) => ch !== text[k])}`).to.deep.equal(original);
        });
      });
    });
  });

  describe("hostile text gets a verdict, never a throw", function () {
    const malformed = async (text: unknown, code = "FORMAT_MALFORMED") => {
      const result = await verify(text, { registries: [] });
      expect(result.verdict).to.equal("invalid");
      expect(result.reason?.code, String(text).slice(0, 40)).to.equal(code);
      return result;
    };

    it("garbage, empty, not base45, cut short, or far too long", async function () {
      await malformed("CC1:");
      await malformed("CC1:hello world");
      await malformed("CC1:" + "A".repeat(3));
      await malformed("CC1:" + base45Encode(new Uint8Array([1, 2, 3, 4, 5])));
      await malformed("CC1:" + "0".repeat(5_000_000));
      const good = paperOf(encodeCBOR([1]));
      await malformed(good.slice(0, -3));
    });

    it("a later layout is FORMAT_UNSUPPORTED_VERSION", async function () {
      await malformed("CC2:ABC", "FORMAT_UNSUPPORTED_VERSION");
    });

    it("a decompression bomb stops at the cap, quickly", async function () {
      const bomb = PAPER_PREFIX + base45Encode(deflateSync(new Uint8Array(2_000_000), { level: 9, dictionary: PAPER_DICTIONARY_V1 }));
      expect(bomb.length).to.be.below(4_300);
      const started = Date.now();
      const result = await malformed(bomb);
      expect(result.reason?.message).to.match(/limit/);
      expect(Date.now() - started).to.be.below(2_000);
    });

    it("CBOR of the wrong shape: unknown tags, reference loops, deep nesting, bytes of wrong sizes", async function () {
      const sig = new Uint8Array(64);
      const anchor = [31337, new Uint8Array(20), []];
      const header = new Map([["alg", "EdDSA"]]);
      await malformed(paperOf(encodeCBOR([1, header, new Map([["x", new CBORTag(99, 0)]]), sig, [], anchor])));
      await malformed(paperOf(encodeCBOR([1, header, new Map(), sig, [[new CBORTag(6, 1)], [new CBORTag(6, 0)]], anchor])));
      await malformed(paperOf(encodeCBOR([1, header, new Map(), sig, [[new CBORTag(6, 5)]], anchor])));
      let deep: unknown = [];
      for (let i = 0; i < 2_000; i++) deep = [deep];
      await malformed(paperOf(encodeCBOR([1, header, deep as never, sig, [], anchor])));
      await malformed(paperOf(encodeCBOR([1, header, new Map(), sig, [], [31337, new Uint8Array(19), []]])));
      await malformed(paperOf(encodeCBOR([1, header, new Map(), sig, [], [0, new Uint8Array(20), []]])));
      await malformed(paperOf(encodeCBOR([1, header, new Map(), sig, [], [31337, new Uint8Array(20), [new Uint8Array(31)]]])));
      await malformed(paperOf(encodeCBOR([1, header, new Map(), sig, []])));
      await malformed(paperOf(encodeCBOR(new Map([["a", 1]]))));
    });

    it("arbitrary bytes behind the prefix", async function () {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => {
          const result = await verify(paperOf(bytes), { registries: [] });
          expect(result.verdict).to.equal("invalid");
        }),
        { numRuns: 200 },
      );
    });
  });

  it("refuses to encode what could never verify from paper", function () {
    const pending = { format: "certchain-envelope", version: 1, credential: "a.b.c~", anchor: { status: "pending", chainId: 1, registry: `0x${"11".repeat(20)}` } };
    expect(() => encodePaperPayload(pending as Envelope)).to.throw().with.property("code", "PAPER_NOT_ENCODABLE");
  });
});
