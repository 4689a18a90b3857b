import { Worker } from "node:worker_threads";
import { expect } from "chai";
import { defineCertificateType, typeMetadataProblems, validateClaims, type CertificateType } from "@certchain/sdk";

// Issue 21, finding 1: a type's schema could stall whoever checks claims against it. Each attack
// is shown first against what the checks used to do (JavaScript's backtracking engine, the
// validator's pairwise uniqueness), then against validateClaims, which must stay cheap.

/** A type with one claim `value` checked by `schema`. */
const typeWith = (schema: Record<string, unknown>, example: unknown): CertificateType =>
  defineCertificateType({
    id: "attack-test",
    vct: "urn:certchain:vct:attack-test:1",
    typeCode: "GJCS",
    names: { "zh-CN": "攻击测试", en: "Attack test" },
    claims: { value: { "zh-CN": "值", en: "Value" } },
    schema: { type: "object", properties: { value: schema }, additionalProperties: false, examples: [{ value: example }] },
  });

/** Runs `source` (a function body) in a worker; whether it finished within `ms` (the worker is stopped either way). */
async function finishesWithin(source: string, ms: number): Promise<boolean> {
  const worker = new Worker(`require("node:worker_threads").parentPort.postMessage((() => { ${source} })())`, { eval: true });
  try {
    return await new Promise<boolean>((resolve, reject) => {
      const timer = setTimeout(() => resolve(false), ms);
      worker.once("message", () => (clearTimeout(timer), resolve(true)));
      worker.once("error", (error) => (clearTimeout(timer), reject(error)));
    });
  } finally {
    await worker.terminate();
  }
}

/**
 * `run`'s result and its fastest time of three, after a first call that is not timed (it compiles
 * the type's checker): on a busy shared machine one run can be descheduled for longer than a whole
 * check takes, the fastest of three shows what the check itself costs.
 */
const timed = <T>(run: () => T): { result: T; ms: number } => {
  const result = run();
  let ms = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    run();
    ms = Math.min(ms, performance.now() - started);
  }
  return { result, ms };
};

