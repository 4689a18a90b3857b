import type { ClaimsPathSegment } from "./query";

/** A concrete claim path: member names and array positions, no wildcard. */
export type ConcreteClaimPath = (string | number)[];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Processes a claims path pointer against JSON claims as OpenID4VP 1.0 §7.1.1 says: the selected
 * elements with their concrete paths, or undefined where the processing aborts with an error (a
 * step into a non-object or non-array, or nothing selected).
 */
export function selectClaims(claims: unknown, path: readonly ClaimsPathSegment[]): { path: ConcreteClaimPath; value: unknown }[] | undefined {
  let selected: { path: ConcreteClaimPath; value: unknown }[] = [{ path: [], value: claims }];
  for (const segment of path) {
    const next: typeof selected = [];
    for (const { path: at, value } of selected) {
      if (typeof segment === "string") {
        if (!isObject(value)) return undefined;
        if (Object.hasOwn(value, segment)) next.push({ path: [...at, segment], value: value[segment] });
      } else {
        if (!Array.isArray(value)) return undefined;
        if (segment === null) value.forEach((element, i) => next.push({ path: [...at, i], value: element }));
        else if (segment < value.length) next.push({ path: [...at, segment], value: value[segment] });
      }
    }
    selected = next;
  }
  return selected.length > 0 ? selected : undefined;
}

/** Whether `values` accepts one of the selected claims: same JSON type and value (§6.3). */
export function matchesValues(selected: readonly { value: unknown }[], values: readonly (string | number | boolean)[] | undefined): boolean {
  return values === undefined || selected.some(({ value }) => values.some((accepted) => accepted === value));
}

const segmentMatches = (pattern: ClaimsPathSegment, segment: string | number): boolean => (pattern === null ? typeof segment === "number" : pattern === segment);

/**
 * Whether disclosing `path` stays within what a claims path pointer asks for: it is the claim, a
 * part of it (asking for an object asks for all of it), or one of the claims that hold it (a
 * nested claim can only be disclosed with the disclosures above it).
 */
export function isCoveredBy(path: readonly (string | number)[], pattern: readonly ClaimsPathSegment[]): boolean {
  const n = Math.min(path.length, pattern.length);
  for (let i = 0; i < n; i++) if (!segmentMatches(pattern[i], path[i])) return false;
  return true;
}
