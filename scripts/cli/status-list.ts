import { deflateSync } from "node:zlib";
import {
  STATUS_LIST_BITS,
  STATUS_LIST_CAPACITY,
  agencyIdOf,
  createRegistryReader,
  inflateStatusList,
  packStatusList,
  parseStatusListToken,
  statusAt,
  statusListEntriesFromChain,
} from "@certchain/sdk";
import { base64urlEncode } from "@certchain/sdk/internal";
import { CONNECTION_OPTIONS, intOption, parse } from "./args";
import type { Command } from "./command";
import { optionalApiUrl, registryHelp, REGISTRY_OPTIONS, trustedRegistries } from "./connection";
import { t, type Text } from "./i18n";
import { EXIT, UsageError, out, printJson, renderTable } from "./output";

const HELP: Text = {
  en: `Usage: certchain status-list rebuild --agency <slug> [--list <n>] [--published <url>] [--json]

Rebuilds an agency's Token Status List from the chain alone: the status-list index each status
change carried (StatusListIndexed events) and each certificate's current state on the registry.
Prints the entries that are not valid (1 revoked, 2 suspended) and the list's compressed form
(lst, zlib level 9), then compares it with the list the service publishes (from --published, or
<api>/status-lists/<slug>/<n> with --api or the demo file): "identical", or every entry on which
they disagree (STATUS_LIST_STALE). Verifiers never follow the list; this shows whether it lags or lies.

  --agency <slug>     whose list
  --list <n>          which list (2^20 entries each) [0]
  --published <url>   the published Status List Token to compare with
  --json              the result as JSON

{registry}

Exit status: 0 the published list agrees (or none was read), 1 it disagrees or cannot be read, 2 usage error.`,
  "zh-CN": `用法：certchain status-list rebuild --agency <机关标识> [--list <编号>] [--published <地址>] [--json]

只凭区块链重建某机关的令牌状态列表：每次状态变更所带的状态列表序号（StatusListIndexed 事件），
以及登记簿上每张证照的当前状态。列出非有效的条目（1 已撤销，2 已暂停）和列表的压缩形式（lst，
zlib 9 级），再与服务公布的列表比较（--published 给出的地址，或有 --api / 演示文件时的
<api>/status-lists/<机关>/<编号>）：结果为“完全一致”，或列出每个不一致的条目（STATUS_LIST_STALE）。
核验方从不依据该列表；本命令用于查明它是否滞后或有误。

  --agency <机关标识>  哪个机关的列表
  --list <编号>        第几个列表（每个 2^20 条）[0]
  --published <地址>   要比较的已公布状态列表令牌
  --json               以 JSON 输出

{registry}

退出码：0 公布的列表一致（或未读取），1 不一致或无法读取，2 用法错误。`,
};

const M = {
  noAgency: { en: "missing --agency <slug> (see: certchain status-list --help)", "zh-CN": "缺少 --agency <机关标识>（见：certchain status-list --help）" },
  use: { en: "use: certchain status-list rebuild --agency <slug> (see --help)", "zh-CN": "用法：certchain status-list rebuild --agency <机关标识>（见 --help）" },
  headers: { en: "INDEX|STATUS", "zh-CN": "序号|状态" },
  revoked: { en: "revoked", "zh-CN": "已撤销" },
  suspended: { en: "suspended", "zh-CN": "已暂停" },
  valid: { en: "valid", "zh-CN": "有效" },
  summary: { en: "{n} entries not valid in list {list} of {agency}, rebuilt from the chain up to block {block}", "zh-CN": "{agency} 第 {list} 号列表中非有效条目 {n} 个，依据区块链重建（至第 {block} 块）" },
  lst: { en: "lst (bits {bits}): {lst}", "zh-CN": "lst（每条 {bits} 位）：{lst}" },
  identical: { en: "the published list is identical: same entries, same lst", "zh-CN": "公布的列表完全一致：条目相同，lst 相同" },
  sameEntries: { en: "the published list has the same entries (its lst is compressed differently)", "zh-CN": "公布的列表条目相同（lst 的压缩方式不同）" },
  stale: { en: "STATUS_LIST_STALE: the published list disagrees with the chain on {n} entries:", "zh-CN": "STATUS_LIST_STALE：公布的列表有 {n} 个条目与区块链不一致：" },
  staleHeaders: { en: "INDEX|CHAIN|PUBLISHED", "zh-CN": "序号|区块链|公布的列表" },
  unreadable: { en: "the published list {url} could not be read: {why}", "zh-CN": "无法读取公布的列表 {url}：{why}" },
  noPublished: { en: "no published list to compare with (give --published or --api)", "zh-CN": "没有可比较的公布列表（请给出 --published 或 --api）" },
} satisfies Record<string, Text>;