describe("sdk claims checks in bounded time (issue 21, finding 1)", function () {
  this.timeout(60_000);
  const HOSTILE = `${"a".repeat(40)}!`;

  it("reproduces the attack: JavaScript's own engine takes more than a second on ^(a+)+$ and 40 characters (stopped there)", async function () {
    expect(await finishesWithin(`return new RegExp("^(a+)+$", "u").test(${JSON.stringify(HOSTILE)});`, 1_000)).to.equal(false);
    // The same engine with a short input finishes: the worker itself works.
    expect(await finishesWithin(`return new RegExp("^(a+)+$", "u").test("aaaa!");`, 10_000)).to.equal(true);
  });

  it("validateClaims runs the same pattern in linear time: 40 characters and 100,000 characters refused at once, good values accepted", function () {
    const type = typeWith({ type: "string", pattern: "^(a+)+$" }, "aaa");
    for (const value of [HOSTILE, `${"a".repeat(100_000)}!`]) {
      const { result, ms } = timed(() => validateClaims(type, { value }));
      expect(result).to.deep.equal({ ok: false, errors: [{ path: "/value", message: 'must match pattern "^(a+)+$"' }] });
      expect(ms).to.be.below(1_000);
    }
    expect(validateClaims(type, { value: "a".repeat(100_000) })).to.deep.equal({ ok: true });
  });

  it("keeps JSON Schema's meaning of pattern: unanchored, \\u escapes, Unicode classes, inside anyOf and not", function () {
    expect(validateClaims(typeWith({ type: "string", pattern: "\\d{3}" }, "ab123"), { value: "x123y" }).ok).to.equal(true);
    expect(validateClaims(typeWith({ type: "string", pattern: "^[\\u4e00-\\u9fff]+$" }, "王芳"), { value: "王芳" }).ok).to.equal(true);
    expect(validateClaims(typeWith({ type: "string", pattern: "^[\\u4e00-\\u9fff]+$" }, "王芳"), { value: "Wang" }).ok).to.equal(false);
    expect(validateClaims(typeWith({ type: "string", pattern: "^\\p{Script=Han}+$" }, "王芳"), { value: "王芳" }).ok).to.equal(true);
    const either = typeWith({ anyOf: [{ type: "string", pattern: "^\\d{17}[0-9X]$" }, { type: "string", pattern: "^[A-Z]\\d{8}$" }] }, "E12345678");
    expect(validateClaims(either, { value: "11010519491231002X" }).ok).to.equal(true);
    expect(validateClaims(either, { value: "E12345678" }).ok).to.equal(true);
    expect(validateClaims(either, { value: "E1234" }).ok).to.equal(false);
    const not = typeWith({ type: "string", not: { pattern: "^test" } }, "real");
    expect(validateClaims(not, { value: "testing" }).ok).to.equal(false);
    expect(validateClaims(not, { value: "real" }).ok).to.equal(true);
  });

  it("reproduces the attack: uniqueItems over 20,000 forged tags takes the validator's pairwise loop seconds", async function () {
    // What @cfworker/json-schema does for uniqueItems, as it did before the bounds: every pair.
    const loop = `const a = Array.from({ length: 20000 }, (_, i) => "t" + i); let n = 0; for (let j = 0; j < a.length; j++) for (let k = 0; k < a.length; k++) if (j !== k && a[j] === a[k]) n++; return n;`;
    expect(await finishesWithin(loop, 200)).to.equal(false);
  });

  it("uniqueItems is checked only within maxItems: 20,000 forged tags are refused at once, duplicates within bounds still found", function () {
    const bounded = typeWith({ type: "array", items: { type: "string" }, uniqueItems: true, maxItems: 50 }, ["a", "b"]);
    const tags = Array.from({ length: 20_000 }, (_, i) => `t${i}`);
    const { result, ms } = timed(() => validateClaims(bounded, { value: tags }));
    expect(result).to.deep.equal({ ok: false, errors: [{ path: "/value", message: "must NOT have more than 50 items" }] });
    expect(ms).to.be.below(200);
    expect(validateClaims(bounded, { value: ["a", "b", "a"] })).to.deep.equal({ ok: false, errors: [{ path: "/value", message: "must NOT have duplicate items" }] });
    expect(validateClaims(bounded, { value: ["a", "b"] }).ok).to.equal(true);
    // A type registered before bounds were required (no maxItems): long lists are refused, not compared pair by pair.
    const unbounded = typeWith({ type: "array", items: { type: "string" }, uniqueItems: true }, ["a"]);
    const refused = timed(() => validateClaims(unbounded, { value: tags }));
    expect(refused.result).to.deep.equal({ ok: false, errors: [{ path: "/value", message: "must NOT have more than 1000 items" }] });
    expect(refused.ms).to.be.below(200);
    expect(validateClaims(unbounded, { value: ["x", "x"] }).ok).to.equal(false);
  });

  it("the url format, whose expression backtracks, is refused in a schema", function () {
    expect(() => typeWith({ type: "string", format: "url" }, "https://example.org")).to.not.throw(); // defining is lazy
    expect(() => validateClaims(typeWith({ type: "string", format: "url" }, "https://example.org"), { value: "x" })).to.throw(/format: must be one of/);
  });

  describe("registration (typeMetadataProblems with bounds)", function () {
    const L = (zh: string, en: string) => [{ locale: "zh-CN", label: zh }, { locale: "en", label: en }];
    const doc = (value: Record<string, unknown>, example: unknown) => ({
      display: [{ locale: "zh-CN", name: "测试" }, { locale: "en", name: "Test" }],
      claims: [
        { path: ["value"], display: L("值", "Value"), sd: "always" },
        ...(value.type === "array" ? [{ path: ["value", null], display: L("项", "Item"), sd: "always" }] : []),
      ],
      "certchain:type_code": "GJCS",
      "certchain:claim_order": ["value"],
      "certchain:schema": { type: "object", properties: { value }, additionalProperties: false, examples: [{ value: example }] },
    });
    const problems = (value: Record<string, unknown>, example: unknown) => typeMetadataProblems(doc(value, example), { vct: "absent", bounds: true });

    it("refuses patterns RE2 cannot run in linear time (look-arounds, back-references) with the JSON pointer", function () {
      for (const pattern of ["^(?=a)a+$", "^(a)\\1$", "(?<!x)y"]) {
        expect(problems({ type: "string", pattern, maxLength: 10 }, "a").map((p) => p.pointer)).to.include("/certchain:schema/properties/value/pattern");
      }
      expect(problems({ type: "string", pattern: "^(a+)+$", maxLength: 64 }, "aaa")).to.deep.equal([]);
    });

    it("requires maxItems on arrays (at most 256 with uniqueItems); strings need no maxLength (patterns are linear)", function () {
      expect(problems({ type: "array", items: { type: "string", maxLength: 8 } }, ["a"]).map((p) => p.pointer)).to.deep.equal(["/certchain:schema/properties/value/maxItems"]);
      expect(problems({ type: "array", items: { type: "string", maxLength: 8 }, uniqueItems: true, maxItems: 1_000 }, ["a"]).map((p) => p.message)).to.deep.equal([
        "uniqueItems needs maxItems of at most 256",
      ]);
      expect(problems({ type: "array", items: { type: "string", maxLength: 8 }, uniqueItems: true, maxItems: 100 }, ["a"])).to.deep.equal([]);
      expect(problems({ type: "string", pattern: "^a+$" }, "a")).to.deep.equal([]);
      // Without bounds (reading a type registered before them), the same document is usable.
      expect(typeMetadataProblems(doc({ type: "array", items: { type: "string" } }, ["a"]), { vct: "absent" })).to.deep.equal([]);
    });
  });
});
