import { checkCreditCode } from "@certchain/sdk";
import { CONNECTION_OPTIONS, connectionHelp, parse } from "./args";
import type { Command } from "./command";
import { connect } from "./connection";
import { ApiError } from "./http-client";
import { algorithmOption } from "./key";
import { t, type Text } from "./i18n";
import { EXIT, UsageError, out, printJson, renderTable } from "./output";
import { formatTime } from "../../display/time";

const HELP: Text = {
  en: `Usage: certchain agency list [--json]
       certchain agency add <slug> --name <name> --credit-code <code> --type <type> [--type …]
                            [--algorithm EdDSA|ES256|SM2]               (root authority)
       certchain agency accredit <slug> --type <type> [--from <date-time>] [--until <date-time>]   (root authority)
       certchain agency show <slug> [--json]
       certchain agency rename <slug> --name <name> | suspend <slug> | resume <slug> | rotate-operator <slug>   (root authority)

list      the agencies the trust registry knows, with their unified social credit codes and the
          certificate types they may issue
add       register an agency that this service serves from then on: its unified social credit
          code (统一社会信用代码, 18 characters, check character verified: every certificate number
          of the agency carries it), its types, a signing key and an operator account of its own,
          registered on chain (root token). On the dev chain the operator is funded; elsewhere the
          command names the account to fund. --algorithm: the suite of its signing keys (default
          EdDSA; SM2 is SM2 with SM3, 国密)
show      the agency, and how this service serves it: state, operator account, its funds
rename    a new display name, on the registry too
suspend   the agency issues nothing until resumed (its certificates keep verifying); resume
rotate-operator  a new operator account for the agency; the old one is removed from the registry
accredit  accredit an agency for a type (its newest version; or give the vct) from --from
          (default: at once) until --until (default: open-ended). Tokens the agency already
          holds issue the type at once: the registry, not the token, decides the types.

{connection}`,
  "zh-CN": `用法：certchain agency list [--json]
      certchain agency add <机关标识> --name <名称> --credit-code <统一社会信用代码> --type <证照类型> [--type …]
                            [--algorithm EdDSA|ES256|SM2]               （根管理机构）
      certchain agency accredit <机关标识> --type <证照类型> [--from <日期时间>] [--until <日期时间>]   （根管理机构）
      certchain agency show <机关标识> [--json]
      certchain agency rename <机关标识> --name <名称> | suspend <机关标识> | resume <机关标识> | rotate-operator <机关标识>   （根管理机构）

list      列出信任登记簿上的机关及其统一社会信用代码和获准签发的证照类型
add       登记一个由本服务承载的机关：统一社会信用代码（18 位，核对校验码；该机关的每个证照编号都含此代码）、
          获准签发的证照类型、它自己的签名密钥和上链账户，均登记到链上（需根管理机构令牌）。
          开发链上自动为上链账户充值；其他链上命令会给出需要充值的账户；
          --algorithm：其签名密钥的算法（默认 EdDSA；SM2 即 SM2 与 SM3，国密）
show      查看机关及本服务承载它的情况：状态、上链账户及其余额
rename    更改名称（同时写入登记簿）
suspend   暂停该机关签发（已签发的证照仍然有效）；resume 恢复
rotate-operator  为机关更换上链账户；旧账户从登记簿上移除
accredit  授权机关签发某类证照（该类型的最新版本；也可给出 vct），自 --from（默认：立即）
          至 --until（默认：长期）。机关已有的令牌立即可以签发：签发哪些类型由登记簿决定，而非令牌。

{connection}`,
};

