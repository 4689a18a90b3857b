import { CONNECTION_OPTIONS, connectionHelp, parse } from "./args";
import type { Command } from "./command";
import { connect } from "./connection";
import { t, type Text } from "./i18n";
import { EXIT, UsageError, out, printJson } from "./output";

const HELP: Text = {
  en: `Usage: certchain erase <certificate id> [--json]   (root authority)

Erases a certificate's personal data (the right to deletion of the Personal Information
Protection Law): its claims and disclosures are crypto-shredded, their data key destroyed, and
no copy stays in the service's data directory. Its id, anchor and status remain, the audit log
records the erasure, and the file the holder keeps still verifies. This cannot be undone.
Uses the root authority's token (with --demo, the demo's root token).

{connection}`,
  "zh-CN": `用法：certchain erase <证照编号> [--json]   （根管理机构）

删除证照中的个人信息（个人信息保护法规定的删除权）：销毁其数据密钥，使其声明和披露内容无法再解密，
服务的数据目录中不留任何副本。证照编号、上链记录和状态保留，审计日志记录此次删除，持证人保存的文件仍可核验。
此操作不可恢复。使用根管理机构的令牌（使用演示文件时为其中的根令牌）。

{connection}`,
};

const M = {
  oneId: { en: "give exactly one certificate id: certchain erase <id>", "zh-CN": "请给出一个证照编号：certchain erase <编号>" },
  erased: { en: "erased the personal data of {id} ({time}); its anchor and status ({status}) remain", "zh-CN": "已删除 {id} 的个人信息（{time}）；上链记录和状态（{status}）保留" },
} satisfies Record<string, Text>;

export const eraseCommand: Command = {
  name: "erase",
  get help() {
    return t(HELP, { connection: connectionHelp() });
  },
  async run(argv) {
    const { values, positionals } = parse("erase", argv, { ...CONNECTION_OPTIONS, json: { type: "boolean" } });
    if (positionals.length !== 1) throw new UsageError(t(M.oneId));
    const { client } = connect({ ...values, agency: undefined }, { kind: "root" });
    const id = positionals[0];
    const result = await client.post<{ id: string; status: string; erasedAt: string }>(`/v1/certificates/${encodeURIComponent(id)}/erase`, {});
    if (values.json) printJson(result);
    else out(t(M.erased, { id: result.id, time: result.erasedAt, status: result.status }));
    return EXIT.OK;
  },
};
