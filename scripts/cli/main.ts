/**
 * `certchain <command> …`: operators issue, notarise and change statuses through the issuing
 * API; verifying departments verify files and links against the chain, without writing code.
 * Each command is one file; this one only dispatches and turns failures into one line.
 */
import { wantsHelp } from "./args";
import type { Command } from "./command";
import { ApiError, apiErrorLine } from "./http-client";
import { detectLang, setLang, t, takeLangOption, type Text } from "./i18n";
import { EXIT, describeError, err, out, printable } from "./output";
import { withIo, type CliIo } from "./run-context";
import { handleInterrupts, restoreTerminal } from "./terminal";

/**
 * Commands are loaded when run: the SDK and its dependencies take a second to load through
 * ts-node, which `certchain --help` and usage mistakes need not pay.
 */
export const COMMANDS: readonly { name: string; summary: Text; load(): Command }[] = [
  { name: "types", summary: { en: "list the certificate types; the CSV columns of one, with a template; add one (root authority)", "zh-CN": "列出证照类型；查看某类的 CSV 列，生成模板；新增类型（根管理机构）" }, load: () => (require("./types") as typeof import("./types")).typesCommand },
  { name: "issue", summary: { en: "issue certificates in bulk from a CSV file", "zh-CN": "按 CSV 文件批量签发证照" }, load: () => (require("./issue") as typeof import("./issue")).issueCommand },
  { name: "verify", summary: { en: "verify certificate files, presentations and share links", "zh-CN": "核验证照文件、展示文件和分享链接" }, load: () => (require("./verify") as typeof import("./verify")).verifyCommand },
  { name: "verifier", summary: { en: "run a read-only verification service over HTTP (--registries)", "zh-CN": "运行只读的证照核验服务（HTTP，--registries 指定认可的登记簿）" }, load: () => (require("./verifier") as typeof import("./verifier")).verifierCommand },
  { name: "print", summary: { en: "print a certificate as a PDF whose QR code verifies against the chain", "zh-CN": "把证照打印成 PDF，二维码可对照区块链核验" }, load: () => (require("./print") as typeof import("./print")).printCommand },
  { name: "notarise", summary: { en: "notarise a file: anchor its digest and get a receipt", "zh-CN": "公证存证：把文件摘要上链并取得回执" }, load: () => (require("./notarise") as typeof import("./notarise")).notariseCommand },
  { name: "verify-file", summary: { en: "check a file against its notarisation receipt", "zh-CN": "用公证回执核对文件是否未被改动" }, load: () => (require("./verify-file") as typeof import("./verify-file")).verifyFileCommand },
  { name: "receipt", summary: { en: "prove a department's use of a certificate from a consent receipt (receipt verify)", "zh-CN": "凭用证凭据证明单位使用了证照（receipt verify）" }, load: () => (require("./receipt") as typeof import("./receipt")).receiptCommand },
  { name: "revoke", summary: { en: "revoke a certificate (final)", "zh-CN": "撤销证照（不可恢复）" }, load: () => (require("./status") as typeof import("./status")).revokeCommand },
  { name: "suspend", summary: { en: "suspend a certificate", "zh-CN": "暂停证照的效力" }, load: () => (require("./status") as typeof import("./status")).suspendCommand },
  { name: "reinstate", summary: { en: "reinstate a suspended certificate", "zh-CN": "恢复已暂停的证照" }, load: () => (require("./status") as typeof import("./status")).reinstateCommand },
  { name: "erase", summary: { en: "erase a certificate's personal data, keeping its anchor and status (root authority)", "zh-CN": "删除证照中的个人信息，保留上链记录和状态（根管理机构）" }, load: () => (require("./erase") as typeof import("./erase")).eraseCommand },
  { name: "offer", summary: { en: "offer a certificate for collection into the holder's wallet (OpenID4VCI link, PIN)", "zh-CN": "把证照发给持证人收取到钱包（OpenID4VCI 收证链接、取证码）" }, load: () => (require("./offer") as typeof import("./offer")).offerCommand },
  { name: "get", summary: { en: "fetch a certificate's envelope (optionally once anchored)", "zh-CN": "取回证照文件（可等到上链后）" }, load: () => (require("./status") as typeof import("./status")).getCommand },
  { name: "agency", summary: { en: "list agencies; add or accredit one (root authority)", "zh-CN": "列出机关；登记新机关或授权签发某类证照（根管理机构）" }, load: () => (require("./agency") as typeof import("./agency")).agencyCommand },
  { name: "status-list", summary: { en: "rebuild an agency's published status list from the chain alone and compare", "zh-CN": "只凭区块链重建机关公布的状态列表并比较" }, load: () => (require("./status-list") as typeof import("./status-list")).statusListCommand },
  { name: "key", summary: { en: "rotate an agency's signing key (root authority)", "zh-CN": "更换机关的签名密钥（根管理机构）" }, load: () => (require("./key") as typeof import("./key")).keyCommand },
  { name: "keys", summary: { en: "export the service's sealed keys to a backup file, or restore one (service stopped)", "zh-CN": "把服务的加密密钥导出为备份文件，或从备份恢复（需先停止服务）" }, load: () => (require("./keys") as typeof import("./keys")).keysCommand },
  { name: "passphrase", summary: { en: "seal every key under a new passphrase (service stopped)", "zh-CN": "用新口令重新加密全部密钥（需先停止服务）" }, load: () => (require("./passphrase") as typeof import("./passphrase")).passphraseCommand },
  { name: "token", summary: { en: "mint a new root authority token into a file (service stopped)", "zh-CN": "签发新的根管理机构令牌并写入文件（需先停止服务）" }, load: () => (require("./token") as typeof import("./token")).tokenCommand },
  { name: "chain", summary: { en: "re-anchor on an external chain that lost its state (service stopped)", "zh-CN": "外部链丢失状态后重新上链（需先停止服务）" }, load: () => (require("./chain") as typeof import("./chain")).chainCommand },
];

