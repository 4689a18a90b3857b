import { format as FORMATS } from "@cfworker/json-schema";
import { linearPattern } from "./linear-pattern";

// The JSON Schema (draft 2020-12) a certificate type may use: the validation keywords whose
// failures validateClaims can explain, and annotations. An interpreting validator ignores a
// keyword it does not know, so a misspelt `minLenght` or an unknown format would silently check
// nothing; they are refused here instead. References ($ref, $defs) are out: a type is one
// self-contained schema, which also keeps schemas that arrive as data from pointing anywhere.
const SCHEMA_KEYWORDS = new Set(["properties", "additionalProperties", "items", "not"]);
const SCHEMA_LIST_KEYWORDS = new Set(["anyOf", "oneOf", "allOf"]);
const COUNT_KEYWORDS = new Set(["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"]);
const NUMBER_KEYWORDS = new Set(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]);
const ANNOTATIONS = new Set(["$schema", "$comment", "title", "description", "examples", "default", "deprecated", "readOnly", "writeOnly"]);
const OTHER_KEYWORDS = new Set(["type", "enum", "const", "required", "pattern", "format", "multipleOf", "uniqueItems"]);
const JSON_TYPES = new Set(["string", "number", "integer", "boolean", "object", "array", "null"]);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

// Every format the validator knows but `url`, whose expression backtracks (a 3,000-character
// claim held the thread for seconds); `uri` is the standard one. Fixed now: validate-claims adds
// formats of its own to the validator's table, and a schema must not name those.
const KNOWN_FORMATS: ReadonlySet<string> = new Set(Object.keys(FORMATS).filter((name) => name !== "url"));

/**
 * The bounds a type registered now must set, so that checking hostile claims stays cheap: every
 * array a `maxItems`, fewer with `uniqueItems` (uniqueness compares every pair). Strings need no
 * `maxLength`: patterns run in linear time (linear-pattern.ts), so their cost is bounded by the
 * body limit and the issuing service's claims budget; with one, a longer string is not matched.
 */
export const SCHEMA_BOUNDS = { maxItems: 10_000, maxUniqueItems: 256 } as const;

function keywordProblem(keyword: string, value: unknown): string | undefined {
  if (COUNT_KEYWORDS.has(keyword)) return Number.isSafeInteger(value) && (value as number) >= 0 ? undefined : "must be a non-negative integer";
  if (NUMBER_KEYWORDS.has(keyword)) return Number.isFinite(value) ? undefined : "must be a number";
  switch (keyword) {
    case "type": {
      const types = Array.isArray(value) ? value : [value];
      return types.length > 0 && types.every((t) => JSON_TYPES.has(t as string)) ? undefined : "must name JSON types";
    }
    case "enum":
      return Array.isArray(value) && value.length > 0 ? undefined : "must be a non-empty array";
    case "required":
      return Array.isArray(value) && value.every((name) => typeof name === "string") && new Set(value).size === value.length
        ? undefined
        : "must be an array of distinct strings";
    case "pattern":
      return typeof value === "string" && linearPattern(value) !== undefined
        ? undefined
        : "must be a regular expression (with the u flag) that RE2 can run in linear time: no look-arounds or back-references";
    case "format":
      return typeof value === "string" && KNOWN_FORMATS.has(value) ? undefined : `must be one of ${[...KNOWN_FORMATS].join(", ")}`;
    case "multipleOf":
      return Number.isFinite(value) && (value as number) > 0 ? undefined : "must be a positive number";
    case "uniqueItems":
      return typeof value === "boolean" ? undefined : "must be a boolean";
    default:
      return undefined;
  }
}

/** One reason a document cannot be used: an RFC 6901 JSON Pointer to the fault and what is wrong. */
export interface PointedProblem {
  readonly pointer: string;
  readonly message: string;
}

const escapePointer = (key: string): string => key.replace(/~/g, "~0").replace(/\//g, "~1");

/** Where a schema node lacks the bounds {@link SCHEMA_BOUNDS} asks of types registered now. */
function boundsProblems(schema: Record<string, unknown>, at: string, problems: PointedProblem[]): void {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const isArray = types.includes("array") || "items" in schema || schema.uniqueItems === true;
  if (isArray) {
    const limit = schema.uniqueItems === true ? SCHEMA_BOUNDS.maxUniqueItems : SCHEMA_BOUNDS.maxItems;
    const max = schema.maxItems;
    if (!Number.isSafeInteger(max) || (max as number) > limit) {
      problems.push({
        pointer: `${at}/maxItems`,
        message: schema.uniqueItems === true ? `uniqueItems needs maxItems of at most ${limit}` : `an array needs maxItems of at most ${limit}`,
      });
    }
  }
}

function collect(schema: unknown, at: string, problems: PointedProblem[], bounds: boolean): void {
  if (typeof schema === "boolean") return;
  if (!isPlainObject(schema)) {
    problems.push({ pointer: at, message: "a schema must be an object or a boolean" });
    return;
  }
  if (bounds) boundsProblems(schema, at, problems);
  for (const [keyword, value] of Object.entries(schema)) {
    const where = `${at}/${escapePointer(keyword)}`;
    if (keyword === "properties") {
      if (!isPlainObject(value)) problems.push({ pointer: where, message: "must be an object" });
      else for (const [name, child] of Object.entries(value)) collect(child, `${where}/${escapePointer(name)}`, problems, bounds);
    } else if (SCHEMA_KEYWORDS.has(keyword)) {
      collect(value, where, problems, bounds);
    } else if (SCHEMA_LIST_KEYWORDS.has(keyword)) {
      if (!Array.isArray(value) || value.length === 0) problems.push({ pointer: where, message: "must be a non-empty array of schemas" });
      else value.forEach((child, i) => collect(child, `${where}/${i}`, problems, bounds));
    } else if (COUNT_KEYWORDS.has(keyword) || NUMBER_KEYWORDS.has(keyword) || OTHER_KEYWORDS.has(keyword)) {
      const problem = keywordProblem(keyword, value);
      if (problem) problems.push({ pointer: where, message: problem });
    } else if (!ANNOTATIONS.has(keyword)) {
      problems.push({ pointer: where, message: "unsupported keyword" });
    }
  }
}

/**
 * As {@link schemaProblems}, each problem with its JSON Pointer into the schema (prefixed by
 * `at`). With `bounds`, also where the schema lacks the bounds {@link SCHEMA_BOUNDS} asks of a
 * type registered now (types registered before are still read without them).
 */
export function schemaProblemsAt(schema: unknown, at = "", options: { bounds?: boolean } = {}): PointedProblem[] {
  const problems: PointedProblem[] = [];
  collect(schema, at, problems, options.bounds === true);
  return problems;
}

/**
 * Every reason a certificate type's schema cannot be used to check claims: unknown or
 * unsupported keywords, keyword values of the wrong kind, patterns that do not compile, unknown
 * formats. Each is `<JSON Pointer into the schema>: <problem>`; none means the schema is usable.
 */
export function schemaProblems(schema: unknown): string[] {
  return schemaProblemsAt(schema).map((p) => `${p.pointer || "/"}: ${p.message}`);
}
