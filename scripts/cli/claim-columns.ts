/**
 * A certificate type as a clerk's spreadsheet sees it: one column per claim (nested claims as
 * dotted columns, `spouses.0.name`), each with its label, whether it must be filled, its rule in
 * plain words and the example cell; and the plain-language reason a cell was refused. Rules are
 * read from the type's JSON Schema, so a new type needs nothing here; the few patterns that mean
 * something to people (credit code, ID number, digest) are recognised by their fragments.
 */
import type { CertificateType, JsonSchema, TypeFromMetadata } from "@certchain/sdk";
import { idNumber, unifiedSocialCreditCode } from "@certchain/sdk/internal";
import { lang, t, type Text } from "./i18n";

export interface ClaimColumn {
  /** The claim path as CSV headers write it: `company_name`, `spouses.0.name`. */
  key: string;
  /** The header as a clerk may write it instead: the claim's label, nested fields after a dot. */
  label: Text;
  schema: JsonSchema;
  required: boolean;
  /** The first example's value as a cell. */
  example: string;
}

/** The columns that are fields of the issue request, not claims. */
export const REQUEST_COLUMN_LABELS: Record<"validFrom" | "validUntil", Text> = {
  validFrom: { "zh-CN": "证照生效时间", en: "Certificate valid from" },
  validUntil: { "zh-CN": "证照失效时间", en: "Certificate valid until" },
};

/** Arrays of objects up to this many entries get a set of columns per entry (spouses: 2). */
const MAX_SPREAD_ENTRIES = 4;

const isObject = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);
const typesOf = (schema: JsonSchema): string[] => (Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === "string" ? [schema.type] : []);
const objectFields = (schema: JsonSchema): Record<string, JsonSchema> | undefined => (isObject(schema.properties) ? (schema.properties as Record<string, JsonSchema>) : undefined);

