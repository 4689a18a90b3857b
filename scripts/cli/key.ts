import { CONNECTION_OPTIONS, connectionHelp, parse } from "./args";
import type { Command } from "./command";
import { connect } from "./connection";
import { t, type Text } from "./i18n";
import { EXIT, UsageError, out, printJson } from "./output";

const HELP: Text = {
  en: `Usage: certchain key rotate --agency <slug> [--algorithm EdDSA|ES256|SM2] [--json]   (root authority)

Generates a new signing key for the agency, registers it on chain and retires the old ones.
Certificates signed with the old keys keep verifying. --algorithm chooses the new key's suite
(SM2: SM2 with SM3, 国密); without it the new key is of the current key's suite. Uses the root authority's token (with
--demo, the demo's root token).

{connection}`,
  "zh-CN": `用法：certchain key rotate --agency <机关标识> [--algorithm EdDSA|ES256|SM2] [--json]   （根管理机构）

为该机关生成新的签名密钥，登记到区块链上，并停用旧密钥。用旧密钥签发的证照仍然有效。
--algorithm 选择新密钥的算法（SM2：SM2 与 SM3，国密）；不给出时与现用密钥相同。
使用根管理机构的令牌（使用演示文件时为其中的根令牌）。

{connection}`,
};

const M = {
  sub: { en: "unknown subcommand key {sub} (use: key rotate)", "zh-CN": "没有子命令 key {sub}（可用：key rotate）" },
  use: { en: "use: certchain key rotate --agency <slug>", "zh-CN": "用法：certchain key rotate --agency <机关标识>" },
  unexpected: { en: "unexpected argument {arg}; name the agency with --agency <slug>", "zh-CN": "多余的参数 {arg}；请用 --agency <机关标识> 指定机关" },
  noAgency: { en: "missing --agency <slug>: whose key to rotate", "zh-CN": "缺少 --agency <机关标识>：要更换哪个机关的密钥" },
  newKey: { en: "new signing key of {agency} ({alg}): {key}", "zh-CN": "{agency} 的新签名密钥（{alg}）：{key}" },
  retired: { en: "retired: {keys}", "zh-CN": "已停用：{keys}" },
  none: { en: "no key was retired", "zh-CN": "没有停用任何密钥" },
} satisfies Record<string, Text>;

export const keyCommand: Command = {
  name: "key",
  get help() {
    return t(HELP, { connection: connectionHelp() });
  },
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub !== "rotate") throw new UsageError(sub ? t(M.sub, { sub }) : t(M.use));
    const { values, positionals } = parse("key rotate", rest, { ...CONNECTION_OPTIONS, algorithm: { type: "string" }, json: { type: "boolean" } });
    if (positionals.length > 0) throw new UsageError(t(M.unexpected, { arg: positionals[0] }));
    if (!values.agency) throw new UsageError(t(M.noAgency));
    // --agency names the target here, not whose token to use: the caller is the root authority.
    const algorithm = algorithmOption(values.algorithm);
    const { client } = connect({ ...values, agency: undefined }, { kind: "root" });
    const result = await client.post<{ keyId: string; alg: string; retired: string[] }>(`/v1/agencies/${encodeURIComponent(values.agency)}/keys/rotate`, algorithm ? { body: { algorithm } } : {});
    if (values.json) printJson(result);
    else {
      out(t(M.newKey, { agency: values.agency, alg: result.alg, key: result.keyId }));
      out(result.retired.length ? t(M.retired, { keys: result.retired.join(", ") }) : t(M.none));
    }
    return EXIT.OK;
  },
};

/** The suite named by --algorithm (EdDSA, ES256 or SM2, any case), or undefined when none was given. */
export function algorithmOption(raw: string | undefined): "EdDSA" | "ES256" | "SM2" | undefined {
  if (raw === undefined) return undefined;
  const found = (["EdDSA", "ES256", "SM2"] as const).find((alg) => alg.toLowerCase() === raw.trim().toLowerCase());
  if (!found) throw new UsageError(t(ALGORITHM_TEXT, { alg: JSON.stringify(raw) }));
  return found;
}

const ALGORITHM_TEXT: Text = {
  en: "--algorithm must be EdDSA (Ed25519), ES256 (P-256) or SM2 (国密), got {alg}",
  "zh-CN": "--algorithm 须为 EdDSA（Ed25519）、ES256（P-256）或 SM2（国密），收到 {alg}",
};
