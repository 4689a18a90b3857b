import { existsSync, writeFileSync } from "node:fs";
import type { CertificateType, TypeFromMetadata } from "@certchain/sdk";
import { CONNECTION_OPTIONS, parse } from "./args";
import { claimColumns, REQUEST_COLUMN_LABELS, ruleOf } from "./claim-columns";
import type { Command } from "./command";
import { connect } from "./connection";
import { csvLine } from "./csv";
import { readJson } from "./files";
import type { ApiClient } from "./http-client";
import { lang, t, type Text } from "./i18n";
import { EXIT, UsageError, out, printJson, renderTable } from "./output";
import { findKnownType, knownTypes } from "./service-types";

const HELP: Text = {
  en: `Usage: certchain types [--json]
       certchain types show <type> [--template <file.csv>] [--force] [--json]
       certchain types add <file.json> [--json]   (root authority)

types                 the certificate types, with the id \`certchain issue --type\` takes
types show <type>     the CSV columns of a type: the header to write (the Chinese or English
                      label, or the claim name), whether it must be filled, its rule in plain
                      words, and an example row
  --template <file>   write a CSV template: the header row and the example row, ready to open
                      in a spreadsheet (replace the example row with your rows)
  --force             overwrite an existing template file
  --json              the same as JSON
types add <file>      add a certificate type from a JSON file { "id", "typeCode", "metadata" }:
                      SD-JWT VC Type Metadata without "vct" (the service assigns it), names and
                      claim labels in zh-CN and en, "certchain:claim_order" and the JSON Schema in
                      "certchain:schema". The service stores it, serves it at its vct URL and
                      registers its SHA-256 on chain; the same file again changes nothing, changed
                      metadata for the same id becomes its next version, a bad document is refused
                      with the JSON pointer of each fault. Then: certchain agency accredit

Types are read from their metadata on the service when one is configured (--api, --demo, the
environment, or ./data/demo.json inside the repository): types added through its API are
included. Without a service: the types built into this program.`,
  "zh-CN": `用法：certchain types [--json]
      certchain types show <类型> [--template <文件.csv>] [--force] [--json]
      certchain types add <文件.json> [--json]   （根管理机构）

types                 列出证照类型及其标识（certchain issue --type 用的就是标识）
types show <类型>     某类证照的 CSV 列：表头怎么写（中文或英文标签，或字段名）、是否必填、
                      用通俗语言说明的填写规则，以及一行示例
  --template <文件>   生成 CSV 模板：表头和一行示例，可直接用电子表格打开（把示例行换成要签发的数据）
  --force             覆盖已有的模板文件
  --json              以 JSON 输出
types add <文件>      按 JSON 文件 { "id", "typeCode", "metadata" } 新增证照类型：metadata 是不含
                      "vct" 的 SD-JWT VC 类型元数据（vct 由服务分配），含中英文名称和字段标签、
                      "certchain:claim_order" 和放在 "certchain:schema" 中的 JSON Schema。服务保存它、
                      在其 vct 地址上提供、并把其 SHA-256 登记上链；同一文件再提交不会改变什么，同一
                      标识的元数据若有改动则成为下一版本，不合格的文件会被拒绝并指出每处错误的 JSON 指针。
                      之后：certchain agency accredit

配置了服务时（--api、--demo、环境变量，或仓库内的 ./data/demo.json），证照类型读自服务上的
元数据，包括通过其接口新增的类型；没有服务时，使用本程序内置的证照类型。`,
};

const M = {
  listHeaders: { "zh-CN": "名称|标识|列数", en: "NAME|ID|COLUMNS" },
  showHint: { "zh-CN": "\n查看某类证照的列和示例：certchain types show <标识>", en: "\nThe columns and an example of a type: certchain types show <id>" },
  unknown: { "zh-CN": "没有 {type} 这种证照类型（可选：{known}）", en: "unknown certificate type {type} (known: {known})" },
  which: { "zh-CN": "请给出证照类型：certchain types show <类型>（可选：{known}）", en: "name the type: certchain types show <type> (known: {known})" },
  use: { "zh-CN": "用法：certchain types、certchain types show <类型> 或 certchain types add <文件>（见 --help）", en: "use: certchain types, certchain types show <type> or certchain types add <file> (see --help)" },
  giveFile: { "zh-CN": "请给出类型文件：certchain types add <文件.json>", en: "give the type's file: certchain types add <file.json>" },
  added: { "zh-CN": "证照类型 {id}，第 {version} 版", en: "type {id}, version {version}" },
  title: { "zh-CN": "{name}（{other}），标识 {id}", en: "{name} ({other}), id {id}" },
  columnsIntro: { "zh-CN": "CSV 的列（表头写下面的列名或字段名均可；顺序不限，可选列可以不要）：", en: "CSV columns (the header may use the column name or the field name; any order; optional columns may be left out):" },
  columnHeaders: { "zh-CN": "列名|字段名|必填|规则", en: "COLUMN|FIELD|REQUIRED|RULE" },
  yes: { "zh-CN": "是", en: "yes" },
  no: { "zh-CN": "否", en: "no" },
  validity: {
    "zh-CN": "另有可选列 {from}（validFrom）和 {until}（validUntil）：证照的有效期，带时区的日期时间，如 2030-12-31T23:59:59+08:00",
    en: "Optional columns {from} (validFrom) and {until} (validUntil): the certificate's validity window, date-times with an offset, e.g. 2030-12-31T23:59:59+08:00",
  },
  example: { "zh-CN": "示例（CSV）：", en: "Example (CSV):" },
  templateHint: { "zh-CN": "生成模板：certchain types show {id} --template {file}", en: "Write a template: certchain types show {id} --template {file}" },
  exists: { "zh-CN": "{file} 已存在：加 --force 覆盖，或换一个文件名", en: "{file} already exists; use --force to overwrite it or choose another name" },
  written: {
    "zh-CN": "已写出模板 {file}：表头 {n} 列和一行示例。用电子表格打开，把示例行换成要签发的数据，再运行 certchain issue --type {id} --csv {file}",
    en: "wrote the template {file}: a header of {n} columns and one example row. Open it in a spreadsheet, replace the example row with your rows, then run certchain issue --type {id} --csv {file}",
  },
} satisfies Record<string, Text>;

