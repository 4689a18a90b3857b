import { disclosureMapOf } from "../credential/disclosed-claims";
import type { ParsedCredential } from "../credential/parse";
import type { ClaimLabel, ClaimPath, TypeFromMetadata } from "../types/type-metadata";

/** A nested claim a presentation withholds: a member by path, or `count` elements of an array (path ending in null). */
export interface WithheldClaim {
  /** Array positions count among the disclosed elements, as in `claims`. */
  path: (string | number | null)[];
  count?: number;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const matches = (pattern: ClaimPath, path: readonly (string | number)[]): boolean =>
  pattern.length === path.length && pattern.every((segment, i) => (segment === null ? typeof path[i] === "number" : segment === path[i]));

const nestedLabels = new WeakMap<TypeFromMetadata, readonly ClaimLabel[]>();

/** The type's selectively disclosable nested claims, found once per type (verifyMany asks per certificate). */
function nestedSelectiveLabelsOf(type: TypeFromMetadata): readonly ClaimLabel[] {
  let nested = nestedLabels.get(type);
  if (!nested) {
    nested = type.claimLabels.filter((label) => label.selective && label.path.length > 1);
    nestedLabels.set(type, nested);
  }
  return nested;
}

/**
 * The nested claims a presentation leaves out, by the type's metadata: members the type makes
 * disclosures of their own that are missing from a disclosed object, and array elements left out
 * (counted from the digests without disclosures). Top-level claims are in `withheld` already.
 */
export function withheldNestedClaims(type: TypeFromMetadata, parsed: ParsedCredential, claims: Record<string, unknown>): WithheldClaim[] {
  const nested = nestedSelectiveLabelsOf(type);
  if (nested.length === 0) return [];
  const out: WithheldClaim[] = [];
  const walk = (value: unknown, at: (string | number)[]) => {
    if (Array.isArray(value)) return value.forEach((item, i) => walk(item, [...at, i]));
    if (!isObject(value)) return;
    if (at.length > 0) {
      for (const label of nested) {
        const member = label.path[label.path.length - 1];
        if (typeof member === "string" && matches(label.path.slice(0, -1), at) && !(member in value)) out.push({ path: [...at, member] });
      }
    }
    for (const [name, member] of Object.entries(value)) walk(member, [...at, name]);
  };
  walk(claims, []);
  for (const { path, count } of disclosureMapOf(parsed).withheldElements) if (typeof path[0] === "string" && path[0] in claims) out.push({ path: [...path, null], count });
  return out;
}
