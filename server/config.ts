import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Hex } from "@certchain/sdk";
import { FINALITIES, isFinality, type Finality } from "./domain/finality";
import { isSealCipher, SEAL_CIPHERS, type SealCipher } from "./domain/seal-cipher";

/** One setting: environment variable, config-file key, default, and what it does. */
interface Setting {
  env: string;
  key: keyof Config;
  parse: (raw: string) => unknown;
  fallback: unknown;
  help: string;
}

export interface Config {
  /** NODE_ENV=production or `--production`: no demo, and published secrets are refused (productionProblems). */
  production: boolean;
  port: number;
  host: string;
  /**
   * Where the service is reachable (https in production): every credential's `iss`, new types'
   * `vct`s, status lists, and what pending envelopes name for their proofs. Default `http://<host>:<port>`.
   */
  publicUrl: string;
  dataDir: string;
  /** External chain; when absent a local Hardhat node is started. */
  chainRpcUrl?: string;
  devChainPort: number;
  /** Mnemonic of the root authority's account (index 0). Agencies' operator accounts have keys of their own. */
  chainMnemonic: string;
  passphrase: string;
  /** Where the passphrase was read from (CERTCHAIN_PASSPHRASE_FILE), if from a file. */
  passphraseFile?: string;
  /** Whether PUBLIC_URL was set (it defaults to http://HOST:PORT). */
  publicUrlGiven: boolean;
  /** How new secrets (signing keys, wallets) are sealed at rest; existing ones open whatever they use. */
  sealCipher: SealCipher;
  batchSize: number;
  batchDelayMs: number;
  /** Worker threads that sign batch requests' credentials; 0 signs on the main thread. */
  signingWorkers: number;
  /** Heap growth after a full collection, in per cent of what survived (see limitHeapGrowth); 0 is V8's own. */
  heapGrowingPercent: number;
  confirmations: number;
  /** When an anchor counts: CONFIRMATIONS deep, or at the node's `finalized` block. */
  finality: Finality;
  /** Blocks behind the head within which a reorganisation is followed (anchors re-sent); deeper, a missing root means the chain lost its state. */
  reorgWindow: number;
  rateLimitPerMinute: number;
  /** JOIN_REGISTRY: the address of a registry another site deployed, which this node joins as a further site (never deploying one). */
  joinRegistry?: Hex;
  /** The registry's name in the trust list this node writes (registries.json) and on its pages; default derived from chain id and address. */
  registryName?: string;
  /** Which proxies' X-Forwarded-For is believed (fastify `trustProxy`): false, true, a hop count, or addresses / CIDRs. */
  trustProxy: TrustProxy;
  logLevel: string;
  chainTimeoutMs: number;
  chainTxTimeoutMs: number;
  chainCheckIntervalMs: number;
  devNodeRestartAfterMs: number;
}

const int = (name: string) => (raw: string) => {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return value;
};
const text = (raw: string) => raw;