const ALIASES: Record<string, string> = { notarize: "notarise", "verify-document": "verify-file" };
// Own properties only: "constructor" or "__proto__" on the command line is an unknown command.
const commandNameOf = (name: string | undefined) => (name !== undefined && Object.hasOwn(ALIASES, name) ? ALIASES[name] : name);

const HELP_TEXT: Text = {
  en: `Usage: certchain <command> [options]     (certchain <command> --help for details)

Commands:
{commands}

Inside the repository, with \`npm start\` running, commands find its ./data/demo.json by
themselves (API address, chain, demo tokens); elsewhere give --api and --token.
Language: --lang zh-CN|en, else CERTCHAIN_LANG or the locale (LANG); Chinese by default.
Environment: CERTCHAIN_API_URL, CERTCHAIN_TOKEN, CERTCHAIN_DEMO (a demo.json written by
\`npm start\`), CERTCHAIN_RPC_URL, CERTCHAIN_REGISTRY, CERTCHAIN_CHAIN_ID, CERTCHAIN_LANG.

Exit status: 0 success, 1 the operation failed (e.g. a certificate is not valid), 2 usage error.`,
  "zh-CN": `用法：certchain <命令> [选项]     （certchain <命令> --help 查看详细说明）

命令：
{commands}

在本仓库内、npm start 运行时，命令会自动找到它写出的 ./data/demo.json（服务地址、区块链、演示令牌）；
在别处请给出 --api 和 --token。
语言：--lang zh-CN|en，否则按 CERTCHAIN_LANG 或系统语言（LANG）；默认中文。
环境变量：CERTCHAIN_API_URL、CERTCHAIN_TOKEN、CERTCHAIN_DEMO（npm start 写出的 demo.json）、
CERTCHAIN_RPC_URL、CERTCHAIN_REGISTRY、CERTCHAIN_CHAIN_ID、CERTCHAIN_LANG。

退出码：0 成功，1 操作未成功（如证照无效），2 用法错误。`,
};

/** The top-level help, in the current language. */
export const help = (): string => t(HELP_TEXT, { commands: COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${t(c.summary)}`).join("\n") });

const UNKNOWN: Text = { en: "certchain: unknown command {name} (commands: {commands})", "zh-CN": "certchain：没有命令 {name}（可用命令：{commands}）" };

/**
 * Runs one command line; returns the exit code. Never throws. Without `io` the run is the
 * process's (bin.js); with it, the run writes to `io`'s streams and reads its environment and
 * working directory, leaving the process's own alone (the tests run the CLI in process so).
 */
export function main(commandLine: string[], io?: CliIo): Promise<number> {
  return io ? withIo(io, () => run(commandLine)) : run(commandLine);
}

/** The CLI as a process: its arguments in, its exit code out (bin.js, and the tests' bundle of it). */
export function runAsProcess(): Promise<void> {
  return main(process.argv.slice(2)).then(
    (code) => void (process.exitCode = code),
    (error: { message?: string } | undefined) => {
      process.stderr.write(`certchain: ${printable(error?.message ? error.message : String(error))}\n`);
      process.exitCode = EXIT.INTERNAL;
    },
  );
}

async function run(commandLine: string[]): Promise<number> {
  let argv: string[];
  try {
    const taken = takeLangOption(commandLine);
    argv = taken.argv;
    setLang(detectLang(taken.flag));
  } catch (error) {
    err(describeError(error).line);
    return EXIT.USAGE;
  }
  handleInterrupts();
  try {
    return await dispatch(argv);
  } finally {
    restoreTerminal();
  }
}

async function dispatch(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? COMMANDS.find((c) => c.name === commandNameOf(rest[0])) : undefined;
    out(topic ? topic.load().help : help());
    return EXIT.OK;
  }
  if (name === "--version" || name === "-v") {
    out(require("../../package.json").version);
    return EXIT.OK;
  }
  const entry = COMMANDS.find((c) => c.name === commandNameOf(name));
  if (!entry) {
    err(t(UNKNOWN, { name: JSON.stringify(name), commands: COMMANDS.map((c) => c.name).join(", ") }));
    return EXIT.USAGE;
  }
  try {
    const command = entry.load();
    if (wantsHelp(rest)) {
      out(command.help);
      return EXIT.OK;
    }
    return await command.run(rest);
  } catch (error) {
    if (error instanceof ApiError) {
      err(`certchain ${entry.name}: ${apiErrorLine(error)}`);
      return EXIT.FAILED;
    }
    const { line, exitCode } = describeError(error);
    err(`certchain ${entry.name}: ${line}`);
    return exitCode;
  }
}
