import { expect } from "chai";
import fc from "fast-check";
import { verify, verifyMany, type Envelope, type VerificationResult } from "@certchain/sdk";
import { deployTrustFixture, issueAndAnchor, type TrustFixture } from "../support/chain-fixture";

/**
 * Property: whatever an attacker does to a genuine envelope, `verify` answers (never throws) and
 * never shows a claim, issuer or number the issuer did not sign. A mutated envelope may stay
 * valid only where the mutation is harmless (withholding a disclosure, editing informative fields).
 */
describe("sdk verify under mutation (fuzz)", function () {
  let fx: TrustFixture;
  let genuine: Envelope[];
  let truth: VerificationResult[];

  before(async function () {
    fx = await deployTrustFixture();
    const a = await issueAndAnchor(fx, fx.amr, [{ type: "business-licence" }, { type: "production-licence" }, { type: "business-licence" }]);
    const b = await issueAndAnchor(fx, fx.mca, [{ type: "marriage-certificate" }]);
    genuine = [...a.envelopes, ...b.envelopes];
    truth = await verifyMany(genuine, { registries: [fx.registry] });
    expect(truth.every((t) => t.verdict === "valid")).to.equal(true);
  });

  const mutateString = (s: string) =>
    fc.oneof(
      fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 1 })).map(([i, c]) => s.slice(0, i % (s.length + 1)) + c + s.slice((i % (s.length + 1)) + 1)),
      fc.tuple(fc.nat(), fc.nat()).map(([i, j]) => s.slice(0, i % (s.length + 1)) + s.slice(j % (s.length + 1))),
      fc.tuple(fc.nat(), fc.string()).map(([i, t]) => s.slice(0, i % (s.length + 1)) + t + s.slice(i % (s.length + 1))),
      fc.nat().map((i) => s.slice(0, i % (s.length + 1))),
    );

  const mutation = (envelope: Envelope): fc.Arbitrary<unknown> => {
    const text = JSON.stringify(envelope);
    return fc.oneof(
      mutateString(envelope.credential).map((credential) => ({ ...envelope, credential })),
      mutateString(text),
      fc.jsonValue().map((value) => ({ ...envelope, anchor: { ...envelope.anchor, proof: value } })),
      fc.jsonValue().map((value) => ({ ...envelope, anchor: value })),
      fc.jsonValue().map((value) => ({ ...envelope, credential: value })),
      fc.jsonValue(),
      fc.string(),
      fc.array(fc.nat({ max: 40 })).map((drop) => {
        const parts = envelope.credential.split("~");
        return { ...envelope, credential: parts.filter((_, i) => i === 0 || !drop.includes(i)).join("~") };
      }),
      fc.tuple(fc.nat(), fc.nat()).map(([i, j]) => {
        const parts = envelope.credential.split("~");
        const a = 1 + (i % (parts.length - 2));
        const b = 1 + (j % (parts.length - 2));
        [parts[a], parts[b]] = [parts[b], parts[a]];
        return { ...envelope, credential: parts.join("~") };
      }),
    );
  };

  /**
   * Whether `shown` could come from `signed` by leaving disclosures out: every value shown is the
   * signed one, objects may lack members, arrays may lack elements (in order). A presentation of
   * nested claims (one spouse's name) is such a part; a forgery is not.
   */
  function isPartOf(shown: unknown, signed: unknown): boolean {
    if (Array.isArray(shown)) {
      if (!Array.isArray(signed)) return false;
      let at = 0;
      for (const element of shown) {
        while (at < signed.length && !isPartOf(element, signed[at])) at++;
        if (at++ >= signed.length) return false;
      }
      return true;
    }
    if (typeof shown === "object" && shown !== null) {
      if (typeof signed !== "object" || signed === null || Array.isArray(signed)) return false;
      return Object.entries(shown).every(([name, value]) => Object.hasOwn(signed, name) && isPartOf(value, (signed as Record<string, unknown>)[name]));
    }
    return Object.is(shown, signed);
  }

  function assertNoFalseAccept(result: VerificationResult, original: VerificationResult) {
    expect(result).to.have.property("verdict").that.is.a("string");
    if (result.verdict !== "valid") return;
    expect(result.issuer).to.deep.equal(original.issuer);
    expect(result.certificate!.number).to.equal(original.certificate!.number);
    expect(result.certificate!.leaf).to.equal(original.certificate!.leaf);
    expect(isPartOf(result.claims, original.claims), JSON.stringify(result.claims)).to.equal(true);
  }

  it("never throws and never accepts a forgery, one envelope at a time", async function () {
    this.timeout(600_000);
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 3 }).chain((k) => mutation(genuine[k]).map((m) => [k, m] as const)), async ([k, mutated]) => {
        cases++;
        const result = await verify(mutated, { registries: [fx.registry] });
        assertNoFalseAccept(result, truth[k]);
      }),
      { numRuns: 1500 },
    );
    expect(cases).to.equal(1500);
  });

  it("never throws and never accepts a forgery in large mixed batches", async function () {
    this.timeout(600_000);
    for (let round = 0; round < 4; round++) {
      const batch = fc.sample(fc.nat({ max: 3 }).chain((k) => mutation(genuine[k]).map((m) => [k, m] as const)), 1000);
      const results = await verifyMany(batch.map(([, m]) => m), { registries: [fx.registry] });
      expect(results).to.have.length(1000);
      results.forEach((result, i) => assertNoFalseAccept(result, truth[batch[i][0]]));
    }
  });
});
