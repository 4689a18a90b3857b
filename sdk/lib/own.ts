/**
 * `record[key]` only when `key` is the record's own property: names that come from requests or
 * credentials ("constructor", "__proto__", "toString", …) must never reach Object.prototype.
 */
export function ownValue<T>(record: Readonly<Record<string, T>> | undefined, key: unknown): T | undefined {
  return record !== undefined && typeof key === "string" && Object.hasOwn(record, key) ? record[key] : undefined;
}
