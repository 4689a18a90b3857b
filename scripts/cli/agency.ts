import { findTypeById } from "@certchain/sdk";
import { CONNECTION_OPTIONS, connectionHelp, parse } from "./args";
import type { Command } from "./command";
import { connect } from "./connection";
import { ApiError } from "./http-client";
import { t, type Text } from "./i18n";
import { EXIT, UsageError, out, printJson, renderTable } from "./output";

const HELP: Text = {
  en: `Usage: certchain agency list [--json]
       certchain agency add <slug> --name <name> --type <type> [--type …]   (root authority)

list  the agencies the trust registry knows, with the certificate types they may issue
add   register an agency on the registry and accredit it for its types (root token)

{connection}`,
  "zh-CN": `用法：certchain agency list [--json]
      certchain agency add <机关标识> --name <名称> --type <证照类型> [--type …]   （根管理机构）

list  列出信任登记簿上的机关及其获准签发的证照类型
add   在登记簿上登记一个机关并授权其签发所列证照类型（需根管理机构令牌）

{connection}`,
};

const M = {
  headers: { en: "SLUG|NAME|TYPES|KEYS", "zh-CN": "标识|名称|证照类型|密钥数" },
  unexpected: { en: "unexpected argument {arg} (see: certchain agency --help)", "zh-CN": "多余的参数 {arg}（见：certchain agency --help）" },
  giveSlug: { en: "give the new agency's slug: certchain agency add <slug> --name <name> --type <type>", "zh-CN": "请给出新机关的标识：certchain agency add <标识> --name <名称> --type <证照类型>" },
  badSlug: { en: "the slug must be lowercase letters, digits and hyphens, got {slug}", "zh-CN": "标识只能由小写字母、数字和连字符组成，实际是 {slug}" },
  noName: { en: "missing --name <display name>", "zh-CN": "缺少 --name <名称>" },
  noType: { en: "name at least one certificate type with --type", "zh-CN": "请用 --type 至少给出一种证照类型" },
  unknownType: { en: "unknown certificate type {type}", "zh-CN": "没有 {type} 这种证照类型" },
  registered: { en: "registered agency {slug} ({name}) for {types}", "zh-CN": "已登记机关 {slug}（{name}），获准签发 {types}" },
  unsupported: {
    en: "agency add is not supported by this service version (it has no POST /v1/agencies); the root authority registers agencies on the registry contract directly",
    "zh-CN": "此版本的服务不支持 agency add（没有 POST /v1/agencies）；请由根管理机构直接在登记簿合约上登记",
  },
  sub: { en: "unknown subcommand agency {sub} (use: agency list, agency add)", "zh-CN": "没有子命令 agency {sub}（可用：agency list、agency add）" },
  use: { en: "use: certchain agency list | certchain agency add (see --help)", "zh-CN": "用法：certchain agency list | certchain agency add（见 --help）" },
} satisfies Record<string, Text>;

interface AgencyView {
  id: string;
  slug: string;
  name: string;
  types: { id: string | null; vct: string | null; typeId: string }[];
  keyIds: string[];
}

async function list(argv: string[]): Promise<number> {
  const { values, positionals } = parse("agency list", argv, { ...CONNECTION_OPTIONS, json: { type: "boolean" } });
  if (positionals.length > 0) throw new UsageError(t(M.unexpected, { arg: positionals[0] }));
  const { client } = connect(values, { kind: "none" });
  const agencies = await client.get<AgencyView[]>("/v1/agencies");
  if (values.json) printJson(agencies);
  else {
    const typeName = (t: AgencyView["types"][number]) => (t.id ? t.id : `${t.typeId.slice(0, 10)}…`);
    out(renderTable(t(M.headers).split("|"), agencies.map((a) => [a.slug, a.name, a.types.map(typeName).join(", "), String(a.keyIds.length)])));
  }
  return EXIT.OK;
}

async function add(argv: string[]): Promise<number> {
  const { values, positionals } = parse("agency add", argv, { ...CONNECTION_OPTIONS, name: { type: "string" }, type: { type: "string", multiple: true }, json: { type: "boolean" } });
  if (positionals.length !== 1) throw new UsageError(t(M.giveSlug));
  const slug = positionals[0];
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(slug)) throw new UsageError(t(M.badSlug, { slug: JSON.stringify(slug) }));
  if (!values.name) throw new UsageError(t(M.noName));
  const types = values.type ?? [];
  if (types.length === 0) throw new UsageError(t(M.noType));
  for (const type of types) if (!findTypeById(type)) throw new UsageError(t(M.unknownType, { type }));
  const { client } = connect(values, { kind: "root" });
  try {
    const created = await client.post<unknown>("/v1/agencies", { body: { slug, name: values.name, types } });
    if (values.json) printJson(created);
    else out(t(M.registered, { slug, name: values.name, types: types.join(", ") }));
    return EXIT.OK;
  } catch (error) {
    // Services without the route answer 404 NOT_FOUND (or 405): say so instead of a bare 404.
    if (error instanceof ApiError && (error.status === 404 || error.status === 405) && (error.code === "NOT_FOUND" || error.code.startsWith("HTTP_"))) {
      throw new UsageError(t(M.unsupported));
    }
    throw error;
  }
}

export const agencyCommand: Command = {
  name: "agency",
  get help() {
    return t(HELP, { connection: connectionHelp() });
  },
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === "list") return list(rest);
    if (sub === "add") return add(rest);
    throw new UsageError(sub ? t(M.sub, { sub }) : t(M.use));
  },
};