const M = {
  headers: { en: "SLUG|NAME|CREDIT CODE|TYPES|KEYS", "zh-CN": "标识|名称|统一社会信用代码|证照类型|密钥数" },
  noCreditCode: { en: "missing --credit-code <the agency's 18-character unified social credit code>", "zh-CN": "缺少 --credit-code <机关的 18 位统一社会信用代码>" },
  badCreditCode: {
    en: "--credit-code {code}: a unified social credit code is 18 characters of 0-9 and A-Y without I, O, S and V, the 3rd to 8th digits",
    "zh-CN": "--credit-code {code}：统一社会信用代码为 18 位，由数字和除 I、O、S、V、Z 外的大写字母组成，第 3 至 8 位为数字",
  },
  creditCodeCheck: { en: "--credit-code {code}: the check character (the 18th) is wrong", "zh-CN": "--credit-code {code}：校验码（第 18 位）不正确" },
  unexpected: { en: "unexpected argument {arg} (see: certchain agency --help)", "zh-CN": "多余的参数 {arg}（见：certchain agency --help）" },
  giveSlug: { en: "give the new agency's slug: certchain agency add <slug> --name <name> --type <type>", "zh-CN": "请给出新机关的标识：certchain agency add <标识> --name <名称> --type <证照类型>" },
  badSlug: { en: "the slug must be lowercase letters, digits and hyphens, got {slug}", "zh-CN": "标识只能由小写字母、数字和连字符组成，实际是 {slug}" },
  noName: { en: "missing --name <display name>", "zh-CN": "缺少 --name <名称>" },
  noType: { en: "name at least one certificate type with --type", "zh-CN": "请用 --type 至少给出一种证照类型" },
  registered: { en: "registered agency {slug} ({name}, {code}) for {types}", "zh-CN": "已登记机关 {slug}（{name}，{code}），获准签发 {types}" },
  operator: { en: "operator account: {account}", "zh-CN": "上链账户：{account}" },
  fund: {
    en: "fund it: send the chain's currency to {account} (a transaction needs about {needed} wei); until then its certificates stay pending",
    "zh-CN": "请为其充值：向 {account} 转入链上的币（每笔交易约需 {needed} wei）；在此之前其证照保持待上链状态",
  },
  funded: { en: "funded: balance {balance} wei", "zh-CN": "余额充足：{balance} wei" },
  state: { en: "state on this service: {state}", "zh-CN": "在本服务的状态：{state}" },
  notServed: { en: "not served by this service", "zh-CN": "不由本服务承载" },
  done: { en: "{slug}: {what}", "zh-CN": "{slug}：{what}" },
  giveOne: { en: "give the agency's slug: certchain agency {sub} <slug>", "zh-CN": "请给出机关标识：certchain agency {sub} <标识>" },
  unsupported: {
    en: "agency add is not supported by this service version (it has no POST /v1/agencies); the root authority registers agencies on the registry contract directly",
    "zh-CN": "此版本的服务不支持 agency add（没有 POST /v1/agencies）；请由根管理机构直接在登记簿合约上登记",
  },
  sub: {
    en: "unknown subcommand agency {sub} (use: agency list, add, accredit, show, rename, suspend, resume, rotate-operator)",
    "zh-CN": "没有子命令 agency {sub}（可用：agency list、add、accredit、show、rename、suspend、resume、rotate-operator）",
  },
  use: { en: "use: certchain agency list | add | accredit (see --help)", "zh-CN": "用法：certchain agency list | add | accredit（见 --help）" },
  giveAccredited: { en: "give the agency's slug: certchain agency accredit <slug> --type <type>", "zh-CN": "请给出机关标识：certchain agency accredit <标识> --type <证照类型>" },
  noAccreditType: { en: "missing --type <type id or vct>", "zh-CN": "缺少 --type <证照类型标识或 vct>" },
  badTime: { en: "--{flag} must be an ISO 8601 date-time, got {value}", "zh-CN": "--{flag} 须是 ISO 8601 日期时间，实际是 {value}" },
  accredited: { en: "accredited {agency} for {type} ({vct}) {from}, {until}", "zh-CN": "已授权 {agency} 签发 {type}（{vct}），{from}，{until}" },
  atOnce: { en: "at once", "zh-CN": "立即生效" },
  from: { en: "from {time}", "zh-CN": "自 {time} 起" },
  openEnded: { en: "open-ended", "zh-CN": "长期有效" },
  until: { en: "until {time}", "zh-CN": "至 {time}" },
} satisfies Record<string, Text>;

interface AgencyView {
  service?: { state: string; operator: string; funds?: { balance: string; needed: string; funded: boolean } };
  id: string;
  slug: string;
  name: string;
  creditCode?: string;
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
    out(renderTable(t(M.headers).split("|"), agencies.map((a) => [a.slug, a.name, a.creditCode ?? "", a.types.map(typeName).join(", "), String(a.keyIds.length)])));
  }
  return EXIT.OK;
}

async function add(argv: string[]): Promise<number> {
  const { values, positionals } = parse("agency add", argv, {
    ...CONNECTION_OPTIONS,
    name: { type: "string" },
    "credit-code": { type: "string" },
    type: { type: "string", multiple: true },
    algorithm: { type: "string" },
    json: { type: "boolean" },
  });
  if (positionals.length !== 1) throw new UsageError(t(M.giveSlug));
  const algorithm = algorithmOption(values.algorithm);
  const slug = positionals[0];
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(slug)) throw new UsageError(t(M.badSlug, { slug: JSON.stringify(slug) }));
  if (!values.name) throw new UsageError(t(M.noName));
  const creditCode = values["credit-code"]?.trim().toUpperCase();
  if (!creditCode) throw new UsageError(t(M.noCreditCode));
  const check = checkCreditCode(creditCode);
  if (!check.ok) throw new UsageError(t(check.code === "CREDIT_CODE_CHECK_FAILED" ? M.creditCodeCheck : M.badCreditCode, { code: JSON.stringify(creditCode) }));
  const types = values.type ?? [];
  // The service knows the types (types added through its API too) and refuses unknown ones.
  if (types.length === 0) throw new UsageError(t(M.noType));
  const { client } = connect(values, { kind: "root" });
  try {
    const created = await client.post<AgencyView>("/v1/agencies", { body: { slug, name: values.name, creditCode, types, ...(algorithm ? { algorithm } : {}) } });
    if (values.json) printJson(created);
    else {
      out(t(M.registered, { slug, name: values.name, code: creditCode, types: types.join(", ") }));
      printService(created);
    }
    return EXIT.OK;
  } catch (error) {
    // Services without the route answer 404 NOT_FOUND (or 405): say so instead of a bare 404.
    if (error instanceof ApiError && (error.status === 404 || error.status === 405) && (error.code === "NOT_FOUND" || error.code.startsWith("HTTP_"))) {
      throw new UsageError(t(M.unsupported));
    }
    throw error;
  }
}