const word = (value: number | undefined) => (value === 1 ? t(M.revoked) : value === 2 ? t(M.suspended) : t(M.valid));

async function rebuild(argv: string[]): Promise<number> {
  const { values, positionals } = parse("status-list rebuild", argv, {
    ...CONNECTION_OPTIONS,
    ...REGISTRY_OPTIONS,
    list: { type: "string" },
    published: { type: "string" },
    json: { type: "boolean" },
  });
  if (positionals.length > 0) throw new UsageError(t(M.use));
  if (!values.agency) throw new UsageError(t(M.noAgency));
  const slug = values.agency;
  const list = intOption("list", values.list, 0, 0, 4095);
  const [registry] = await trustedRegistries({ ...values, agency: undefined });
  const reader = createRegistryReader(registry);

  // The chain's view: the same derivation the service runs.
  const block = await (reader.blockNumber());
  const all = await statusListEntriesFromChain(reader, agencyIdOf(slug));
  const offset = list * STATUS_LIST_CAPACITY;
  const entries = [...all].filter(([index]) => index >= offset && index < offset + STATUS_LIST_CAPACITY).sort(([a], [b]) => a - b);
  const lst = base64urlEncode(deflateSync(packStatusList(entries.map(([index, value]) => [index - offset, value] as const)), { level: 9 }));

  const api = optionalApiUrl(values);
  const url = values.published ?? (api ? `${api.replace(/\/+$/, "")}/status-lists/${encodeURIComponent(slug)}/${list}` : undefined);
  let comparison: { url: string; identical: boolean; differences: { index: number; chain: number; published: number | undefined }[] } | { url: string; error: string } | undefined;
  if (url) {
    try {
      const response = await fetch(url, { headers: { accept: "application/statuslist+jwt" }, signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const token = parseStatusListToken(await response.text());
      const published = token.payload.status_list as { bits: number; lst: string };
      const bytes = await inflateStatusList(published.lst);
      const expected = new Map(entries.map(([index, value]) => [index - offset, value]));
      const differences: { index: number; chain: number; published: number | undefined }[] = [];
      const entriesPerByte = 8 / published.bits;
      for (let position = 0; position < Math.max(bytes.length * entriesPerByte, STATUS_LIST_CAPACITY); position++) {
        const listed = statusAt(bytes, position, published.bits);
        const chain = expected.get(position) ?? 0;
        if ((listed ?? 0) !== chain) differences.push({ index: offset + position, chain, published: listed });
      }
      comparison = { url, identical: published.lst === lst && published.bits === STATUS_LIST_BITS, differences };
    } catch (error) {
      comparison = { url, error: error instanceof Error ? error.message : String(error) };
    }
  }

  const agrees = comparison === undefined || ("differences" in comparison && comparison.differences.length === 0);
  if (values.json) {
    printJson({ agency: slug, list, block, bits: STATUS_LIST_BITS, lst, entries: entries.map(([index, value]) => ({ index, status: value })), published: comparison ?? null, agrees });
    return agrees ? EXIT.OK : EXIT.FAILED;
  }
  out(t(M.summary, { n: entries.length, list, agency: slug, block }));
  if (entries.length > 0) out(renderTable(t(M.headers).split("|"), entries.map(([index, value]) => [String(index), word(value)])));
  out(t(M.lst, { bits: STATUS_LIST_BITS, lst: lst.length > 80 ? `${lst.slice(0, 77)}…` : lst }));
  if (!comparison) out(t(M.noPublished));
  else if ("error" in comparison) out(t(M.unreadable, { url: comparison.url, why: comparison.error }));
  else if (comparison.differences.length === 0) out(t(comparison.identical ? M.identical : M.sameEntries));
  else {
    out(t(M.stale, { n: comparison.differences.length }));
    out(renderTable(t(M.staleHeaders).split("|"), comparison.differences.slice(0, 50).map((d) => [String(d.index), word(d.chain), word(d.published)])));
  }
  return agrees && !(comparison && "error" in comparison) ? EXIT.OK : EXIT.FAILED;
}

export const statusListCommand: Command = {
  name: "status-list",
  get help() {
    return t(HELP, { registry: registryHelp() });
  },
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === "rebuild") return rebuild(rest);
    throw new UsageError(t(M.use));
  },
};
