import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./output";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Options every command accepts: where the API is and who is calling. */
export const CONNECTION_OPTIONS = {
  api: { type: "string" },
  token: { type: "string" },
  demo: { type: "string" },
  agency: { type: "string" },
} as const satisfies Options;

export const CONNECTION_HELP = `Connection (every command):
  --api <url>        API base URL            [env CERTCHAIN_API_URL]
  --token <jwt>      bearer token            [env CERTCHAIN_TOKEN]
  --demo <file|dir>  read the API URL, chain and tokens from <data dir>/demo.json written by
                     \`npm start\`           [env CERTCHAIN_DEMO]
  --agency <slug>    with --demo: use this agency's token (default: the one accredited for
                     the certificate type, when there is exactly one)`;

export const wantsHelp = (argv: readonly string[]): boolean => argv.some((a) => a === "--help" || a === "-h");

/**
 * util.parseArgs with its errors turned into one-line usage errors that name the command.
 * Unknown options are refused (strict), so a misspelt `--reson` never passes silently.
 */
export function parse<O extends Options>(command: string, argv: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals });
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument starting with a '-'.*$/s, "");
    throw new UsageError(`${message} (see: certchain ${command} --help)`);
  }
}

/** An integer option within bounds, or a usage error naming it. */
export function intOption(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return value;
}
