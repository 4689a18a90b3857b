import { existsSync, writeFileSync } from "node:fs";
import { certificateTypes, findTypeById, type CertificateType } from "@certchain/sdk";
import { parse } from "./args";
import { claimColumns, REQUEST_COLUMN_LABELS, ruleOf } from "./claim-columns";
import type { Command } from "./command";
import { csvLine } from "./csv";
import { lang, t, type Text } from "./i18n";
import { EXIT, UsageError, out, printJson, renderTable } from "./output";

const HELP: Text = {
  en: `Usage: certchain types [--json]
       certchain types show <type> [--template <file.csv>] [--force] [--json]

types                 the certificate types, with the id \`certchain issue --type\` takes
types show <type>     the CSV columns of a type: the header to write (the Chinese or English
                      label, or the claim name), whether it must be filled, its rule in plain
                      words, and an example row
  --template <file>   write a CSV template: the header row and the example row, ready to open
                      in a spreadsheet (replace the example row with your rows)
  --force             overwrite an existing template file
  --json              the same as JSON

Needs no service: the types are part of this program.`,
  "zh-CN": `用法：certchain types [--json]
      certchain types show <类型> [--template <文件.csv>] [--force] [--json]

types                 列出证照类型及其标识（certchain issue --type 用的就是标识）
types show <类型>     某类证照的 CSV 列：表头怎么写（中文或英文标签，或字段名）、是否必填、
                      用通俗语言说明的填写规则，以及一行示例
  --template <文件>   生成 CSV 模板：表头和一行示例，可直接用电子表格打开（把示例行换成要签发的数据）
  --force             覆盖已有的模板文件
  --json              以 JSON 输出

不需要连接服务：证照类型内置在本程序中。`,
};

const M = {
  listHeaders: { "zh-CN": "名称|标识|列数", en: "NAME|ID|COLUMNS" },
  showHint: { "zh-CN": "\n查看某类证照的列和示例：certchain types show <标识>", en: "\nThe columns and an example of a type: certchain types show <id>" },
  unknown: { "zh-CN": "没有 {type} 这种证照类型（可选：{known}）", en: "unknown certificate type {type} (known: {known})" },
  which: { "zh-CN": "请给出证照类型：certchain types show <类型>（可选：{known}）", en: "name the type: certchain types show <type> (known: {known})" },
  use: { "zh-CN": "用法：certchain types 或 certchain types show <类型>（见 --help）", en: "use: certchain types, or certchain types show <type> (see --help)" },
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

const known = () => certificateTypes.map((type) => type.id).join(", ");
const other = () => (lang() === "en" ? "zh-CN" : "en");

function list(json: boolean): number {
  if (json) {
    printJson(certificateTypes.map((type) => ({ id: type.id, names: type.names, columns: claimColumns(type).length })));
    return EXIT.OK;
  }
  out(renderTable(t(M.listHeaders).split("|"), certificateTypes.map((type) => [type.names[lang()], type.id, String(claimColumns(type).length)])));
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

async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub.startsWith("-")) {
    const { values, positionals } = parse("types", argv, { json: { type: "boolean" } });
    if (positionals.length > 0) throw new UsageError(t(M.use));
    return list(Boolean(values.json));
  }
  if (sub !== "show") throw new UsageError(t(M.use));
  const { values, positionals } = parse("types show", rest, { template: { type: "string" }, force: { type: "boolean" }, json: { type: "boolean" } });
  if (positionals.length !== 1) throw new UsageError(t(M.which, { known: known() }));
  const type = findTypeById(positionals[0]) ?? certificateTypes.find((c) => c.names["zh-CN"] === positionals[0] || c.names.en.toLowerCase() === positionals[0].toLowerCase());
  if (!type) throw new UsageError(t(M.unknown, { type: positionals[0], known: known() }));
  return show(type, values);
}

export const typesCommand: Command = {
  name: "types",
  get help() {
    return t(HELP);
  },
  run,
};
