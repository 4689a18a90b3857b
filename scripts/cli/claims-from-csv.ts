import type { TypeFromMetadata, CertificateType, JsonSchema } from "@certchain/sdk";
import { REQUEST_COLUMN_LABELS } from "./claim-columns";
import { lang, t } from "./i18n";
import { UsageError } from "./output";

/**
 * Turns CSV cells into the claims of a certificate type, guided by its JSON Schema: a header is
 * a claim name, or a dotted path into nested claims (`spouses.0.name`, `spouse_a.name`); cells
 * become integers, numbers, booleans or arrays where the schema says so. A cell that cannot be
 * converted is passed on as text, so the schema check reports it at its path instead of the
 * converter guessing. Empty cells are left out (optional claims may stay blank). A header may
 * also be the claim's label, in Chinese or English (名称, 统一社会信用代码, Company name), and a
 * nested one may start with its claim's label (双方当事人.0.name).
 */

/** Columns that are not claims but fields of the issue request (camelCase: claim names are snake_case). */
export const REQUEST_COLUMNS = ["validFrom", "validUntil"] as const;

type Segment = string | number;

interface Column {
  index: number;
  header: string;
  path: Segment[];
  schema: JsonSchema;
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);

const M = {
  theClaims: { "zh-CN": "证照内容", en: "the claims" },
  isList: { "zh-CN": "{where} 是列表：请写成 {where}.0、{where}.1 …", en: "{where} is a list: address its items as {where}.0, {where}.1, …" },
  notField: { "zh-CN": "{where} 没有 {segment} 这一项", en: "{segment} is not a field of {where}" },
  noFields: { "zh-CN": "{where} 没有下级项目", en: "{where} has no fields" },
  noHeader: { "zh-CN": "第 {n} 列没有列名", en: "column {n} has no header" },
  twice: { "zh-CN": "列 {name} 出现了两次", en: "column {name} appears twice" },
  column: { "zh-CN": "列 {name}：{problem}", en: "column {name}: {problem}" },
  overlap: { "zh-CN": "列 {a} 和列 {b} 都在填写 {a}", en: "column {a} and column {b} both set {a}" },
  header: {
    "zh-CN": "CSV 的表头与{type}不符：{problems}（可用的列名见：certchain types show {id}）",
    en: "the CSV header does not fit {type}: {problems} (the columns: certchain types show {id})",
  },
} as const;

/** The schema node a path leads to, or why it leads nowhere. */
function schemaAt(root: JsonSchema, path: string[]): { schema: JsonSchema; path: Segment[] } | string {
  let node: JsonSchema = root;
  const segments: Segment[] = [];
  for (const [depth, segment] of path.entries()) {
    const where = path.slice(0, depth).join(".") || t(M.theClaims);
    if (node.type === "array" || (Array.isArray(node.type) && node.type.includes("array"))) {
      if (!/^(0|[1-9][0-9]{0,3})$/.test(segment)) return t(M.isList, { where });
      segments.push(Number(segment));
      node = (node.items as JsonSchema) ?? {};
    } else if (isObject(node.properties)) {
      const child = Object.prototype.hasOwnProperty.call(node.properties, segment) ? (node.properties as Record<string, JsonSchema>)[segment] : undefined;
      if (!child) return t(M.notField, { where, segment });
      segments.push(segment);
      node = child;
    } else {
      return t(M.noFields, { where });
    }
  }
  return { schema: node, path: segments };
}

const normalise = (text: string) => text.trim().toLowerCase();

/** A header as claim path segments: a label (zh-CN or en) names its claim; nested ones after dots. */
function claimPathOf(type: CertificateType, header: string): string[] {
  const byLabel = new Map<string, string>();
  for (const [name, label] of Object.entries(type.claims)) {
    byLabel.set(normalise(label["zh-CN"]), name);
    byLabel.set(normalise(label.en), name);
  }
  const whole = byLabel.get(normalise(header));
  if (whole) return [whole];
  const [first, ...rest] = header.split(".");
  const path = [byLabel.get(normalise(first)) ?? first];
  // Nested fields by their own labels too (双方当事人.0.姓名), from the type's metadata.
  const labels = (type as Partial<TypeFromMetadata>).claimLabels ?? [];
  for (const segment of rest) {
    const at = path.map((s) => (/^\d+$/.test(s) ? null : s));
    const member = /^\d+$/.test(segment)
      ? undefined
      : labels.find(
          (entry) =>
            entry.path.length === at.length + 1 &&
            at.every((s, i) => s === entry.path[i]) &&
            (normalise(entry.label["zh-CN"]) === normalise(segment) || normalise(entry.label.en) === normalise(segment)),
        )?.path[at.length];
    path.push(typeof member === "string" ? member : segment);
  }
  return path;
}

/** `validFrom` / `validUntil`, by name or by label. */
function requestColumnOf(header: string): (typeof REQUEST_COLUMNS)[number] | undefined {
  const name = (REQUEST_COLUMNS as readonly string[]).includes(header) ? header : undefined;
  if (name) return name as (typeof REQUEST_COLUMNS)[number];
  for (const column of REQUEST_COLUMNS) {
    const label = REQUEST_COLUMN_LABELS[column];
    if (normalise(header) === normalise(label["zh-CN"]) || normalise(header) === normalise(label.en)) return column;
  }
  return undefined;
}

