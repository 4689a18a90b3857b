import { format as FORMATS } from "@cfworker/json-schema";
import { linearPattern } from "./linear-pattern";

/**
 * A type's schema rewritten so that @cfworker/json-schema checks any claims in bounded time,
 * with the same verdict:
 * - `pattern` runs through RE2 (linear-pattern.ts), not JavaScript's backtracking engine: the
 *   validator has no hook for patterns, so each becomes a format of its own (the validator looks
 *   formats up in its table) inside an `allOf`, which keeps its place in `anyOf`, `oneOf` and
 *   `not`. A string longer than twice its `maxLength` fails that check anyway and is not matched.
 * - `uniqueItems` compares every pair of items, so it is checked only for an array within its
 *   `maxItems` (a forged list of 20,000 tags took seconds); a schema without `maxItems` (types
 *   registered before bounds were required) refuses arrays over UNIQUE_ITEMS_LIMIT.
 */
export const PATTERN_FORMAT_PREFIX = "certchain-linear-pattern:";
export const UNIQUE_ITEMS_LIMIT = 1_000;

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The format name standing for `pattern` (with the string's `maxLength`, if any), registered in the validator's table on first use. */
function patternFormat(pattern: string, maxLength: unknown): string {
  const bound = Number.isSafeInteger(maxLength) ? (maxLength as number) : undefined;
  const name = `${PATTERN_FORMAT_PREFIX}${bound ?? ""}:${pattern}`;
  if (!Object.hasOwn(FORMATS, name)) {
    const compiled = linearPattern(pattern);
    // schemaProblems refuses patterns RE2 cannot run before a schema gets here; if one did, nothing matches it.
    (FORMATS as Record<string, (text: string) => boolean>)[name] = (text) =>
      compiled !== undefined && (bound !== undefined && text.length > 2 * bound ? true : compiled.test(text));
  }
  return name;
}

/** The pattern a format made by {@link boundedSchema} stands for, if it is one. */
export function patternOfFormat(name: unknown): string | undefined {
  if (typeof name !== "string" || !name.startsWith(PATTERN_FORMAT_PREFIX)) return undefined;
  return name.slice(name.indexOf(":", PATTERN_FORMAT_PREFIX.length) + 1);
}

/** See the module's comment. `schema` is one that schemaProblems found usable; a new object is returned. */
export function boundedSchema(schema: unknown): unknown {
  if (!isPlainObject(schema)) return schema;
  const out: Record<string, unknown> = {};
  const allOf: unknown[] = [];
  const patterns: unknown[] = []; // after the schema's own allOf, whose indexes stay as they were
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword === "properties" && isPlainObject(value)) {
      out[keyword] = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, boundedSchema(child)]));
    } else if ((keyword === "items" || keyword === "additionalProperties" || keyword === "not") && isPlainObject(value)) {
      out[keyword] = boundedSchema(value);
    } else if ((keyword === "anyOf" || keyword === "oneOf" || keyword === "allOf") && Array.isArray(value)) {
      if (keyword === "allOf") allOf.push(...value.map(boundedSchema));
      else out[keyword] = value.map(boundedSchema);
    } else if (keyword === "pattern" && typeof value === "string") {
      patterns.push({ format: patternFormat(value, schema.maxLength) });
    } else if (keyword === "uniqueItems" && value === true) {
      const limit = Number.isSafeInteger(schema.maxItems) ? (schema.maxItems as number) : undefined;
      out.if = { maxItems: limit ?? UNIQUE_ITEMS_LIMIT };
      out.then = { uniqueItems: true };
      if (limit === undefined) out.else = false;
    } else {
      out[keyword] = value;
    }
  }
  if (allOf.length + patterns.length > 0) out.allOf = [...allOf, ...patterns];
  return out;
}
