// Claims as people read them: labels from the type's metadata, at every depth (a spouse, a
// spouse's ID number), in the type's order, never a raw key when the type is known.
import type { VerificationResult } from "@certchain/sdk";
import { h } from "./dom";
import { matchesClaimPath } from "../../../../display/claim-labels";
import { breakableText } from "./code-breaks";
import { formatValue } from "./format";
import { lang, type Text } from "./i18n";

export type TypeInfo = NonNullable<NonNullable<VerificationResult["certificate"]>["type"]>;
export type ConcretePath = readonly (string | number)[];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The label of a claim path in both languages, if the type has one. */
export function labelTextOf(type: TypeInfo | null | undefined, path: ConcretePath): Text | undefined {
  return type?.labels?.find((entry) => matchesClaimPath(entry.path, path))?.label;
}

/** A claim's label in the page's language: array elements are numbered ("当事人 1"); the key itself only for types without metadata. */
export function labelOf(type: TypeInfo | null | undefined, path: ConcretePath): string {
  const last = path[path.length - 1];
  const text = labelTextOf(type, path);
  if (typeof last === "number") {
    const base = text?.[lang()] ?? labelTextOf(type, path.slice(0, -1))?.[lang()] ?? "";
    return `${base} ${last + 1}`.trim();
  }
  return text?.[lang()] ?? String(last);
}

/** Sorts sibling claim paths as the type lists them: members in label order, array elements by position. */
export function sortSiblings(type: TypeInfo | null | undefined, paths: ConcretePath[]): ConcretePath[] {
  const rank = (path: ConcretePath) => {
    const last = path[path.length - 1];
    if (typeof last === "number") return last;
    const index = (type?.labels ?? []).findIndex((entry) => matchesClaimPath(entry.path, path));
    return index === -1 ? Number.MAX_SAFE_INTEGER : index;
  };
  return [...paths].sort((a, b) => rank(a) - rank(b));
}

/** Top-level claims in the type's display order, unknown ones last. */
export function orderedClaims(type: TypeInfo | null | undefined, claims: Record<string, unknown>): [string, unknown][] {
  const order = type?.claimOrder ?? [];
  const rank = (name: string) => (order.indexOf(name) === -1 ? Number.MAX_SAFE_INTEGER : order.indexOf(name));
  return Object.entries(claims).sort(([a], [b]) => rank(a) - rank(b));
}

function ownOrder(type: TypeInfo | null | undefined, path: ConcretePath, value: Record<string, unknown>): string[] {
  // Members in the order the type lists their labels.
  const listed = (type?.labels ?? [])
    .filter((entry) => entry.path.length === path.length + 1 && matchesClaimPath(entry.path.slice(0, -1), path))
    .map((entry) => entry.path[path.length])
    .filter((m): m is string => typeof m === "string");
  const rank = (name: string) => (listed.indexOf(name) === -1 ? Number.MAX_SAFE_INTEGER : listed.indexOf(name));
  return Object.keys(value).sort((a, b) => rank(a) - rank(b));
}

/** A claim value: text for scalars and lists of scalars, labelled fields for objects, numbered entries for lists of objects. */
export function claimValue(type: TypeInfo | null | undefined, path: ConcretePath, value: unknown): Node | string {
  if (isObject(value)) return claimList(type, path, value, "claims claims--nested");
  if (Array.isArray(value) && value.some((item) => isObject(item) || Array.isArray(item))) {
    return h(
      "ol",
      { class: "claim-items" },
      value.map((item, i) => h("li", { class: "claim-item" }, h("p", { class: "claim-item__label" }, labelOf(type, [...path, i])), claimValue(type, [...path, i], item))),
    );
  }
  // Codes break between their groups only (a credit code 8 + 10), at any text size.
  return breakableText(formatValue(value));
}

/** A labelled definition list of an object's claims; `data-claim` carries the dotted path for tests and styling. */
export function claimList(type: TypeInfo | null | undefined, path: ConcretePath, value: Record<string, unknown>, className = "claims"): HTMLElement {
  const names = path.length === 0 ? orderedClaims(type, value).map(([name]) => name) : ownOrder(type, path, value);
  return h(
    "dl",
    { class: className, ...(path.length === 0 ? { "data-testid": "revealed" } : {}) },
    names.flatMap((name) => {
      const at = [...path, name];
      const key = at.join(".");
      return [h("dt", { "data-claim": key }, labelOf(type, at)), h("dd", { "data-claim": key }, claimValue(type, at, value[name]))];
    }),
  );
}

/** A withheld nested claim, as its labels from the top: "双方当事人 › 当事人 1 › 身份证件号码", or "双方当事人 › 当事人 (1)" for elements left out. */
export function withheldLabel(type: TypeInfo | null | undefined, entry: { path: readonly (string | number | null)[]; count?: number }): string {
  const parts: string[] = [];
  entry.path.forEach((segment, i) => {
    if (segment === null) {
      const element = labelTextOf(type, [...(entry.path.slice(0, i) as (string | number)[]), 0])?.[lang()] ?? "";
      parts.push(`${element} (${entry.count ?? 1})`.trim());
    } else parts.push(labelOf(type, entry.path.slice(0, i + 1) as (string | number)[]));
  });
  return parts.join(" › ");
}
