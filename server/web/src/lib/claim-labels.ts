// The one place claim labels come from, for the pages, the printed certificate and the CLI.
// Today: the type definitions' labels for top-level claims, and the words below for the fields
// of nested objects (v1 types label only top-level claims). When types carry SD-JWT VC Type
// Metadata (labels per language by claim path), this function reads them instead.
// No DOM and no `location` here: the CLI's PDF printer imports it in Node.
import { findTypeByVct, type LocalisedText } from "@certchain/sdk";

/** A claim's place: top-level name, then member names and array indexes (`["spouses", 0, "name"]`). */
export type ClaimPath = readonly (string | number)[];

/** Fields of the nested objects of the built-in types (a spouse, a parent). */
const NESTED: Readonly<Record<string, LocalisedText>> = {
  name: { "zh-CN": "姓名", en: "Name" },
  gender: { "zh-CN": "性别", en: "Gender" },
  date_of_birth: { "zh-CN": "出生日期", en: "Date of birth" },
  id_number: { "zh-CN": "身份证件号码", en: "ID number" },
  nationality: { "zh-CN": "国籍", en: "Nationality" },
};

/**
 * The zh-CN and English label of a claim of a certificate type, by path. An array element is its
 * array's label and number ("双方当事人 2"). Undefined when neither the type nor the known nested
 * fields name it (callers then show the path, never an empty label).
 */
export function claimLabelOf(vct: string | undefined, path: ClaimPath): LocalisedText | undefined {
  if (path.length === 0) return undefined;
  const last = path[path.length - 1];
  if (typeof last === "number") {
    const parent = claimLabelOf(vct, path.slice(0, -1));
    return parent && { "zh-CN": `${parent["zh-CN"]} ${last + 1}`, en: `${parent.en} ${last + 1}` };
  }
  if (path.length === 1) {
    // Own properties only: a claim named "constructor" must not find Object's.
    const type = vct ? findTypeByVct(vct) : undefined;
    return type && Object.hasOwn(type.claims, last) ? type.claims[last] : undefined;
  }
  return Object.hasOwn(NESTED, last) ? NESTED[last] : undefined;
}

/** The type's top-level claims in display order (empty for an unknown type). */
export function claimOrderOf(vct: string | undefined): string[] {
  const type = vct ? findTypeByVct(vct) : undefined;
  return type ? Object.keys(type.claims) : [];
}
