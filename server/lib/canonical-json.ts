import { apiError } from "../errors";

// Far deeper than anything the service hashes (request bodies are limited to 32 levels):
// the guard turns hostile nesting into a clear refusal instead of a stack overflow.
const MAX_DEPTH = 64;

/**
 * JSON with object keys sorted at every level, so the same value always hashes the same
 * (the audit chain's hashes must be recomputable from the stored entries alone).
 * `undefined` members are dropped, as JSON.stringify drops them.
 *
 * @throws CertchainError `JSON_TOO_DEEP` for values nested more than 64 levels.
 */
export const canonicalJson = (value: unknown): string => canonicalAt(value, 0);

function canonicalAt(value: unknown, depth: number): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (depth >= MAX_DEPTH) throw apiError("JSON_TOO_DEEP", "The value nests arrays and objects too deeply.");
  // Plain loops, no intermediate arrays: the audit log hashes an entry per certificate.
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += `${i > 0 ? "," : ""}${value[i] === undefined ? "null" : canonicalAt(value[i], depth + 1)}`;
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = "{";
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    out += `${out.length > 1 ? "," : ""}${JSON.stringify(key)}:${canonicalAt(member, depth + 1)}`;
  }
  return `${out}}`;
}
