import { existsSync } from "node:fs";
import { notarisationReceipt } from "@certchain/sdk";
import { CONNECTION_OPTIONS, connectionHelp, intOption, parse } from "./args";
import { waitUntilAnchored, type CertificateView } from "./certificates";
import type { Command } from "./command";
import { connect } from "./connection";
import { requireFile, sha256File, sha256Hex, writeFileAtomic } from "./files";
import { t, type Text } from "./i18n";
import { EXIT, UsageError, err, out, printJson } from "./output";
import { startProgress } from "./terminal";

const HELP: Text = {
  en: `Usage: certchain notarise <file> [--party <name> …] [options]

Hashes the file here (SHA-256; the file never leaves this machine), sends the digest and the
metadata to POST /v1/notarisations with a notary office's token, waits until the receipt is
anchored on the chain and writes it to <file>.receipt.json. Check a file against it later
with \`certchain verify-file <file> <file>.receipt.json\`.

Options:
  --party <name>       a party to the document (repeatable; optional)
  --title <text>       the document's title
  --notes <text>       notes recorded in the receipt
  --out <file>         where the receipt goes [<file>.receipt.json]
  --force              overwrite an existing receipt file
  --no-wait            do not wait for the anchor: write the pending receipt (it verifies once
                       its batch is anchored: \`certchain verify\` fetches the proof then)
  --timeout <seconds>  longest wait for the anchor [300]
  --json               print the receipt record as JSON
  --lang <zh-CN|en>    language of the messages [from LANG; Chinese unless English is asked for]

{connection}

Rerunning the same command is safe: the request carries an Idempotency-Key derived from the
digest and metadata, so the service returns the same receipt instead of issuing another.`,
  "zh-CN": `用法：certchain notarise <文件> [--party <当事人> …] [选项]

在本机计算文件的 SHA-256 摘要（文件不会离开本机），用公证处的令牌把摘要和说明发送到
POST /v1/notarisations，等待回执上链，再写到 <文件>.receipt.json。以后可用
\`certchain verify-file <文件> <文件>.receipt.json\` 核对文件是否未被改动。

选项：
  --party <名称>       文件当事人（可重复；可不填）
  --title <文字>       文件标题
  --notes <文字>       记入回执的备注
  --out <文件>         回执写到哪里 [<文件>.receipt.json]
  --force              覆盖已有的回执文件
  --no-wait            不等待上链：写出待上链的回执（批次上链后即可核验，\`certchain verify\` 会取回证明）
  --timeout <秒>       等待上链的最长时间 [300]
  --json               以 JSON 输出回执记录
  --lang <zh-CN|en>    提示语言 [按 LANG 环境变量；默认中文]

{connection}

重复运行同一条命令是安全的：请求带有由摘要和说明决定的幂等键，服务会返回同一份回执，不会重复签发。`,
};

const M = {
  oneFile: { "zh-CN": "请给出一个要公证的文件（见：certchain notarise --help）", en: "give exactly one file to notarise (see: certchain notarise --help)" },
  file: { "zh-CN": "文件", en: "file" },
  exists: { "zh-CN": "{file} 已存在：加 --force 覆盖，或用 --out <文件> 另存", en: "{file} already exists; use --force to overwrite it or --out <file>" },
  anchoring: { "zh-CN": "上链中", en: "anchoring" },
  stillPending: {
    "zh-CN": "回执 {id} 在 {seconds} 秒后仍未上链；已把待上链的回执写到 {file}。稍后用 --force 再运行一次即可取回已上链的回执。",
    en: "the receipt {id} is still pending after {seconds} s; wrote the pending receipt to {file}. Rerun with --force later to fetch the anchored one.",
  },
  notarised: { "zh-CN": "已公证 {file}", en: "notarised {file}" },
  digest: { "zh-CN": "  SHA-256   {digest}", en: "  sha-256   {digest}" },
  size: { "zh-CN": "  大小      {size} 字节", en: "  size      {size} bytes" },
  receipt: { "zh-CN": "  回执      {file}（{id}，{status}）", en: "  receipt   {file} ({id}, {status})" },
  anchored: { "zh-CN": "已上链", en: "anchored" },
  pendingState: { "zh-CN": "待上链", en: "pending" },
  pendingNote: {
    "zh-CN": "  回执待上链：批次上链后即可核验（certchain verify 会向服务取回证明），或用 --force 再运行一次取回已上链的回执",
    en: "  the receipt is pending until its batch is anchored; certchain verify fetches its proof then, or rerun with --force to fetch the anchored receipt",
  },
} satisfies Record<string, Text>;