const other = () => (lang() === "en" ? "zh-CN" : "en");

/** The service's types when one is configured (never a usage error when none is). */
async function typesFor(values: Record<string, unknown>): Promise<readonly TypeFromMetadata[]> {
  let client: ApiClient | undefined;
  try {
    client = connect(values, { kind: "none" }).client;
  } catch {
    client = undefined;
  }
  return (await knownTypes(client)).types;
}

function list(types: readonly TypeFromMetadata[], json: boolean): number {
  if (json) {
    printJson(types.map((type) => ({ id: type.id, vct: type.vct, names: type.names, columns: claimColumns(type).length })));
    return EXIT.OK;
  }
  out(renderTable(t(M.listHeaders).split("|"), types.map((type) => [type.names[lang()], type.id, String(claimColumns(type).length)])));
  out(t(M.showHint));
  return EXIT.OK;
}

/** The header a template writes: labels in the current language. */
const headerOf = (type: CertificateType) => claimColumns(type).map((column) => column.label[lang()]);
const exampleOf = (type: CertificateType) => claimColumns(type).map((column) => column.example);

function show(type: CertificateType, values: { template?: string; force?: boolean; json?: boolean }): number {
  const columns = claimColumns(type);
  if (values.template) {
    if (existsSync(values.template) && !values.force) throw new UsageError(t(M.exists, { file: values.template }));
    // A byte-order mark and CRLF, as spreadsheet programs expect for UTF-8 Chinese text.
    writeFileSync(values.template, `\ufeff${csvLine(headerOf(type))}\r\n${csvLine(exampleOf(type))}\r\n`);
    if (values.json) printJson({ type: type.id, template: values.template, columns: columns.length });
    else out(t(M.written, { file: values.template, n: columns.length, id: type.id }));
    return EXIT.OK;
  }
  if (values.json) {
    printJson({
      id: type.id,
      names: type.names,
      columns: columns.map((c) => ({ column: c.label[lang()], field: c.key, required: c.required, rule: ruleOf(c.schema), example: c.example })),
    });
    return EXIT.OK;
  }
  out(t(M.title, { name: type.names[lang()], other: type.names[other()], id: type.id }));
  out();
  out(t(M.columnsIntro));
  out(renderTable(t(M.columnHeaders).split("|"), columns.map((c) => [c.label[lang()], c.key, t(c.required ? M.yes : M.no), ruleOf(c.schema)])));
  out();
  out(t(M.validity, { from: REQUEST_COLUMN_LABELS.validFrom[lang()], until: REQUEST_COLUMN_LABELS.validUntil[lang()] }));
  out();
  out(t(M.example));
  out(csvLine(headerOf(type)));
  out(csvLine(exampleOf(type)));
  out();
  out(t(M.templateHint, { id: type.id, file: `${type.names[lang()].replace(/\s+/g, "-")}.csv` }));
  return EXIT.OK;
}

async function add(argv: string[]): Promise<number> {
  const { values, positionals } = parse("types add", argv, { ...CONNECTION_OPTIONS, json: { type: "boolean" } });
  if (positionals.length !== 1) throw new UsageError(t(M.giveFile));
  const body = readJson(positionals[0], "the type file");
  const { client } = connect({ ...values, agency: undefined }, { kind: "root" });
  const created = await client.post<{ id: string; vct: string; version: number; metadataUrl: string; integrity: string }>("/v1/types", { body });
  if (values.json) printJson(created);
  else {
    out(t(M.added, { id: created.id, version: created.version }));
    out(`  vct        ${created.vct}`);
    out(`  metadata   ${created.metadataUrl}`);
    out(`  integrity  ${created.integrity}`);
  }
  return EXIT.OK;
}

async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub.startsWith("-")) {
    const { values, positionals } = parse("types", argv, { ...CONNECTION_OPTIONS, json: { type: "boolean" } });
    if (positionals.length > 0) throw new UsageError(t(M.use));
    return list(await typesFor(values), Boolean(values.json));
  }
  if (sub === "add") return add(rest);
  if (sub !== "show") throw new UsageError(t(M.use));
  const { values, positionals } = parse("types show", rest, { ...CONNECTION_OPTIONS, template: { type: "string" }, force: { type: "boolean" }, json: { type: "boolean" } });
  const types = await typesFor(values);
  const known = types.map((type) => type.id).join(", ");
  if (positionals.length !== 1) throw new UsageError(t(M.which, { known }));
  const type = findKnownType(types, positionals[0]);
  if (!type) throw new UsageError(t(M.unknown, { type: positionals[0], known }));
  return show(type, values);
}

export const typesCommand: Command = {
  name: "types",
  get help() {
    return t(HELP);
  },
  run,
};
