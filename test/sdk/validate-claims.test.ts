import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect } from "chai";
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import fc from "fast-check";
import { certificateTypes, defineCertificateType, isCertchainError, validateClaims, type CertificateType } from "@certchain/sdk";

// validateClaims moved from ajv (which compiles schemas with `new Function`) to an interpreting
// validator. ajv, with the options the SDK used, is the reference here: same verdict and same
// errors (path and message) on mutated examples of every certificate type.
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);

const escapePointer = (key: string): string => key.replace(/~/g, "~0").replace(/\//g, "~1");
function ajvErrorOf(error: ErrorObject): string {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  const child = params.missingProperty ?? params.additionalProperty;
  return `${child === undefined ? error.instancePath : `${error.instancePath}/${escapePointer(child)}`} ${error.message}`;
}

type Claims = Record<string, unknown>;
type Op = { kind: "set"; at: number; value: unknown } | { kind: "delete"; at: number } | { kind: "add"; at: number; key: string; value: unknown };

/** Every path into a claim set (objects' keys and arrays' indexes), the root first. */
function pathsOf(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(value)) value.forEach((child, i) => out.push(...pathsOf(child, [...at, i])));
  else if (typeof value === "object" && value !== null) for (const [key, child] of Object.entries(value)) out.push(...pathsOf(child, [...at, key]));
  return out;
}

function apply(claims: Claims, op: Op): void {
  const paths = pathsOf(claims);
  const target = paths[op.at % paths.length];
  if (op.kind === "add") {
    const node = target.reduce<any>((n, k) => n[k], claims);
    if (typeof node === "object" && node !== null && !Array.isArray(node)) node[op.key] = op.value;
    return;
  }
  if (target.length === 0) return;
  const parent = target.slice(0, -1).reduce<any>((n, k) => n[k], claims);
  const last = target[target.length - 1];
  if (op.kind === "set") parent[last] = op.value;
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
}

// Values near the schemas' edges: formats (leap days, leap seconds, offsets), lengths counted in
// code points, enum and const values, patterns.
const NEAR_MISSES = [
  "2023-02-29", "2024-02-29", "2024-13-01", "2024-3-8", "2024-03-08T09:42:00", "2024-03-08T09:42:00Z", "2024-03-08t09:42:00+08:00",
  "2024-03-08 09:42:00+08:00", "2024-03-08T24:00:00Z", "2016-12-31T23:59:60Z", "2016-12-31T23:59:60+01:00", "2024-03-08T09:42:00.123+08:00",
  "长期", "永久", "", " ", "男", "女", "M", "x".repeat(64), "x".repeat(65), "中".repeat(128), "中".repeat(129), "😀".repeat(64), "😀".repeat(65),
  "91310115MA1H7Q2K3R", "91310115MA1H7Q2K3I", "510107199207142462", "51010719920714246x", "sha-256", "SHA-256",
  "56dc643d5401f21a7750b4d782c697b85155b96f5f907dd1ca047f7f93a7fa81", "56DC643D5401F21A7750B4D782C697B85155B96F5F907DD1CA047F7F93A7FA81",
];
const value = fc.oneof(
  fc.constantFrom(...NEAR_MISSES),
  fc.integer({ min: -10, max: 10_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.jsonValue({ maxDepth: 2 }),
);
const key = fc.oneof(fc.constantFrom("favourite_colour", "name", "a/b~c", "__proto__", "名称", "100%", "#x"), fc.string({ maxLength: 8 }));
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("add" as const), at: fc.nat(), key, value }),
);

/** What a presentation must still satisfy: the schema without `required`, `minItems`, `minProperties`, at every depth. */
function withoutPresenceRules(schema: any): any {
  if (typeof schema !== "object" || schema === null) return schema;
  const { required: _r, minItems: _i, minProperties: _p, properties, items, anyOf, oneOf, allOf, not, ...rest } = schema;
  return {
    ...rest,
    ...(properties ? { properties: Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, withoutPresenceRules(v)])) } : {}),
    ...(items !== undefined ? { items: withoutPresenceRules(items) } : {}),
    ...(not !== undefined ? { not: withoutPresenceRules(not) } : {}),
    ...(anyOf ? { anyOf: anyOf.map(withoutPresenceRules) } : {}),
    ...(oneOf ? { oneOf: oneOf.map(withoutPresenceRules) } : {}),
    ...(allOf ? { allOf: allOf.map(withoutPresenceRules) } : {}),
  };
}