/** The longest `Prefer: wait` the service honours; anything longer is polled for. */
const PREFER_WAIT_SECONDS = 60;

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse("notarise", argv, {
    ...CONNECTION_OPTIONS,
    party: { type: "string", multiple: true },
    title: { type: "string" },
    notes: { type: "string" },
    out: { type: "string" },
    force: { type: "boolean" },
    wait: { type: "boolean", default: true },
    timeout: { type: "string" },
    json: { type: "boolean" },
  });
  if (positionals.length !== 1) throw new UsageError(t(M.oneFile));
  const file = requireFile(positionals[0], t(M.file));
  const parties = (values.party ?? []).map((p) => p.trim()).filter((p) => p !== "");
  const receiptFile = values.out ?? `${file}.receipt.json`;
  if (existsSync(receiptFile) && !values.force) throw new UsageError(t(M.exists, { file: receiptFile }));
  const timeoutMs = intOption("timeout", values.timeout, 300, 1, 86_400) * 1000;

  const { client } = connect(values, { kind: "agency", type: notarisationReceipt.id });
  const { digest, size } = await sha256File(file);
  const body = { digest, size, ...(parties.length > 0 ? { parties } : {}), ...(values.title ? { title: values.title } : {}), ...(values.notes ? { notes: values.notes } : {}) };
  const idempotencyKey = `certchain-cli-notarise-${sha256Hex(JSON.stringify(body))}`;
  // Refusals come back at once; only then does the wait begin.
  let receipt = await client.post<CertificateView>("/v1/notarisations", { body, idempotencyKey });
  if (values.wait && receipt.status === "pending") {
    const progress = startProgress(t(M.anchoring), 1);
    try {
      // The same request again (same Idempotency-Key: nothing new is issued), asking the service
      // to hold the reply until the receipt is anchored; past 60 s, polling takes over.
      const preferWait = Math.min(PREFER_WAIT_SECONDS, Math.ceil(timeoutMs / 1000));
      receipt = await client.post<CertificateView>("/v1/notarisations", { body, idempotencyKey, prefer: `wait=${preferWait}`, timeoutMs: (preferWait + 30) * 1000 });
      if (receipt.status === "pending" && timeoutMs > preferWait * 1000) {
        const { anchored } = await waitUntilAnchored(client, [receipt.id], { timeoutMs: timeoutMs - preferWait * 1000 });
        if (anchored.length > 0) receipt = anchored[0];
      }
      if (receipt.status !== "pending") progress.increment();
    } finally {
      progress.stop();
    }
  }
  writeFileAtomic(receiptFile, `${JSON.stringify(receipt.envelope, null, 2)}\n`);
  if (values.wait && receipt.status === "pending") {
    err(t(M.stillPending, { id: receipt.id, seconds: timeoutMs / 1000, file: receiptFile }));
    return EXIT.FAILED;
  }

  if (values.json) printJson({ id: receipt.id, status: receipt.status, digest, size, receipt: receiptFile });
  else {
    out(t(M.notarised, { file }));
    out(t(M.digest, { digest }));
    out(t(M.size, { size }));
    out(t(M.receipt, { file: receiptFile, id: receipt.id, status: t(receipt.status === "pending" ? M.pendingState : M.anchored) }));
    if (receipt.status === "pending") out(t(M.pendingNote));
  }
  return EXIT.OK;
}

export const notariseCommand: Command = {
  name: "notarise",
  get help() {
    return t(HELP, { connection: connectionHelp() });
  },
  run,
};
