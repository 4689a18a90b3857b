import { expect } from "chai";
import fc from "fast-check";
import { verify, verifyMany, type Envelope, type VerificationResult } from "@certchain/sdk";
import { deployTrustFixture, issueAndAnchor, type TrustFixture } from "../support/chain-fixture";

/**
 * The run's seed: random, or FUZZ_SEED to replay a failure. Every property and sample below is
 * drawn from it (each its own offset), and a failing test prints it.
 */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);

/**
 * Property: whatever an attacker does to a genuine envelope, `verify` answers (never throws) and
 * never shows a claim, issuer or number the issuer did not sign. A mutated envelope may stay
 * valid only where the mutation is harmless (withholding a disclosure, editing informative fields).
 */
describe("sdk verify under mutation (fuzz)", function () {
  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(`    sdk verify fuzz: FUZZ_SEED=${SEED} replays this run`);
  });
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
      // 800 cases: each of the 9 kinds of mutation of each of the 4 envelopes about 20 times.
      { numRuns: 800, seed: SEED },
    );
    expect(cases).to.equal(800);
  });

  it("never throws and never accepts a forgery in large mixed batches", async function () {
    this.timeout(600_000);
    // Two batches of 1,000 (9 kinds of mutation, 4 envelopes, mixed): well past the signature pool's 64 per batch.
    for (let round = 0; round < 2; round++) {
      const batch = fc.sample(fc.nat({ max: 3 }).chain((k) => mutation(genuine[k]).map((m) => [k, m] as const)), { numRuns: 1000, seed: SEED + 1 + round });
      const results = await verifyMany(batch.map(([, m]) => m), { registries: [fx.registry] });
      expect(results).to.have.length(1000);
      results.forEach((result, i) => assertNoFalseAccept(result, truth[batch[i][0]]));
    }
  });

  describe("hostile objects: verify snapshots its input once and never throws", function () {
    this.timeout(600_000);
    const trap = () => {
      throw new Error("trap");
    };
    const forged = () => JSON.parse(JSON.stringify(genuine[1])) as Envelope; // another certificate: never the same claims

    /** An object whose every own member is a getter that returns the genuine value `after` times, then `then(value)`. */
    function flipping(value: Record<string, unknown>, after: number, then: (name: string, v: unknown) => unknown): Record<string, unknown> {
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(value)) {
        let reads = 0;
        Object.defineProperty(out, name, { enumerable: true, get: () => (reads++ < after ? member : then(name, member)) });
      }
      return out;
    }

    /** Hostile wrappers of one value (an object or an array somewhere in an envelope). */
    const wrappers: fc.Arbitrary<{ name: string; wrap: (v: any) => unknown }> = fc.oneof(
      fc.constant({ name: "transparent Proxy", wrap: (v: any) => new Proxy(v, {}) }),
      fc.constantFrom("get", "ownKeys", "getOwnPropertyDescriptor", "has", "getPrototypeOf").map((t) => ({ name: `Proxy whose ${t} trap throws`, wrap: (v: any) => new Proxy(v, { [t]: trap }) })),
      fc.constant({ name: "revoked Proxy", wrap: (v: any) => { const { proxy, revoke } = Proxy.revocable(v, {}); revoke(); return proxy; } }),
      fc.nat({ max: 3 }).map((after) => ({ name: `getters that change after ${after} reads`, wrap: (v: any) => (Array.isArray(v) ? v : flipping(v, after, (n, m) => (typeof m === "string" ? `${m}x` : forged()))) })),
      fc.nat({ max: 3 }).map((after) => ({ name: `getters that throw after ${after} reads`, wrap: (v: any) => (Array.isArray(v) ? v : flipping(v, after, trap)) })),
      fc.constant({ name: "array with its own throwing iterator", wrap: (v: any) => (Array.isArray(v) ? Object.assign([...v], { [Symbol.iterator]: trap }) : v) }),
      fc.constant({ name: "array whose methods throw", wrap: (v: any) => (Array.isArray(v) ? Object.assign([...v], { [Symbol.iterator]: trap, map: trap, every: trap, slice: trap, some: trap }) : v) }),
      fc.nat({ max: 2 }).map((after) => ({
        name: `array elements that change after ${after} reads`,
        wrap: (v: any) => {
          if (!Array.isArray(v)) return v;
          const out: unknown[] = [];
          v.forEach((element, i) => {
            let reads = 0;
            Object.defineProperty(out, i, { enumerable: true, get: () => (reads++ < after ? element : `0x${"cd".repeat(32)}`) });
          });
          return out;
        },
      })),
      fc.constant({ name: "array whose iterator yields forgeries", wrap: (v: any) => (Array.isArray(v) ? Object.assign([...v], { [Symbol.iterator]: function* () { yield "0x" + "ab".repeat(32); } }) : v) }),
      fc.constant({ name: "index getter that throws", wrap: (v: any) => (Array.isArray(v) ? Object.defineProperty([...v], 0, { get: trap, enumerable: true }) : v) }),
      fc.constant({ name: "toJSON and valueOf traps", wrap: (v: any) => Object.assign(Array.isArray(v) ? [...v] : { ...v }, { toJSON: trap, valueOf: trap, toString: trap, [Symbol.toPrimitive]: trap }) }),
      fc.constant({ name: "toJSON returning a forgery", wrap: (v: any) => (Array.isArray(v) ? v : { ...v, toJSON: () => forged() }) }),
      fc.constant({ name: "length getter that throws", wrap: (v: any) => (Array.isArray(v) ? new Proxy(v, { get: (t, k) => (k === "length" ? trap() : Reflect.get(t, k)) }) : v) }),
      fc.constant({ name: "huge length", wrap: (v: any) => (Array.isArray(v) ? new Proxy(v, { get: (t, k) => (k === "length" ? 2 ** 32 - 1 : Reflect.get(t, k)) }) : v) }),
    );

    /** Where in an envelope to put the wrapper. */
    const paths: string[][] = [[], ["anchor"], ["anchor", "proof"]];
    function placed(envelope: Envelope, path: string[], wrap: (v: any) => unknown): unknown {
      if (path.length === 0) return wrap(structuredClone(envelope));
      const copy: any = structuredClone(envelope);
      let node = copy;
      for (const key of path.slice(0, -1)) node = node[key];
      node[path[path.length - 1]] = wrap(node[path[path.length - 1]]);
      return copy;
    }

    const hostile = fc.tuple(fc.nat({ max: 3 }), fc.constantFrom(...paths), wrappers);

    it("property: any hostile wrapper anywhere in a genuine envelope → a verdict, never a throw, never a false valid", async function () {
      let valid = 0;
      await fc.assert(
        fc.asyncProperty(hostile, async ([k, path, { wrap }]) => {
          const result = await verify(placed(genuine[k], path, wrap), { registries: [fx.registry] });
          assertNoFalseAccept(result, truth[k]);
          if (result.verdict === "valid") valid++;
        }),
        { numRuns: 400, seed: SEED + 3 },
      );
      // Harmless wrappers (a transparent Proxy, getters that keep their value) must not cost a valid certificate its verdict.
      expect(valid).to.be.greaterThan(0);
    });

    it("property: in verifyMany one hostile item changes only its own result", async function () {
      await fc.assert(
        fc.asyncProperty(fc.array(hostile, { minLength: 1, maxLength: 12 }), fc.nat(), async (items, seed) => {
          const inputs: unknown[] = [...genuine];
          for (const [k, path, { wrap }] of items) inputs.splice(seed % (inputs.length + 1), 0, placed(genuine[k], path, wrap));
          const results = await verifyMany(inputs, { registries: [fx.registry] });
          expect(results).to.have.length(inputs.length);
          results.forEach((result, i) => {
            const k = genuine.indexOf(inputs[i] as Envelope);
            if (k >= 0) expect(result.verdict, `genuine #${k}`).to.equal("valid");
            else expect(result).to.have.property("verdict").that.is.a("string");
          });
        }),
        { numRuns: 40, seed: SEED + 4 },
      );
    });

    it("a transparent Proxy of a genuine envelope verifies valid, and so do getters that keep their value", async function () {
      const proxied = await verify(new Proxy(structuredClone(genuine[0]), {}), { registries: [fx.registry] });
      expect(proxied.verdict, JSON.stringify(proxied.reason)).to.equal("valid");
      const withGetters = await verify(
        Object.defineProperties({}, Object.fromEntries(Object.entries(genuine[0]).map(([n, v]) => [n, { enumerable: true, get: () => v }]))),
        { registries: [fx.registry] },
      );
      expect(withGetters.verdict).to.equal("valid");
    });

    it("each member is read exactly once: a credential getter that turns into a forgery after one read verifies the first value", async function () {
      let reads = 0;
      const once = { ...genuine[0] } as Record<string, unknown>;
      Object.defineProperty(once, "credential", { enumerable: true, get: () => (reads++ === 0 ? genuine[0].credential : genuine[1].credential) });
      const result = await verify(once, { registries: [fx.registry] });
      expect(reads).to.equal(1);
      expect(result.verdict).to.equal("valid");
      expect(result.certificate!.number).to.equal(truth[0].certificate!.number);
    });

    it("huge and deep inputs are FORMAT_MALFORMED, quickly and without a stack overflow", async function () {
      let deep: unknown = genuine[0];
      for (let i = 0; i < 200_000; i++) deep = { anchor: deep };
      const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
      const longProof = { ...genuine[0], anchor: { ...genuine[0].anchor, proof: new Array(10_000_000) } };
      const bigCredential = { ...genuine[0], credential: "a".repeat(20 * 1024 * 1024) };
      const inputs = [deep, wide, longProof, bigCredential, "[".repeat(1_000_000), `{"format":"certchain-envelope","x":${"[".repeat(100_000)}${"]".repeat(100_000)}}`];
      const results = await verifyMany(inputs, { registries: [fx.registry] });
      results.forEach((result, i) => expect(result.reason?.code, `input ${i}`).to.equal("FORMAT_MALFORMED"));
    });

    it("a hostile list: a Proxy whose get throws for one index, getters on the array, a throwing iterator; and hostile options", async function () {
      const list = new Proxy([...genuine], { get: (t, k) => (k === "2" ? trap() : Reflect.get(t, k)) });
      const results = await verifyMany(list, { registries: [fx.registry] });
      expect(results.map((r) => r.verdict)).to.deep.equal(["valid", "valid", "invalid", "valid"]);
      expect(results[2].reason?.code).to.equal("FORMAT_MALFORMED");

      const iterating = Object.assign([...genuine], { [Symbol.iterator]: trap, slice: trap, map: trap });
      expect((await verifyMany(iterating, { registries: [fx.registry] })).map((r) => r.verdict)).to.deep.equal(["valid", "valid", "valid", "valid"]);

      for (const notAList of [null, undefined, 42, "text", { length: 3 }, new Proxy([], { get: trap })]) {
        expect(await verifyMany(notAList as unknown as unknown[], { registries: [fx.registry] })).to.deep.equal([]);
      }
      const hostileOptions = new Proxy({}, { get: trap });
      const result = await verify(genuine[0], hostileOptions as never);
      expect(result.verdict).to.not.equal("valid");
      expect(result.reason?.code).to.equal("ANCHOR_UNTRUSTED_REGISTRY");
    });
  });
});
