import { format as FORMATS } from "@cfworker/json-schema";

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

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, "u");
    return true;
  } catch {
    return false;
  }
}

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
      return typeof value === "string" && compiles(value) ? undefined : "must be a regular expression (with the u flag)";
    case "format":
      return typeof value === "string" && Object.hasOwn(FORMATS, value) ? undefined : `must be one of ${Object.keys(FORMATS).join(", ")}`;
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

function collect(schema: unknown, at: string, problems: PointedProblem[]): void {
  if (typeof schema === "boolean") return;
  if (!isPlainObject(schema)) {
    problems.push({ pointer: at, message: "a schema must be an object or a boolean" });
    return;
  }
  for (const [keyword, value] of Object.entries(schema)) {
    const where = `${at}/${escapePointer(keyword)}`;
    if (keyword === "properties") {
      if (!isPlainObject(value)) problems.push({ pointer: where, message: "must be an object" });
      else for (const [name, child] of Object.entries(value)) collect(child, `${where}/${escapePointer(name)}`, problems);
    } else if (SCHEMA_KEYWORDS.has(keyword)) {
      collect(value, where, problems);
    } else if (SCHEMA_LIST_KEYWORDS.has(keyword)) {
      if (!Array.isArray(value) || value.length === 0) problems.push({ pointer: where, message: "must be a non-empty array of schemas" });
      else value.forEach((child, i) => collect(child, `${where}/${i}`, problems));
    } else if (COUNT_KEYWORDS.has(keyword) || NUMBER_KEYWORDS.has(keyword) || OTHER_KEYWORDS.has(keyword)) {
      const problem = keywordProblem(keyword, value);
      if (problem) problems.push({ pointer: where, message: problem });
    } else if (!ANNOTATIONS.has(keyword)) {
      problems.push({ pointer: where, message: "unsupported keyword" });
    }
  }
}

/** As {@link schemaProblems}, each problem with its JSON Pointer into the schema (prefixed by `at`). */
export function schemaProblemsAt(schema: unknown, at = ""): PointedProblem[] {
  const problems: PointedProblem[] = [];
  collect(schema, at, problems);
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
