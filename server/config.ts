import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
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
  /** Mnemonic of the chain accounts (root authority = index 0, operators after it). */
  chainMnemonic: string;
  passphrase: string;
  /** How new secrets (signing keys, wallets) are sealed at rest; existing ones open whatever they use. */
  sealCipher: SealCipher;
  batchSize: number;
  batchDelayMs: number;
  /** Worker threads that sign batch requests' credentials; 0 signs on the main thread. */
  signingWorkers: number;
  /** Heap growth after a full collection, in per cent of what survived (see limitHeapGrowth); 0 is V8's own. */
  heapGrowingPercent: number;
  confirmations: number;
  rateLimitPerMinute: number;
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
  { env: "CHAIN_MNEMONIC", key: "chainMnemonic", parse: text, fallback: DEV_MNEMONIC, help: "accounts: index 0 root authority, 1.. operators" },
  { env: "CERTCHAIN_PASSPHRASE", key: "passphrase", parse: text, fallback: DEV_PASSPHRASE, help: "encrypts signing keys at rest (default: a development passphrase)" },
  { env: "SEAL_CIPHER", key: "sealCipher", parse: sealCipher, fallback: "aes-256-gcm", help: `how new keys are encrypted at rest: ${SEAL_CIPHERS.join(" or ")} (国密)` },
  { env: "BATCH_SIZE", key: "batchSize", parse: int("BATCH_SIZE"), fallback: 10_000, help: "certificates per anchored batch, at most" },
  { env: "BATCH_DELAY_MS", key: "batchDelayMs", parse: int("BATCH_DELAY_MS"), fallback: 2_000, help: "longest wait before a batch is anchored" },
  { env: "SIGNING_WORKERS", key: "signingWorkers", parse: int("SIGNING_WORKERS"), fallback: Math.max(1, os.availableParallelism() - 1), help: "worker threads signing batch requests (0: the main thread) [cores - 1, at least 1]" },
  { env: "HEAP_GROWING_PERCENT", key: "heapGrowingPercent", parse: int("HEAP_GROWING_PERCENT"), fallback: 50, help: "how far the heap grows after each full garbage collection, in per cent of what survived (0: V8's own, up to 4x); no ceiling either way" },
  { env: "CHAIN_TIMEOUT_MS", key: "chainTimeoutMs", parse: int("CHAIN_TIMEOUT_MS"), fallback: 4_000, help: "deadline of every chain request; a silent chain answers 503 CHAIN_UNAVAILABLE after it" },
  { env: "CHAIN_TX_TIMEOUT_MS", key: "chainTxTimeoutMs", parse: int("CHAIN_TX_TIMEOUT_MS"), fallback: 60_000, help: "longest wait for a sent transaction to be mined" },
  { env: "CHAIN_CHECK_INTERVAL_MS", key: "chainCheckIntervalMs", parse: int("CHAIN_CHECK_INTERVAL_MS"), fallback: 30_000, help: "how often the chain's identity (chain id, registry code, latest anchors) is checked" },
  { env: "DEV_NODE_RESTART_AFTER_MS", key: "devNodeRestartAfterMs", parse: int("DEV_NODE_RESTART_AFTER_MS"), fallback: 15_000, help: "a local node silent this long is killed, restarted and rebuilt from the journal" },
  { env: "CONFIRMATIONS", key: "confirmations", parse: int("CONFIRMATIONS"), fallback: 1, help: "blocks an anchor waits for" },
  { env: "RATE_LIMIT_PER_MINUTE", key: "rateLimitPerMinute", parse: int("RATE_LIMIT_PER_MINUTE"), fallback: 3000, help: "requests per token (or IP) per minute; 0 disables" },
  { env: "LOG_LEVEL", key: "logLevel", parse: text, fallback: "info", help: "log level (pino, JSON lines on stdout): requests and the chain's events; the banner is always printed" },
];

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

export const HELP = `Usage: npm start [-- --config <file.json>] [-- --help]

Starts the certchain issuing service. Without CHAIN_RPC_URL it starts a local Hardhat node,
deploys the registry once, seeds demo agencies and prints ready-to-use tokens.

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
  for (const setting of SETTINGS) {
    const raw = env[setting.env] ?? (fromFile[setting.key] === undefined ? undefined : String(fromFile[setting.key]));
    config[setting.key] = raw === undefined || raw === "" ? setting.fallback : setting.parse(raw);
  }
  config.dataDir = path.resolve(config.dataDir as string);
  config.publicUrl ??= `http://${config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host}:${config.port}`;
  return config as unknown as Config;
}