/** How the service serves the agency: its operator account, and whether someone must fund it. */
function printService(agency: AgencyView): void {
  if (!agency.service) {
    out(t(M.notServed));
    return;
  }
  out(t(M.state, { state: agency.service.state }));
  out(t(M.operator, { account: agency.service.operator }));
  const funds = agency.service.funds;
  if (funds && !funds.funded) out(t(M.fund, { account: agency.service.operator, needed: funds.needed }));
  else if (funds) out(t(M.funded, { balance: funds.balance }));
}

async function show(argv: string[]): Promise<number> {
  const { values, positionals } = parse("agency show", argv, { ...CONNECTION_OPTIONS, json: { type: "boolean" } });
  if (positionals.length !== 1) throw new UsageError(t(M.giveOne, { sub: "show" }));
  const { client } = connect({ ...values, agency: undefined }, { kind: "none" });
  const agency = await client.get<AgencyView>(`/v1/agencies/${encodeURIComponent(positionals[0])}`);
  if (values.json) printJson(agency);
  else {
    out(`${agency.slug}  ${agency.name}  ${agency.creditCode ?? ""}`);
    printService(agency);
  }
  return EXIT.OK;
}

/** rename, suspend, resume, rotate-operator: one root call each. */
async function change(sub: "rename" | "suspend" | "resume" | "rotate-operator", argv: string[]): Promise<number> {
  const { values, positionals } = parse(`agency ${sub}`, argv, { ...CONNECTION_OPTIONS, name: { type: "string" }, json: { type: "boolean" } });
  if (positionals.length !== 1) throw new UsageError(t(M.giveOne, { sub }));
  if (sub === "rename" && !values.name) throw new UsageError(t(M.noName));
  const { client } = connect({ ...values, agency: undefined }, { kind: "root" });
  const url = `/v1/agencies/${encodeURIComponent(positionals[0])}`;
  const result =
    sub === "rename"
      ? await client.patch<AgencyView>(url, { body: { name: values.name } })
      : await client.post<{ state: string; operator: string }>(`${url}/${sub === "rotate-operator" ? "operator/rotate" : sub}`, {});
  if (values.json) printJson(result);
  else if (sub === "rename") out(t(M.done, { slug: positionals[0], what: (result as AgencyView).name }));
  else if (sub === "rotate-operator") out(t(M.done, { slug: positionals[0], what: t(M.operator, { account: (result as { operator: string }).operator }) }));
  else out(t(M.done, { slug: positionals[0], what: t(M.state, { state: (result as { state: string }).state }) }));
  return EXIT.OK;
}

async function accredit(argv: string[]): Promise<number> {
  const { values, positionals } = parse("agency accredit", argv, { ...CONNECTION_OPTIONS, type: { type: "string" }, from: { type: "string" }, until: { type: "string" }, json: { type: "boolean" } });
  if (positionals.length !== 1) throw new UsageError(t(M.giveAccredited));
  if (!values.type) throw new UsageError(t(M.noAccreditType));
  const time = (raw: string | undefined, flag: string) => {
    if (raw === undefined) return undefined;
    if (!Number.isFinite(Date.parse(raw))) throw new UsageError(t(M.badTime, { flag, value: JSON.stringify(raw) }));
    return new Date(raw).toISOString();
  };
  const body = { type: values.type, ...(values.from ? { validFrom: time(values.from, "from") } : {}), ...(values.until ? { validUntil: time(values.until, "until") } : {}) };
  // --agency would choose whose token to use; here the caller is the root authority.
  const { client } = connect({ ...values, agency: undefined }, { kind: "root" });
  const result = await client.post<{ agency: string; type: string; vct: string; validFrom: string; validUntil: string | null }>(`/v1/agencies/${encodeURIComponent(positionals[0])}/accreditations`, { body });
  if (values.json) printJson(result);
  else {
    const from = values.from ? t(M.from, { time: formatTime(result.validFrom) }) : t(M.atOnce);
    const until = result.validUntil ? t(M.until, { time: formatTime(result.validUntil) }) : t(M.openEnded);
    out(t(M.accredited, { agency: result.agency, type: result.type, vct: result.vct, from, until }));
  }
  return EXIT.OK;
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
    if (sub === "accredit") return accredit(rest);
    if (sub === "show") return show(rest);
    if (sub === "rename" || sub === "suspend" || sub === "resume" || sub === "rotate-operator") return change(sub, rest);
    throw new UsageError(sub ? t(M.sub, { sub }) : t(M.use));
  },
};
