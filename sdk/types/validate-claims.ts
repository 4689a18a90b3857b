import { Validator, type OutputUnit, type Schema } from "@cfworker/json-schema";
import { CertchainError } from "../errors";
import type { CertificateType } from "./define";
import { boundedSchema, patternOfFormat, UNIQUE_ITEMS_LIMIT } from "./bounded-schema";
import { schemaProblems } from "./schema-problems";

/** Why one claim was rejected. */
export interface ClaimError {
  /** JSON Pointer (RFC 6901) to the offending claim, e.g. `/spouses/0/id_number`; `""` is the whole claim set. */
  readonly path: string;
  readonly message: string;
}

/** `{ ok: true }`, or `{ ok: false, errors }` with at most 20 errors, each pointing at a claim. */
export type ValidateClaimsResult = { readonly ok: true } | { readonly ok: false; readonly errors: readonly ClaimError[] };

/** How strictly {@link validateClaims} judges a claim set. */
export interface ValidateClaimsOptions {
  /**
   * Accept a claim set that omits claims, at any depth: a presentation discloses only what the
   * holder chose (a spouse, or one field of a spouse), so `required`, `minItems` and
   * `minProperties` are not applied. Disclosed claims must still be well-formed, and no unknown
   * claim is allowed.
   */
  readonly partial?: boolean;
}

// Enough to explain a rejection; a hostile claim set with thousands of extra keys would
// otherwise produce a verification result as large as itself.
const MAX_ERRORS = 20;

const PRESENCE_KEYWORDS = new Set(["required", "minItems", "minProperties"]);

/** The schema without the keywords that demand presence, at every depth (claims may be withheld anywhere). */
function withoutPresence(schema: unknown): unknown {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (PRESENCE_KEYWORDS.has(keyword)) continue;
    if (keyword === "properties" && typeof value === "object" && value !== null) {
      // Keys here are claim names, not keywords: a claim may well be called "required".
      out[keyword] = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, withoutPresence(child)]));
    } else if (keyword === "items" || keyword === "additionalProperties" || keyword === "not") {
      out[keyword] = withoutPresence(value);
    } else if ((keyword === "anyOf" || keyword === "oneOf" || keyword === "allOf") && Array.isArray(value)) {
      out[keyword] = value.map(withoutPresence);
    } else {
      out[keyword] = value;
    }
  }
  return out;
}

interface Checker {
  readonly schema: unknown;
  readonly validator: Validator;
}

const checkers = new WeakMap<CertificateType, { full?: Checker; partial?: Checker }>();

// @cfworker/json-schema interprets the schema: nothing is compiled to code (ajv generates
// functions with `new Function`, which forced 'unsafe-eval' on every page that verifies), and a
// schema that arrives as data is never turned into code. It keeps per-schema state on the
// schema object, so it gets a private, unfrozen copy; the copy is made on first use, as a
// verifier that only ever sees one type should not pay for the others.
function checkerFor(type: CertificateType, partial: boolean): Checker {
  const entry = checkers.get(type) ?? {};
  checkers.set(type, entry);
  const key = partial ? "partial" : "full";
  let checker = entry[key];
  if (checker === undefined) {
    const problems = schemaProblems(type.schema);
    if (problems.length > 0) {
      throw new CertchainError("CERT_TYPE_SCHEMA_INVALID", `schema of ${type.id} cannot be used: ${problems.slice(0, 5).join("; ")}`, {
        details: { id: type.id, problems },
      });
    }
    // Checked above by schemaProblems; the library's Schema type only differs in readonly-ness.
    // Bounded: patterns run in linear time, uniqueness only within maxItems (bounded-schema.ts).
    const schema = boundedSchema(structuredClone(partial ? withoutPresence(type.schema) : type.schema)) as Schema;
    // shortCircuit off: report every failing claim, not only the first.
    checker = { schema, validator: new Validator(schema, "2020-12", false) };
    entry[key] = checker;
  }
  return checker;
}