/** Hardhat's published development mnemonic: its accounts are funded on every `hardhat node`. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";
export const DEV_PASSPHRASE = "certchain-development-passphrase";

const SETTINGS: Setting[] = [
  { env: "PORT", key: "port", parse: int("PORT"), fallback: 3000, help: "HTTP port of the API" },
  { env: "HOST", key: "host", parse: text, fallback: "127.0.0.1", help: "interface to listen on" },
  {
    env: "PUBLIC_URL",
    key: "publicUrl",
    parse: publicUrl,
    fallback: undefined,
    help: "https URL (origin and path) clients reach the service at: every credential's iss, new types' vct, pending envelopes' proof service [http://HOST:PORT]",
  },
  { env: "DATA_DIR", key: "dataDir", parse: text, fallback: "./data", help: "LevelDB, keys, chain journal, demo.json" },
  { env: "CHAIN_RPC_URL", key: "chainRpcUrl", parse: text, fallback: undefined, help: "external EVM JSON-RPC URL (default: start a local Hardhat node)" },
  { env: "DEV_CHAIN_PORT", key: "devChainPort", parse: int("DEV_CHAIN_PORT"), fallback: 8545, help: "port of the local Hardhat node" },
  { env: "CHAIN_MNEMONIC", key: "chainMnemonic", parse: text, fallback: DEV_MNEMONIC, help: "the root authority's account (index 0) [Hardhat's published mnemonic; refused in production]" },
  { env: "CHAIN_MNEMONIC_FILE", key: "chainMnemonicFile" as keyof Config, parse: text, fallback: undefined, help: "a file holding CHAIN_MNEMONIC (container secrets, systemd credentials)" },
  { env: "CERTCHAIN_PASSPHRASE", key: "passphrase", parse: text, fallback: DEV_PASSPHRASE, help: "seals signing keys, operator keys and the token secret at rest [a development passphrase; refused in production]" },
  { env: "CERTCHAIN_PASSPHRASE_FILE", key: "passphraseFile", parse: text, fallback: undefined, help: "a file holding the passphrase (container secrets, systemd credentials: $CREDENTIALS_DIRECTORY/…)" },
  { env: "SEAL_CIPHER", key: "sealCipher", parse: sealCipher, fallback: "aes-256-gcm", help: `how new keys are encrypted at rest: ${SEAL_CIPHERS.join(" or ")} (国密)` },
  { env: "BATCH_SIZE", key: "batchSize", parse: int("BATCH_SIZE"), fallback: 10_000, help: "certificates per anchored batch, at most" },
  { env: "BATCH_DELAY_MS", key: "batchDelayMs", parse: int("BATCH_DELAY_MS"), fallback: 2_000, help: "longest wait before a batch is anchored" },
  { env: "SIGNING_WORKERS", key: "signingWorkers", parse: int("SIGNING_WORKERS"), fallback: Math.max(1, os.availableParallelism() - 1), help: "worker threads signing batch requests (0: the main thread) [cores - 1, at least 1]" },
  { env: "HEAP_GROWING_PERCENT", key: "heapGrowingPercent", parse: int("HEAP_GROWING_PERCENT"), fallback: 50, help: "how far the heap grows after each full garbage collection, in per cent of what survived (0: V8's own, up to 4x); no ceiling either way" },
  { env: "CHAIN_TIMEOUT_MS", key: "chainTimeoutMs", parse: int("CHAIN_TIMEOUT_MS"), fallback: 4_000, help: "deadline of every chain request; a silent chain answers 503 CHAIN_UNAVAILABLE after it" },
  { env: "CHAIN_TX_TIMEOUT_MS", key: "chainTxTimeoutMs", parse: int("CHAIN_TX_TIMEOUT_MS"), fallback: 60_000, help: "longest wait for a sent transaction to be mined" },
  { env: "CHAIN_CHECK_INTERVAL_MS", key: "chainCheckIntervalMs", parse: int("CHAIN_CHECK_INTERVAL_MS"), fallback: 30_000, help: "how often the chain's identity (chain id, registry code, latest anchors) is checked" },
  { env: "DEV_NODE_RESTART_AFTER_MS", key: "devNodeRestartAfterMs", parse: int("DEV_NODE_RESTART_AFTER_MS"), fallback: 15_000, help: "a local node silent this long is killed, restarted and rebuilt from the journal" },
  { env: "CONFIRMATIONS", key: "confirmations", parse: int("CONFIRMATIONS"), fallback: 1, help: "blocks an anchor waits for (its block and those over it) before it is read back and reported anchored" },
  { env: "FINALITY", key: "finality", parse: finality, fallback: "confirmations", help: `when an anchor counts: ${FINALITIES.join(" or ")} (the node's \`finalized\` block tag)` },
  { env: "REORG_WINDOW", key: "reorgWindow", parse: int("REORG_WINDOW"), fallback: 64, help: "blocks behind the head in which reorganisations are followed and dropped anchors sent again; a root missing deeper is CHAIN_STATE_MISMATCH" },
  { env: "RATE_LIMIT_PER_MINUTE", key: "rateLimitPerMinute", parse: int("RATE_LIMIT_PER_MINUTE"), fallback: 3000, help: "requests per token (or IP) per minute; 0 disables" },
  {
    env: "JOIN_REGISTRY",
    key: "joinRegistry",
    parse: registryAddress,
    fallback: undefined,
    help: "a further site: the address of the registry another site deployed on CHAIN_RPC_URL; this node serves agencies of its own there, from accounts of its own (the first site grants its root account with POST /v1/sites)",
  },
  {
    env: "REGISTRY_NAME",
    key: "registryName",
    parse: text,
    fallback: undefined,
    help: "the registry's name in the trust list this node writes (DATA_DIR/registries.json) and on its pages, e.g. the city [certchain <chain id>:<registry address>]",
  },
  {
    env: "TRUST_PROXY",
    key: "trustProxy",
    parse: trustProxy,
    fallback: false,
    help: "behind a load balancer: the client is the X-Forwarded-For address (rate limits and logs per client): true, a hop count, or the proxies' addresses / CIDRs, comma-separated",
  },
  { env: "LOG_LEVEL", key: "logLevel", parse: text, fallback: "info", help: "log level (pino, JSON lines on stdout): requests and the chain's events; the banner is always printed" },
];

/**
 * The registry's name in trust lists: REGISTRY_NAME, or one derived from the chain id and the
 * registry's address, so that two cities' lists merge without TRUST_LIST_AMBIGUOUS (same names).
 */