/** A claim value as a CSV cell: lists joined with ";", everything else as text. */
export function cellOf(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.map(cellOf).join(";");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function labelled(label: Text, suffix: string): Text {
  return { "zh-CN": `${label["zh-CN"]}${suffix}`, en: `${label.en}${suffix}` };
}

/** A nested field's own label from the type's metadata (`["spouses", null, "name"]` → 姓名), else its name. */
function fieldLabel(type: CertificateType, path: (string | null)[]): Text {
  const labels = (type as Partial<TypeFromMetadata>).claimLabels ?? [];
  const found = labels.find((entry) => entry.path.length === path.length && entry.path.every((segment, i) => segment === path[i]));
  const name = String(path[path.length - 1]);
  return found ? found.label : { "zh-CN": name, en: name };
}

/** Every column of a type, in the type's display order. */
export function claimColumns(type: CertificateType): ClaimColumn[] {
  const columns: ClaimColumn[] = [];
  const example = (type.schema.examples[0] ?? {}) as Record<string, any>;
  const required = new Set(type.schema.required ?? []);
  for (const [name, label] of Object.entries(type.claims)) {
    const schema = type.schema.properties[name];
    const top = required.has(name);
    const fields = objectFields(schema);
    const items = isObject(schema.items) ? (schema.items as JsonSchema) : undefined;
    const itemFields = items ? objectFields(items) : undefined;
    const maxItems = typeof schema.maxItems === "number" ? schema.maxItems : Infinity;
    if (fields) {
      const inner = new Set((schema.required as string[] | undefined) ?? []);
      for (const [field, fieldSchema] of Object.entries(fields)) {
        const own = fieldLabel(type, [name, field]);
        columns.push({ key: `${name}.${field}`, label: { "zh-CN": `${label["zh-CN"]}.${own["zh-CN"]}`, en: `${label.en}.${own.en}` }, schema: fieldSchema, required: top && inner.has(field), example: cellOf(example[name]?.[field]) });
      }
    } else if (typesOf(schema).includes("array") && itemFields && maxItems <= MAX_SPREAD_ENTRIES) {
      const inner = new Set((items!.required as string[] | undefined) ?? []);
      const minItems = typeof schema.minItems === "number" ? schema.minItems : 0;
      for (let i = 0; i < maxItems; i++) {
        for (const [field, fieldSchema] of Object.entries(itemFields)) {
          columns.push({
            key: `${name}.${i}.${field}`,
            label: ((own) => ({ "zh-CN": `${label["zh-CN"]}.${i}.${own["zh-CN"]}`, en: `${label.en}.${i}.${own.en}` }))(fieldLabel(type, [name, null, field])),
            schema: fieldSchema,
            required: top && i < minItems && inner.has(field),
            example: cellOf(example[name]?.[i]?.[field]),
          });
        }
      }
    } else {
      columns.push({ key: name, label, schema, required: top, example: cellOf(example[name]) });
    }
  }
  return columns;
}

const RULES = {
  text: { "zh-CN": "文字，不超过 {max} 个字", en: "text, at most {max} characters" },
  textAny: { "zh-CN": "文字", en: "text" },
  date: { "zh-CN": "日期，写作 年-月-日，如 2018-06-21", en: "a date as YYYY-MM-DD, e.g. 2018-06-21" },
  dateTime: { "zh-CN": "日期和时间，带时区，如 2024-03-08T09:42:00+08:00", en: "a date and time with its offset, e.g. 2024-03-08T09:42:00+08:00" },
  uscc: {
    "zh-CN": "18 位统一社会信用代码（数字和大写字母，不用 I、O、S、V、Z）",
    en: "an 18-character unified social credit code (digits and capital letters except I, O, S, V, Z)",
  },
  idNumber: { "zh-CN": "证件号码：6 到 32 位数字或大写字母", en: "an ID number: 6 to 32 digits or capital letters" },
  digest: { "zh-CN": "64 位小写十六进制数字（SHA-256 摘要）", en: "64 lowercase hexadecimal digits (a SHA-256 digest)" },
  pattern: { "zh-CN": "须符合格式 {pattern}", en: "must match the pattern {pattern}" },
  oneOf: { "zh-CN": "以下之一：{values}", en: "one of: {values}" },
  always: { "zh-CN": "固定填写 {value}", en: "always {value}" },
  integer: { "zh-CN": "整数", en: "a whole number" },
  number: { "zh-CN": "数字", en: "a number" },
  range: { "zh-CN": "，{min} 到 {max}", en: " from {min} to {max}" },
  atLeast: { "zh-CN": "，不小于 {min}", en: " of at least {min}" },
  atMost: { "zh-CN": "，不大于 {max}", en: " of at most {max}" },
  boolean: { "zh-CN": "是 或 否", en: "yes or no" },
  list: { "zh-CN": "一项或多项，用英文分号 ; 分开", en: "one or more items separated by ;" },
  listMax: { "zh-CN": "（最多 {max} 项）", en: " (at most {max})" },
  entries: { "zh-CN": "共 {n} 项，每项一组列", en: "{n} entries, one set of columns each" },
  alternatives: { "zh-CN": "；或", en: "; or " },
  quoted: { "zh-CN": "“{value}”", en: '"{value}"' },
} satisfies Record<string, Text>;

/** What a cell must hold, in plain words (the current language). */
export function ruleOf(schema: JsonSchema): string {
  if (Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf)) {
    const alternatives = ((schema.anyOf ?? schema.oneOf) as JsonSchema[]).map((alt) => ("const" in alt ? t(RULES.quoted, { value: String(alt.const) }) : ruleOf({ type: schema.type, ...alt })));
    return alternatives.join(t(RULES.alternatives));
  }
  if ("const" in schema) return t(RULES.always, { value: String(schema.const) });
  if (Array.isArray(schema.enum)) return t(RULES.oneOf, { values: schema.enum.map(String).join(lang() === "en" ? ", " : "、") });
  const types = typesOf(schema);
  if (schema.format === "date") return t(RULES.date);
  if (schema.format === "date-time") return t(RULES.dateTime);
  if (typeof schema.pattern === "string") {
    if (schema.pattern === unifiedSocialCreditCode.pattern) return t(RULES.uscc);
    if (schema.pattern === idNumber.pattern) return t(RULES.idNumber);
    if (schema.pattern === "^[0-9a-f]{64}$") return t(RULES.digest);
    return t(RULES.pattern, { pattern: schema.pattern });
  }
  if (types.includes("integer") || types.includes("number")) {
    const base = t(types.includes("integer") ? RULES.integer : RULES.number);
    const min = schema.minimum as number | undefined;
    const max = schema.maximum as number | undefined;
    const bounded = max !== undefined && max < Number.MAX_SAFE_INTEGER;
    if (min !== undefined && bounded) return base + t(RULES.range, { min, max: max! });
    if (min !== undefined && min !== 0) return base + t(RULES.atLeast, { min });
    if (bounded) return base + t(RULES.atMost, { max: max! });
    return base;
  }
  if (types.includes("boolean")) return t(RULES.boolean);
  if (types.includes("array")) {
    if (isObject(schema.items) && objectFields(schema.items as JsonSchema)) return t(RULES.entries, { n: String(schema.minItems ?? schema.maxItems ?? 1) });
    const max = typeof schema.maxItems === "number" ? t(RULES.listMax, { max: schema.maxItems }) : "";
    return t(RULES.list) + max;
  }
  if (typeof schema.maxLength === "number") return t(RULES.text, { max: schema.maxLength });
  return t(RULES.textAny);
}

