/**
 * RFC 8785 (JCS) serialization for the JSON values that receipts hold: objects (members sorted by
 * their names' UTF-16 code units, which is how JavaScript sorts strings), arrays, strings
 * (ECMAScript's JSON.stringify escaping, which JCS adopts), safe integers, booleans and null.
 * Anything else (fractions, undefined, functions) is refused: the same value must give the same
 * bytes in every implementation, and integers are the only numbers written identically by all.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new TypeError("only safe integers have one canonical form here");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((name) => `${JSON.stringify(name)}:${canonicalJson(record[name])}`)
      .join(",")}}`;
  }
  throw new TypeError(`${typeof value} has no JSON form`);
}