export function registryNameOf(config: Pick<Config, "registryName" | "production">, chainId: number, address: string): string {
  if (config.registryName?.trim()) return config.registryName.trim();
  const where = `${chainId}:${address.toLowerCase()}`;
  return config.production ? `certchain ${where}` : `本地开发链 (local dev chain) ${where}`;
}

function registryAddress(raw: string): Hex {
  if (!/^0x[0-9a-fA-F]{40}$/.test(raw.trim())) throw new Error(`JOIN_REGISTRY must be the registry's 0x address, got ${JSON.stringify(raw)}`);
  return raw.trim() as Hex;
}

/** fastify's `trustProxy`: whose X-Forwarded-For is believed. */
export type TrustProxy = boolean | string | ((address: string, hop: number) => boolean);

/** TRUST_PROXY / --trust-proxy: "false" or "" (the socket's address), "true" (any proxy), a hop count, or addresses / CIDRs. */
export function trustProxy(raw: string): TrustProxy {
  const value = raw.trim();
  if (value === "" || value === "false") return false;
  if (value === "true") return true;
  if (/^\d+$/.test(value)) {
    // A hop count, as Express and fastify read one: the last `hops` proxies in front are believed.
    const hops = Number(value);
    return (_address: string, hop: number) => hop < hops;
  }
  const parts = value.split(",").map((part) => part.trim());
  if (parts.some((part) => !/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(part))) throw new Error(`TRUST_PROXY must be true, false, a hop count or comma-separated proxy addresses / CIDRs, got ${JSON.stringify(raw)}`);
  return parts.join(",");
}

function finality(raw: string): Finality {
  if (!isFinality(raw)) throw new Error(`FINALITY must be ${FINALITIES.join(" or ")}, got ${JSON.stringify(raw)}`);
  return raw;
}

function sealCipher(raw: string): SealCipher {
  if (!isSealCipher(raw)) throw new Error(`SEAL_CIPHER must be ${SEAL_CIPHERS.join(" or ")}, got ${JSON.stringify(raw)}`);
  return raw;
}

/** An absolute http(s) URL without query, fragment or credentials; no trailing slash. */
function publicUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`PUBLIC_URL must be an http(s) base URL such as https://certs.example.gov.cn, got ${JSON.stringify(raw)}`);
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.search || url.hash || url.username || url.password) {
    throw new Error(`PUBLIC_URL must be an http(s) URL without query, fragment or credentials, got ${JSON.stringify(raw)}`);
  }
  return url.href.replace(/\/+$/, "");
}

