import { readFileSync } from "node:fs";
import { consentReceiptLeaf, verifyAnchoredConsentReceipt, type Hex } from "@certchain/sdk";
import { CONNECTION_OPTIONS, parse } from "./args";
import type { Command } from "./command";
import { registryHelp, REGISTRY_OPTIONS, trustedRegistries } from "./connection";
import { requireFile } from "./files";
import { formatTime } from "../../display/time";
import { lang, t, type Text } from "./i18n";
import { EXIT, UsageError, out, printJson } from "./output";

const HELP: Text = {
  en: `Usage: certchain receipt verify <file> [options]

Proves that a department used a citizen's certificate, from a consent receipt (用证记录) and its
Merkle proof alone, without the department's cooperation: the receipt must lead by its proof to
a root that the department's operator anchored on a trusted registry, at or after the use.
Prints who recorded the use, which request (the hash of its signed request object), which
certificates, which fields and when.

<file> is what GET <service>/v1/consent-receipts/<leaf> returns (no token needed) once the
department anchored its receipts: { receipt, anchor: { root, proof, … } }; or { receipt, root, proof }.

Options:
  --json    the result as JSON

{registry}

Exit status: 0 when the receipt is proven, 1 when it is not (not anchored yet, altered, not on a
trusted registry), 2 usage error.`,
  "zh-CN": `用法：certchain receipt verify <文件> [选项]

凭用证凭据（用证记录）和它的默克尔证明，不需要用证单位配合，证明该单位使用了市民的证照：凭据须经
证明通向一个根，这个根由该单位的运营账户在信任的登记簿上锚定，且锚定时间不早于使用时间。
输出记录这次使用的单位、哪个请求（签名请求对象的摘要）、哪些证照、哪些信息以及时间。

<文件> 是用证单位锚定凭据后 GET <服务>/v1/consent-receipts/<leaf> 的返回（无需令牌）：
{ receipt, anchor: { root, proof, … } }；也可以是 { receipt, root, proof }。

选项：
  --json    以 JSON 输出结果

{registry}

退出码：凭据得到证明为 0，未得到证明（尚未锚定、被改动、不在信任的登记簿上）为 1，用法错误为 2。`,
};

const M = {
  usage: { "zh-CN": "用法：certchain receipt verify <文件>（见 certchain receipt --help）", en: "usage: certchain receipt verify <file> (see certchain receipt --help)" },
  what: { "zh-CN": "凭据文件", en: "receipt file" },
  notJson: { "zh-CN": "{file} 不是 JSON：{problem}", en: "{file} is not JSON: {problem}" },
  pending: { "zh-CN": "{file} 中的凭据尚未锚定（没有 anchor）：请等用证单位锚定后再取一次", en: "the receipt in {file} is not anchored yet (no anchor): fetch it again once the department has anchored it" },
} satisfies Record<string, Text>;

/** The receipt, proof and root of a file as the service serves it, or as a supervisor assembles it. */
function partsOf(value: unknown): { receipt: unknown; proof: unknown; root: unknown } | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const anchor = record.anchor as Record<string, unknown> | null | undefined;
  if (anchor && typeof anchor === "object") return { receipt: record.receipt, proof: anchor.proof, root: anchor.root };
  if ("root" in record || "proof" in record) return { receipt: record.receipt, proof: record.proof, root: record.root };
  return undefined;
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse("receipt", argv, { ...CONNECTION_OPTIONS, ...REGISTRY_OPTIONS, json: { type: "boolean" } });
  if (positionals.length !== 2 || positionals[0] !== "verify") throw new UsageError(t(M.usage));
  const file = requireFile(positionals[1], t(M.what));
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new UsageError(t(M.notJson, { file, problem: (error as Error).message }));
  }
  const parts = partsOf(value);
  if (!parts) throw new UsageError(t(M.pending, { file }));
  const registries = await trustedRegistries(values);
  const result = await verifyAnchoredConsentReceipt(parts.receipt, { proof: (Array.isArray(parts.proof) ? parts.proof : []) as Hex[], root: parts.root as Hex, registries });

  if (values.json) printJson({ file, ...result, leaf: result.receipt ? consentReceiptLeaf(result.receipt) : null });
  else {
    const zh = lang() === "zh-CN";
    const line = (en: string, cn: string, text: string) => out(`  ${(zh ? cn : en).padEnd(zh ? 8 : 12)} ${text}`);
    out(`${result.valid ? (zh ? "已证明" : "PROVEN") : zh ? "未证明" : "NOT PROVEN"}  ${file}`);
    if (result.code) line("reason", "原因", `${result.code}: ${result.message}`);
    if (result.department) line("department", "用证单位", `${result.department.name} (${result.department.slug})`);
    if (result.receipt) {
      line("used at", "使用时间", formatTime(new Date(result.receipt.time * 1000).toISOString()));
      line("request", "请求摘要", result.receipt.request);
      for (const credential of result.receipt.credentials) {
        line("certificate", "证照", credential.credential);
        line("fields", "信息", credential.claims.map((path) => path.join(".")).join(zh ? "、" : ", "));
        line("key binding", "持有人签名", credential.key_binding ?? "—");
      }
    }
    if (result.anchoredAt) line("recorded by", "锚定时间", formatTime(result.anchoredAt));
    if (result.registry) line("registry", "登记簿", `${result.registry.name} (chain ${result.registry.chainId}, ${result.registry.address})`);
  }
  return result.valid ? EXIT.OK : EXIT.FAILED;
}

export const receiptCommand: Command = {
  name: "receipt",
  get help() {
    return t(HELP, { registry: registryHelp() });
  },
  run,
};
