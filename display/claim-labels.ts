// The one place claim labels come from, for the printed certificate (wallet and CLI): the type's
// metadata as the SDK resolved it for the result (bundled, or checked against the registry), at
// every depth; a few words for nested fields of types whose metadata labels only top-level claims.
// No DOM and no `location` here: the CLI's PDF printer imports it in Node.
import type { LocalisedText, VerificationResult } from "@certchain/sdk";

/** A claim's place: top-level name, then member names and array indexes (`["spouses", 0, "name"]`). */
export type ClaimPath = readonly (string | number)[];

/** The type as a verification result carries it (names, labels by claim path, display order). */
export type ResultType = NonNullable<NonNullable<VerificationResult["certificate"]>["type"]> | null | undefined;

/** Fields of the nested objects of the built-in types (a spouse, a parent), for metadata without nested labels. */
const NESTED: Readonly<Record<string, LocalisedText>> = {
  name: { "zh-CN": "姓名", en: "Name" },
  gender: { "zh-CN": "性别", en: "Gender" },
  date_of_birth: { "zh-CN": "出生日期", en: "Date of birth" },
  id_number: { "zh-CN": "身份证件号码", en: "ID number" },
  nationality: { "zh-CN": "国籍", en: "Nationality" },
};

/** Whether a metadata path (null: any array element) names this concrete path. */
export const matchesClaimPath = (pattern: readonly (string | number | null)[], path: ClaimPath): boolean =>
  pattern.length === path.length && pattern.every((segment, i) => (segment === null ? typeof path[i] === "number" : segment === path[i]));

/**
 * The zh-CN and English label of a claim, by path. An array element without a label of its own
 * is its array's label and number ("双方当事人 2"). Undefined when neither the metadata nor the
 * known nested fields name it (callers then show the path, never an empty label).
 */
export function claimLabelOf(type: ResultType, path: ClaimPath): LocalisedText | undefined {
  if (path.length === 0) return undefined;
  const own = type?.labels?.find((entry) => matchesClaimPath(entry.path, path))?.label;
  if (own) return own;
  const last = path[path.length - 1];
  if (typeof last === "number") {
    const parent = claimLabelOf(type, path.slice(0, -1));
    return parent && { "zh-CN": `${parent["zh-CN"]} ${last + 1}`, en: `${parent.en} ${last + 1}` };
  }
  // Own properties only: a claim named "constructor" must not find Object's.
  return path.length > 1 && Object.hasOwn(NESTED, last) ? NESTED[last] : undefined;
}

/** The type's top-level claims in display order (empty for an unknown type). */
export function claimOrderOf(type: ResultType): string[] {
  return [...(type?.claimOrder ?? [])];
}