/** Standard SD-JWT VC verifiers resolve keys only over https; plain http is for this machine alone. */
export const isDevelopmentUrl = (url: string): boolean => /^http:\/\/(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?(?:\/|$)/.test(url);

export const HELP = `Usage: npm start [-- --config <file.json>] [-- --production] [-- --help]

Starts the certchain issuing service. Without CHAIN_RPC_URL it starts a local Hardhat node,
deploys the registry once, seeds demo agencies and prints ready-to-use tokens.

Production (NODE_ENV=production, or --production): no demo agencies; it refuses to start with
the development passphrase, Hardhat's published mnemonic, without CHAIN_RPC_URL, without an
https PUBLIC_URL (http only on a loopback host), or when the data directory is open to other
users. The first start writes the root authority's token once to <DATA_DIR>/root-token (0600).

Settings (environment variable, or the same name in camelCase in the JSON config file;
the environment wins):
${SETTINGS.map((s) => `  ${s.env.padEnd(24)} ${s.help}${s.fallback === undefined ? "" : ` [${s.fallback}]`}`).join("\n")}
`;

/** Reads settings from the environment, over an optional JSON config file, over defaults. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv.slice(2)): Config {
  const at = argv.indexOf("--config");
  const file = at >= 0 ? argv[at + 1] : env.CERTCHAIN_CONFIG;
  let fromFile: Record<string, unknown> = {};
  if (file) {
    if (!existsSync(file)) throw new Error(`config file not found: ${file}`);
    fromFile = JSON.parse(readFileSync(file, "utf8"));
  }
  const config: Record<string, unknown> = {};
  const given = new Set<string>();
  for (const setting of SETTINGS) {
    const raw = env[setting.env] ?? (fromFile[setting.key] === undefined ? undefined : String(fromFile[setting.key]));
    if (raw !== undefined && raw !== "") given.add(setting.env);
    config[setting.key] = raw === undefined || raw === "" ? setting.fallback : setting.parse(raw);
  }
  // Secrets from files: the way container secrets and systemd credentials hand them over.
  for (const [fileSetting, setting, key] of [["CERTCHAIN_PASSPHRASE_FILE", "CERTCHAIN_PASSPHRASE", "passphrase"], ["CHAIN_MNEMONIC_FILE", "CHAIN_MNEMONIC", "chainMnemonic"]] as const) {
    if (!given.has(fileSetting)) continue;
    if (given.has(setting)) throw new Error(`${setting} and ${fileSetting} are both set: give one of them`);
    const file = String(config[fileSetting === "CERTCHAIN_PASSPHRASE_FILE" ? "passphraseFile" : "chainMnemonicFile"]);
    let secret: string;
    try {
      secret = readFileSync(file, "utf8").replace(/\r?\n$/, "");
    } catch (error) {
      throw new Error(`${fileSetting}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    if (secret.length === 0) throw new Error(`${fileSetting}: ${file} is empty`);
    config[key] = secret;
  }
  delete config.chainMnemonicFile;
  config.production = env.NODE_ENV === "production" || argv.includes("--production");
  config.dataDir = path.resolve(config.dataDir as string);
  config.publicUrlGiven = config.publicUrl !== undefined;
  config.publicUrl ??= `http://${config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host}:${config.port}`;
  return config as unknown as Config;
}

/**
 * Why a production start must not go ahead, each with what to do; empty when it may. Checked
 * before anything is written: published secrets open every sealed key (and forge root tokens),
 * the embedded dev chain's accounts are Hardhat's, and a data directory others can read gives
 * them the sealed keys to guess at.
 */
export function productionProblems(config: Config, dataDirOpenToOthers: boolean): string[] {
  const problems: string[] = [];
  if (config.passphrase === DEV_PASSPHRASE) {
    problems.push("the passphrase is the published development one: put a passphrase of your own in a file readable only by the service's user and set CERTCHAIN_PASSPHRASE_FILE=<that file> (or CERTCHAIN_PASSPHRASE)");
  }
  if (config.chainMnemonic.trim().split(/\s+/).join(" ") === DEV_MNEMONIC) {
    problems.push("CHAIN_MNEMONIC is Hardhat's published mnemonic, whose keys anyone has: set CHAIN_MNEMONIC_FILE (or CHAIN_MNEMONIC) to the root authority's own mnemonic, its account funded on the chain");
  }
  if (!config.chainRpcUrl) problems.push("CHAIN_RPC_URL is not set: production runs against an external chain (the embedded Hardhat node is for development); set CHAIN_RPC_URL to its JSON-RPC URL");
  if (!config.publicUrlGiven) {
    problems.push("PUBLIC_URL is not set: set it to the https URL clients reach this service at (every credential names it as its issuer), e.g. PUBLIC_URL=https://certs.example.gov.cn");
  } else if (!config.publicUrl.startsWith("https://") && !isDevelopmentUrl(config.publicUrl)) {
    problems.push(`PUBLIC_URL ${config.publicUrl} is not https: standard verifiers fetch issuer keys only over https; use an https URL (plain http only on a loopback host)`);
  }
  if (dataDirOpenToOthers) problems.push(`the data directory ${config.dataDir} can be read by other users: run \`chmod 700 ${config.dataDir}\` (it holds the sealed keys and the tokens' secret)`);
  return problems;
}

/**
 * What the root authority gives each operator account the node creates (wei), on a development
 * chain only: the embedded one, or outside production a chain whose accounts are Hardhat's
 * published ones (a local `hardhat node` or anvil, which fund them). Undefined elsewhere: on a
 * real chain someone funds the operator accounts the node names.
 */
export function developmentChainFunds(config: Pick<Config, "chainRpcUrl" | "production" | "chainMnemonic">): bigint | undefined {
  const development = !config.chainRpcUrl || (!config.production && config.chainMnemonic.trim().split(/\s+/).join(" ") === DEV_MNEMONIC);
  return development ? 10n * 10n ** 18n : undefined;
}