/** A JSON Pointer as the validator writes it (`#`, then URI-encoded segments) → RFC 6901. */
const pointerOf = (location: string): string => decodeURIComponent(location.replace(/^#/, ""));

function schemaValueAt(schema: unknown, keywordLocation: string): unknown {
  let node = schema;
  for (const segment of pointerOf(keywordLocation).split("/").slice(1)) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[segment.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return node;
}

// The wording of ajv's messages, which this SDK used before: API clients, the CLI's errors.csv
// and the pages show them, so they stay as they were.
const MESSAGES: Record<string, (value: unknown) => string> = {
  type: (t) => `must be ${Array.isArray(t) ? t.join(",") : String(t)}`,
  minLength: (n) => `must NOT have fewer than ${n} characters`,
  maxLength: (n) => `must NOT have more than ${n} characters`,
  pattern: (p) => `must match pattern "${p}"`,
  format: (f) => `must match format "${f}"`,
  enum: () => "must be equal to one of the allowed values",
  const: () => "must be equal to constant",
  anyOf: () => "must match a schema in anyOf",
  oneOf: () => "must match exactly one schema in oneOf",
  not: () => "must NOT be valid",
  minItems: (n) => `must NOT have fewer than ${n} items`,
  maxItems: (n) => `must NOT have more than ${n} items`,
  uniqueItems: () => "must NOT have duplicate items",
  minProperties: (n) => `must NOT have fewer than ${n} properties`,
  maxProperties: (n) => `must NOT have more than ${n} properties`,
  minimum: (n) => `must be >= ${n}`,
  maximum: (n) => `must be <= ${n}`,
  exclusiveMinimum: (n) => `must be > ${n}`,
  exclusiveMaximum: (n) => `must be < ${n}`,
  multipleOf: (n) => `must be multiple of ${n}`,
};

// Units that only say "a child failed"; the child's own unit says how.
const AGGREGATES = new Set(["properties", "items", "prefixItems", "allOf", "additionalProperties", "if"]);
const REQUIRED = /^Instance does not have required property "(.*)"\.$/s;
const escapePointer = (key: string): string => key.replace(/~/g, "~0").replace(/\//g, "~1");

function claimErrorsOf(units: readonly OutputUnit[], schema: unknown): ClaimError[] {
  const errors: ClaimError[] = [];
  units.forEach((unit, i) => {
    if (errors.length >= MAX_ERRORS || AGGREGATES.has(unit.keyword)) return;
    const path = pointerOf(unit.instanceLocation);
    if (unit.keyword === "false") {
      // A property `additionalProperties: false` refuses: point at the claim itself.
      const extra = units[i - 1]?.keyword === "additionalProperties";
      // bounded-schema.ts's `else: false`: an array too long to check its items' uniqueness.
      const unchecked = units[i - 1]?.keyword === "if";
      errors.push({ path, message: extra ? "must NOT have additional properties" : unchecked ? `must NOT have more than ${UNIQUE_ITEMS_LIMIT} items` : "boolean schema is false" });
    } else if (unit.keyword === "required") {
      const name = REQUIRED.exec(unit.error)?.[1];
      errors.push(name === undefined ? { path, message: unit.error } : { path: `${path}/${escapePointer(name)}`, message: `must have required property '${name}'` });
    } else {
      const value = schemaValueAt(schema, unit.keywordLocation);
      const pattern = unit.keyword === "format" ? patternOfFormat(value) : undefined;
      const message = pattern !== undefined ? MESSAGES.pattern : MESSAGES[unit.keyword];
      errors.push({ path, message: message ? message(pattern ?? value) : unit.error });
    }
  });
  return errors;
}

// Values JSON cannot hold; the validator throws on them instead of answering.
const isJsonLike = (value: unknown): boolean => value === null || ["object", "string", "number", "boolean"].includes(typeof value);

/**
 * Checks subject claims against a certificate type's schema. Never throws on the claims,
 * whatever they are (non-objects, `__proto__` keys, throwing getters); the result says why
 * they were rejected.
 *
 * @throws CertchainError `CERT_TYPE_SCHEMA_INVALID` only when the type's own schema is unusable
 * (unknown keyword or format, a keyword value of the wrong kind, a pattern that does not compile).
 * @example
 * const result = validateClaims(businessLicence, disclosedClaims, { partial: true });
 * if (!result.ok) console.log(result.errors); // [{ path: "/registration_date", message: 'must match format "date"' }]
 */
export function validateClaims(type: CertificateType, claims: unknown, options: ValidateClaimsOptions = {}): ValidateClaimsResult {
  const { schema, validator } = checkerFor(type, options.partial === true);
  if (!isJsonLike(claims)) return { ok: false, errors: [{ path: "", message: "must be object" }] };
  let units: readonly OutputUnit[];
  try {
    const result = validator.validate(claims);
    if (result.valid) return { ok: true };
    units = result.errors;
  } catch {
    // Only exotic inputs get here (proxies, throwing getters, non-JSON values inside); JSON-parsed claims never do.
    return { ok: false, errors: [{ path: "", message: "claims could not be read" }] };
  }
  const errors = claimErrorsOf(units, schema);
  return { ok: false, errors: errors.length > 0 ? errors : [{ path: "", message: "invalid claims" }] };
}
