import { parseArgs, type ParseArgsConfig } from "node:util";
import { t, type Text } from "./i18n";
import { UsageError } from "./output";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Options every command accepts: where the API is and who is calling. */
export const CONNECTION_OPTIONS = {
  api: { type: "string" },
  token: { type: "string" },
  demo: { type: "string" },
  agency: { type: "string" },
} as const satisfies Options;

const CONNECTION_TEXT: Text = {
  en: `Connection (every command):
  --api <url>        API base URL            [env CERTCHAIN_API_URL]
  --token <jwt>      bearer token            [env CERTCHAIN_TOKEN]
  --demo <file|dir>  read the API URL, chain and tokens from <data dir>/demo.json written by
                     \`npm start\`           [env CERTCHAIN_DEMO]
  --agency <slug>    with the demo file: use this agency's token (default: the one accredited
                     for the certificate type, when there is exactly one)
  Without any of these, inside the repository the demo file of \`npm start\` is found by
  itself: $DATA_DIR/demo.json, else ./data/demo.json of the repository.`,
  "zh-CN": `连接（所有命令通用）：
  --api <网址>       服务地址                [环境变量 CERTCHAIN_API_URL]
  --token <令牌>     访问令牌                [环境变量 CERTCHAIN_TOKEN]
  --demo <文件|目录> 从 \`npm start\` 写出的 <数据目录>/demo.json 读取服务地址、区块链和令牌
                                             [环境变量 CERTCHAIN_DEMO]
  --agency <机关>    使用演示文件时选用该机关的令牌（默认：唯一获准签发该证照类型的机关）
  以上都不给时，在本仓库内会自动找到 \`npm start\` 的演示文件：$DATA_DIR/demo.json，
  否则仓库里的 ./data/demo.json。`,
};

/** The connection options' help, in the current language. */
export const connectionHelp = (): string => t(CONNECTION_TEXT);


export const wantsHelp = (argv: readonly string[]): boolean => argv.some((a) => a === "--help" || a === "-h");

/**
 * util.parseArgs with its errors turned into one-line usage errors that name the command.
 * Unknown options are refused (strict), so a misspelt `--reson` never passes silently.
 */
export function parse<O extends Options>(command: string, argv: string[], options: O, allowPositionals = true) {
  try {
    // allowNegative: boolean options can be turned off (--no-wait).
    return parseArgs({ args: argv, options: { ...options, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals, allowNegative: true });
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument starting with a '-'.*$/s, "");
    throw new UsageError(t(USAGE, { message, command }));
  }
}

const USAGE: Text = { en: "{message} (see: certchain {command} --help)", "zh-CN": "{message}（见：certchain {command} --help）" };
const INT_OPTION: Text = { en: "--{name} must be an integer from {min} to {max}, got {raw}", "zh-CN": "--{name} 应为 {min} 到 {max} 之间的整数，实际是 {raw}" };

/** An integer option within bounds, or a usage error naming it. */
export function intOption(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new UsageError(t(INT_OPTION, { name, min, max, raw: JSON.stringify(raw) }));
  return value;
}