describe("sdk/types validateClaims (interpreting validator)", () => {
  for (const type of certificateTypes) {
    it(`${type.id}: agrees with ajv on mutated examples, full and partial (verdict and errors)`, () => {
      const reference: Record<"full" | "partial", ValidateFunction> = { full: ajv.compile(type.schema), partial: ajv.compile(withoutPresenceRules(type.schema)) };
      fc.assert(
        fc.property(fc.nat(type.schema.examples.length - 1), fc.array(op, { minLength: 1, maxLength: 3 }), fc.boolean(), (example, ops, partial) => {
          const claims = structuredClone(type.schema.examples[example]) as Claims;
          for (const o of ops) apply(claims, o);
          const validate = reference[partial ? "partial" : "full"];
          const expected = validate(claims) ? null : [...new Set(validate.errors!.map(ajvErrorOf))].sort();
          const result = validateClaims(type, claims, { partial });
          expect(result.ok, JSON.stringify(claims)).to.equal(expected === null);
          if (!result.ok && expected!.length < 20) {
            expect([...new Set(result.errors.map((e) => `${e.path} ${e.message}`))].sort(), JSON.stringify(claims)).to.deep.equal(expected);
          }
        }),
        { numRuns: 400 },
      );
    });
  }

  describe("refuses a schema it cannot use, on first use, with CERT_TYPE_SCHEMA_INVALID", () => {
    const withProperty = (schema: Record<string, unknown>): CertificateType =>
      defineCertificateType({
        id: "fishing-licence",
        vct: "urn:certchain:vct:fishing-licence:1",
        typeCode: "BLXK",
        names: { "zh-CN": "捕捞许可证", en: "Fishing licence" },
        claims: { vessel_name: { "zh-CN": "船名", en: "Vessel name" } },
        schema: { type: "object", properties: { vessel_name: schema }, additionalProperties: false, examples: [{ vessel_name: "浙岱渔03512" }] },
      });
    const cases: [string, Record<string, unknown>, string][] = [
      ["a misspelt keyword", { type: "string", minLenght: 1 }, "/properties/vessel_name/minLenght: unsupported keyword"],
      ["an unknown format", { type: "string", format: "vessel-name" }, "/properties/vessel_name/format: must be one of"],
      ["a pattern that does not compile", { type: "string", pattern: "([A-Z]" }, "/properties/vessel_name/pattern"],
      ["a reference", { $ref: "https://example.org/vessel.json" }, "/properties/vessel_name/$ref: unsupported keyword"],
      ["an unknown type", { type: "text" }, "/properties/vessel_name/type: must name JSON types"],
      ["a negative length", { type: "string", maxLength: -1 }, "/properties/vessel_name/maxLength"],
    ];
    for (const [what, schema, problem] of cases) {
      it(what, () => {
        const type = withProperty(schema);
        expect(() => validateClaims(type, { vessel_name: "浙岱渔03512" }))
          .to.throw()
          .that.satisfies((e: any) => isCertchainError(e, "CERT_TYPE_SCHEMA_INVALID") && (e.details as { problems: string[] }).problems.some((p) => p.startsWith(problem)));
      });
    }
  });

  it("generates no code: validates every type in a Node that forbids code generation from strings", function () {
    this.timeout(60_000);
    // ajv failed here ("Code generation from strings disallowed for this context").
    const script = `
      const { certificateTypes, validateClaims } = require("@certchain/sdk");
      for (const type of certificateTypes) {
        if (!validateClaims(type, type.schema.examples[0]).ok) throw new Error(type.id + " example rejected");
        if (validateClaims(type, { nope: 1 }).ok) throw new Error(type.id + " accepted an unknown claim");
      }
      process.stdout.write("ok " + certificateTypes.length);`;
    const root = path.join(__dirname, "..", "..");
    const run = spawnSync(
      process.execPath,
      ["--disallow-code-generation-from-strings", "--conditions=certchain-source", "-r", "ts-node/register/transpile-only", "-e", script],
      { cwd: root, encoding: "utf8", env: { ...process.env, TS_NODE_PROJECT: path.join(root, "tsconfig.json") } },
    );
    expect(run.stderr).to.equal("");
    expect(run.stdout).to.equal(`ok ${certificateTypes.length}`);
  });
});