const REASONS = {
  required: { "zh-CN": "必填：此列缺失或此格为空", en: "required: the column is missing or the cell is empty" },
  invalid: { "zh-CN": "“{value}” 不符合要求，应填：{rule}", en: '"{value}" is not accepted here; expected {rule}' },
  invalidWhole: { "zh-CN": "填写不符合要求，应填：{rule}", en: "not accepted here; expected {rule}" },
  unreadable: { "zh-CN": "这一行无法读取", en: "this row could not be read" },
} satisfies Record<string, Text>;

/** The schema node at a JSON pointer into the claims (`/spouses/0/name`), if the schema has one. */
export function schemaAtPointer(type: CertificateType, pointer: string): JsonSchema | undefined {
  let node: JsonSchema | undefined = type.schema;
  for (const segment of pointer.split("/").slice(1)) {
    if (node === undefined) return undefined;
    if (typesOf(node).includes("array") && /^\d+$/.test(segment)) node = isObject(node.items) ? (node.items as JsonSchema) : undefined;
    else node = objectFields(node)?.[segment];
  }
  return node;
}

function valueAtPointer(value: unknown, pointer: string): unknown {
  let node: any = value;
  for (const segment of pointer.split("/").slice(1)) {
    if (node === undefined || node === null || typeof node !== "object") return undefined;
    node = node[segment];
  }
  return node;
}

const snippet = (value: unknown): string => {
  const text = cellOf(value).replace(/\s+/g, " ");
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
};

/**
 * Why a cell was refused, for people: "required", or the value and what the column wants, never
 * the validator's own wording (`must match format "date"`).
 */
export function reasonOf(type: CertificateType, claims: unknown, pointer: string): string {
  if (pointer === "") return t(REASONS.unreadable);
  const value = valueAtPointer(claims, pointer);
  if (value === undefined || value === "") return t(REASONS.required);
  const schema = schemaAtPointer(type, pointer);
  const rule = schema ? ruleOf(schema) : t(RULES.textAny);
  return typeof value === "object" ? t(REASONS.invalidWhole, { rule }) : t(REASONS.invalid, { value: snippet(value), rule });
}

/** The header a clerk sees for a claim pointer: the column as the file names it, else its label. */
export function columnLabelOf(type: CertificateType, pointer: string, headerOf: (key: string) => string | undefined): string {
  const key = pointer.split("/").slice(1).join(".");
  const own = headerOf(key);
  if (own !== undefined) return own;
  const column = claimColumns(type).find((c) => c.key === key);
  if (column) return column.label[lang()];
  const top = key.split(".")[0];
  const label = type.claims[top];
  return label ? `${label[lang()]}${key.slice(top.length)}` : key;
}
