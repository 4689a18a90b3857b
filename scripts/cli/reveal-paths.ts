/**
 * What `certchain print --reveal` names, as claim paths: a claim's name or its label, in Chinese
 * or English, as `issue` reads CSV headers (名称 or company_name or Company name), nested parts
 * after dots, by name or label (双方当事人.0.姓名, spouses.0.name). Labels come from the type as
 * the verification resolved it. Mistakes are told in the run's language only, with what the
 * certificate does hold in that language.
 */
import type { ClaimPath, ResultType } from "../../display/claim-labels";
import { claimLabelOf, claimOrderOf } from "../../display/claim-labels";
import { lang, t, type Text } from "./i18n";
import { UsageError } from "./output";

const M = {
  unknown: { "zh-CN": "这张证照里没有：{unknown}（这张证照有：{known}）", en: "not in this certificate: {unknown} (it has: {known})" },
  whole: {
    "zh-CN": "{given}：这张证照的“{top}”只能整体展示；请展示 {top}",
    en: "{given}: this certificate discloses {top} only as a whole; reveal {top}",
  },
} satisfies Record<string, Text>;

const normalise = (text: string) => text.trim().toLowerCase();
const isRecord = (value: unknown): value is Record<string | number, unknown> => typeof value === "object" && value !== null;

/** The member of `value` (at `path`) that `segment` names: its index, its name, or its label. */
function memberOf(type: ResultType, path: ClaimPath, value: unknown, segment: string): string | number | undefined {
  if (Array.isArray(value)) return /^(0|[1-9][0-9]{0,3})$/.test(segment) && Number(segment) < value.length ? Number(segment) : undefined;
  if (!isRecord(value)) return undefined;
  if (Object.hasOwn(value, segment)) return segment;
  const wanted = normalise(segment);
  return Object.keys(value).find((name) => {
    const label = claimLabelOf(type, [...path, name]);
    return label !== undefined && (normalise(label["zh-CN"]) === wanted || normalise(label.en) === wanted);
  });
}

/** A claim's name with its label in the run's language: "名称（company_name）", "Company name (company_name)". */
function shown(type: ResultType, name: string): string {
  const label = claimLabelOf(type, [name])?.[lang()];
  if (!label || label === name) return name;
  return lang() === "en" ? `${label} (${name})` : `${label}（${name}）`;
}

/**
 * The claim paths `raw` names (comma-separated, `,` `，` or `、`); every disclosed claim when
 * `raw` is undefined. A nested part must be a disclosure of its own (`disclosable`): revealing
 * it through its parent would show more than was asked.
 *
 * @throws UsageError naming what the certificate does not hold, or what it shows only whole.
 */
export function revealPaths(raw: string | undefined, claims: Record<string, unknown>, type: ResultType, disclosable: readonly ClaimPath[]): ClaimPath[] {
  const order = claimOrderOf(type);
  const names = Object.keys(claims).sort((a, b) => (order.indexOf(a) === -1 ? order.length : order.indexOf(a)) - (order.indexOf(b) === -1 ? order.length : order.indexOf(b)));
  if (raw === undefined) return names.map((name) => [name]);
  const given = [...new Set(raw.split(/[,，、]/).map((p) => p.trim()).filter(Boolean))];
  const unknown: string[] = [];
  const paths: ClaimPath[] = [];
  for (const entry of given) {
    const path: (string | number)[] = [];
    let value: unknown = claims;
    for (const segment of entry.split(".")) {
      const member = memberOf(type, path, value, segment);
      if (member === undefined) {
        path.length = 0;
        break;
      }
      path.push(member);
      value = (value as Record<string | number, unknown>)[member];
    }
    if (path.length === 0) {
      unknown.push(entry);
      continue;
    }
    if (path.length > 1 && !disclosable.some((p) => p.join(".") === path.join("."))) {
      throw new UsageError(t(M.whole, { given: entry, top: claimLabelOf(type, [path[0]])?.[lang()] ?? String(path[0]) }));
    }
    if (!paths.some((p) => p.join(".") === path.join("."))) paths.push(path);
  }
  if (unknown.length > 0) {
    const separator = lang() === "en" ? ", " : "、";
    throw new UsageError(t(M.unknown, { unknown: unknown.join(separator), known: names.map((name) => shown(type, name)).join(separator) }));
  }
  return paths;
}