const typesOf = (schema: JsonSchema): string[] => {
  const own = Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === "string" ? [schema.type] : [];
  const alternatives = ["anyOf", "oneOf"].flatMap((k) => (Array.isArray(schema[k]) ? (schema[k] as JsonSchema[]).flatMap(typesOf) : []));
  if ("const" in schema) own.push(typeof schema.const === "number" ? (Number.isInteger(schema.const) ? "integer" : "number") : typeof schema.const);
  return [...new Set([...own, ...alternatives])];
};

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TRUE = new Set(["true", "yes", "y", "1", "是"]);
const FALSE = new Set(["false", "no", "n", "0", "否"]);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** One cell as the schema wants it; text when it cannot be (the schema check will say why). */
export function coerceCell(text: string, schema: JsonSchema): unknown {
  const types = typesOf(schema);
  if (types.length === 0 || types.includes("string")) return text;
  const trimmed = text.trim();
  if (types.includes("integer") && INTEGER.test(trimmed)) {
    const value = Number(trimmed);
    return Number.isSafeInteger(value) ? value : text;
  }
  if (types.includes("number") && NUMBER.test(trimmed)) return Number(trimmed);
  if (types.includes("boolean")) {
    const lower = trimmed.toLowerCase();
    if (TRUE.has(lower)) return true;
    if (FALSE.has(lower)) return false;
  }
  if (types.includes("array")) {
    if (trimmed.startsWith("[")) return parseJson(trimmed);
    const items = (schema.items as JsonSchema | undefined) ?? {};
    return trimmed.split(";").map((part) => coerceCell(part.trim(), items));
  }
  if (types.includes("object") && trimmed.startsWith("{")) return parseJson(trimmed);
  if (types.includes("null") && trimmed.toLowerCase() === "null") return null;
  return text;
}

export interface RowMapper {
  columns: Column[];
  /** Indexes of validFrom / validUntil, when present. */
  request: Partial<Record<(typeof REQUEST_COLUMNS)[number], number>>;
  /** The header as the file writes it for a claim key (`company_name`, `spouses.0.name`), or for validFrom / validUntil. */
  headerOf(key: string): string | undefined;
  /** The issue request of one record (claims possibly invalid: validateClaims decides). */
  toRequest(fields: readonly string[]): { claims: Record<string, unknown>; validFrom?: string; validUntil?: string };
}

/**
 * Checks the header against the type once, before any row: an unknown or duplicate column is a
 * mistake in the file, not in a row.
 */
export function createRowMapper(type: CertificateType, header: readonly string[]): RowMapper {
  const columns: Column[] = [];
  const request: RowMapper["request"] = {};
  const problems: string[] = [];
  const seen = new Set<string>();
  const headers = new Map<string, string>();
  header.forEach((raw, index) => {
    const name = raw.trim();
    if (name === "") return problems.push(t(M.noHeader, { n: index + 1 }));
    const requestColumn = requestColumnOf(name);
    const path = requestColumn ? [requestColumn] : claimPathOf(type, name);
    const key = path.join(".");
    if (seen.has(key)) return problems.push(t(M.twice, { name }));
    seen.add(key);
    if (requestColumn) {
      request[requestColumn] = index;
      headers.set(requestColumn, name);
      return;
    }
    const found = schemaAt(type.schema, path);
    if (typeof found === "string") return problems.push(t(M.column, { name, problem: found }));
    columns.push({ index, header: key, path: found.path, schema: found.schema });
    headers.set(key, name);
  });
  // A claim given whole and also field by field would overwrite itself.
  for (const a of columns) {
    for (const b of columns) {
      if (a !== b && b.header.startsWith(`${a.header}.`)) problems.push(t(M.overlap, { a: headers.get(a.header)!, b: headers.get(b.header)! }));
    }
  }
  if (problems.length > 0) {
    throw new UsageError(t(M.header, { type: type.names[lang()], id: type.id, problems: problems.slice(0, 5).join(lang() === "en" ? "; " : "；") }));
  }

  return {
    columns,
    request,
    headerOf: (key) => headers.get(key),
    toRequest(fields) {
      const claims: Record<string, unknown> = {};
      for (const column of columns) {
        const cell = fields[column.index] ?? "";
        if (cell === "") continue;
        let node: any = claims;
        for (let d = 0; d < column.path.length - 1; d++) {
          const key = column.path[d];
          if (node[key] === undefined) node[key] = typeof column.path[d + 1] === "number" ? [] : {};
          node = node[key];
        }
        node[column.path[column.path.length - 1]] = coerceCell(cell, column.schema);
      }
      compactArrays(claims);
      const result: ReturnType<RowMapper["toRequest"]> = { claims };
      if (request.validFrom !== undefined && fields[request.validFrom]) result.validFrom = fields[request.validFrom].trim();
      if (request.validUntil !== undefined && fields[request.validUntil]) result.validUntil = fields[request.validUntil].trim();
      return result;
    },
  };
}

/** `spouses.1.*` given while `spouses.0.*` is blank would leave a hole; JSON has none. */
function compactArrays(value: unknown): void {
  if (Array.isArray(value)) {
    for (let i = value.length - 1; i >= 0; i--) if (value[i] === undefined) value.splice(i, 1);
    value.forEach(compactArrays);
  } else if (isObject(value)) {
    Object.values(value).forEach(compactArrays);
  }
}
