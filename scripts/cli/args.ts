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

/** What to say when a flag that names one registry is repeated: several are trusted through a file. */
const REPEAT_HINTS: Record<string, string> = {
  rpc: "to trust several registries, list them in a file: --registries <file>",
  registry: "to trust several registries, list them in a file: --registries <file>",
  "chain-id": "to trust several registries, list them in a file: --registries <file>",
};

/**
 * A flag that takes one value, given more than once, is a usage error: parseArgs would keep the
 * last one silently (`certchain verify --rpc A --rpc B` used to trust only B). Flags declared
 * `multiple` (such as `--party`) may repeat.
 */
function refuseRepeats(command: string, options: Options, tokens: readonly { kind: string; name?: string; rawName?: string; value?: string }[]): void {
  const seen = new Map<string, string[]>();
  for (const token of tokens) {
    if (token.kind !== "option" || !token.name || options[token.name]?.multiple) continue;
    seen.set(token.name, [...(seen.get(token.name) ?? []), token.value ?? token.rawName ?? ""]);
  }
  for (const [name, values] of seen) {
    if (values.length < 2) continue;
    const given = options[name]?.type === "string" ? ` (${values.map((v) => JSON.stringify(v)).join(", ")})` : "";
    const hint = REPEAT_HINTS[name] ? `; ${REPEAT_HINTS[name]}` : "";
    throw new UsageError(`--${name} is given ${values.length} times${given} but takes one value${hint} (see: certchain ${command} --help)`);
  }
}

/**
 * util.parseArgs with its errors turned into one-line usage errors that name the command.
 * Unknown options are refused (strict), so a misspelt `--reson` never passes silently, and so is
 * a single-valued option given twice.
 */
export function parse<O extends Options>(command: string, argv: string[], options: O, allowPositionals = true) {
  const all = { ...options, help: { type: "boolean", short: "h" } } as const satisfies Options;
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: all, strict: true, allowPositionals, tokens: true });
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument starting with a '-'.*$/s, "");
    throw new UsageError(`${message} (see: certchain ${command} --help)`);
  }
  refuseRepeats(command, all, parsed.tokens);
  const { tokens: _, ...result } = parsed;
  return result;
}

/** An integer option within bounds, or a usage error naming it. */
export function intOption(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return value;
}
