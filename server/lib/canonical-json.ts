import { CertchainError } from "@certchain/sdk";

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
  if (depth >= MAX_DEPTH) throw new CertchainError("JSON_TOO_DEEP", "The value nests arrays and objects too deeply.");
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalAt(v, depth + 1))).join(",")}]`;
  const entries = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalAt((value as Record<string, unknown>)[k], depth + 1)}`);
  return `{${entries.join(",")}}`;
}
