import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { isCertchainError, parseTrustList, type Hex, type TrustedRegistry } from "@certchain/sdk";
import { createApiClient, type ApiClient } from "./http-client";
import { t, type Text } from "./i18n";
import { UsageError, err } from "./output";
import { io, perRun } from "./run-context";

const M = {
  demoMissing: { "zh-CN": "找不到演示文件：{file}（\`npm start\` 会把它写到 <数据目录>/demo.json）", en: "demo file not found: {file} (`npm start` writes it to <data dir>/demo.json)" },
  notDemo: { "zh-CN": "{file} 不是 \`npm start\` 写出的 demo.json", en: "{file} is not a demo.json written by `npm start`" },
  usingDemo: { "zh-CN": "使用 {file}（npm start 写出的演示设置）", en: "using {file} (written by npm start)" },
  usingDemoAddress: { "zh-CN": "服务地址取自 {file}：{url}（令牌用给出的那个）", en: "the service address from {file}: {url} (with the token given)" },
  noApi: {
    "zh-CN": "不知道服务地址：请用 --api <网址> 或设置 CERTCHAIN_API_URL；在本仓库里先在另一个终端运行 npm start，演示文件会被自动找到",
    en: "no API URL: pass --api <url> or set CERTCHAIN_API_URL; inside the repository, run npm start in another terminal and its demo file is found by itself",
  },
  badApi: { "zh-CN": "服务地址必须以 http(s):// 开头，实际是 {url}", en: "the API URL must be http(s)://…, got {url}" },
  unknownAgency: { "zh-CN": "演示文件里没有机关 {agency}（有：{known}）", en: "no agency {agency} in the demo file (known: {known})" },
  notAccredited: { "zh-CN": "没有演示机关获准签发 {type}", en: "no demo agency is accredited for {type}" },
  chooseAgency: { "zh-CN": "请用 --agency <机关> 选择机关（演示机关：{known}）", en: "choose an agency with --agency <slug> (demo agencies: {known})" },
  rootToken: { "zh-CN": "根管理机构的令牌", en: "the root authority's token" },
  agencyToken: { "zh-CN": "发证机关的令牌", en: "an agency token" },
  noToken: {
    "zh-CN": "缺少令牌：此操作需要{who}；请用 --token 提供、设置 CERTCHAIN_TOKEN，或使用 npm start 的演示文件（--demo）",
    en: "no token: this needs {who}; pass --token, set CERTCHAIN_TOKEN, or use --demo <data dir>/demo.json",
  },
} satisfies Record<string, Text>;

/** What `npm start` writes to <data dir>/demo.json. */
export interface DemoFile {
  apiUrl: string;
  rpcUrl: string;
  chainId: number;
  registry: Hex;
  /** The registry's id (written since registry ids exist). */
  registryId?: Hex;
  rootToken: string;
  agencies: { id: string; name: string; token: string; types: string[] }[];
}

export interface ConnectionValues {
  api?: string;
  token?: string;
  demo?: string;
  agency?: string;
}

function readDemo(file: string): DemoFile {
  try {
    const demo = JSON.parse(readFileSync(file, "utf8")) as DemoFile;
    if (typeof demo.apiUrl !== "string" || !Array.isArray(demo.agencies)) throw new Error("shape");
    return demo;
  } catch {
    throw new UsageError(t(M.notDemo, { file }));
  }
}

/** The demo file named with --demo or CERTCHAIN_DEMO, if any. */
export function loadDemo(values: ConnectionValues, env: NodeJS.ProcessEnv = io().env): DemoFile | undefined {
  const given = values.demo ?? env.CERTCHAIN_DEMO;
  if (given === undefined || given === "") return undefined;
  const file = existsSync(given) && statSync(given).isDirectory() ? path.join(given, "demo.json") : given;
  if (!existsSync(file)) throw new UsageError(t(M.demoMissing, { file }));
  return readDemo(file);
}

const isRepositoryRoot = (dir: string): boolean => {
  try {
    return (JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: string }).name === "certchain";
  } catch {
    return false;
  }
};

/**
 * The demo file \`npm start\` wrote, found without being named: $DATA_DIR/demo.json when DATA_DIR
 * is set (as for \`npm start\`), else ./data/demo.json of the repository the command runs in
 * (the nearest directory up from here whose package.json is certchain's). Undefined elsewhere.
 */
export function discoverDemoFile(env: NodeJS.ProcessEnv = io().env, cwd: string = io().cwd): string | undefined {
  if (env.DATA_DIR) {
    const file = path.join(path.resolve(cwd, env.DATA_DIR), "demo.json");
    return existsSync(file) ? file : undefined;
  }
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (isRepositoryRoot(dir)) {
      const file = path.join(dir, "data", "demo.json");
      return existsSync(file) ? file : undefined;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

const announced = perRun(() => ({ demo: false }));

/**
 * The demo file to use: the one named, else — only when nothing else says where the API is
 * (no --api, no CERTCHAIN_API_URL, no --token, no CERTCHAIN_TOKEN) — the one \`npm start\` wrote
 * in this repository. Saying which on stderr, once.
 */
export function demoFor(values: ConnectionValues, env: NodeJS.ProcessEnv = io().env): DemoFile | undefined {
  const named = loadDemo(values, env);
  if (named) return named;
  if (values.api || values.token || env.CERTCHAIN_API_URL || env.CERTCHAIN_TOKEN) return undefined;
  const found = discoverDemoFile(env);
  if (!found) return undefined;
  if (!announced().demo) {
    announced().demo = true;
    err(t(M.usingDemo, { file: path.relative(io().cwd, found) || found }));
  }
  return readDemo(found);
}

/**
 * The service to ask where a command can do without one (proofs of pending files, fallback
 * share links, the published status list): --api, else CERTCHAIN_API_URL, else the demo file's.
 * Undefined when nothing names one.
 */
export function optionalApiUrl(values: ConnectionValues, env: NodeJS.ProcessEnv = io().env): string | undefined {
  return values.api ?? env.CERTCHAIN_API_URL ?? demoFor(values, env)?.apiUrl;
}

/**
 * The address of the service `npm start` runs in this repository, for a command that was given a
 * token but no address: the demo file says where the service is (its tokens are not used).
 */
function discoveredApiUrl(env: NodeJS.ProcessEnv): string | undefined {
  const found = discoverDemoFile(env);
  if (!found) return undefined;
  const { apiUrl } = readDemo(found);
  if (!announced().demo) {
    announced().demo = true;
    err(t(M.usingDemoAddress, { file: path.relative(io().cwd, found) || found, url: apiUrl }));
  }
  return apiUrl;
}

function apiUrlOf(values: ConnectionValues, demo: DemoFile | undefined, env: NodeJS.ProcessEnv): string {
  const url = values.api ?? demo?.apiUrl ?? env.CERTCHAIN_API_URL ?? discoveredApiUrl(env);
  if (!url) throw new UsageError(t(M.noApi));
  if (!/^https?:\/\/[^\s]+$/.test(url)) throw new UsageError(t(M.badApi, { url: JSON.stringify(url) }));
  return url;
}

export type Caller = { kind: "none" } | { kind: "agency"; type?: string } | { kind: "root" };

/** Where a command's token came from: what to correct when the service refuses it. */
export type TokenSource = "flag" | "env" | "demo";

function tokenOf(values: ConnectionValues, demo: DemoFile | undefined, env: NodeJS.ProcessEnv, caller: Caller): { token: string; source: TokenSource } | undefined {
  if (values.token) return { token: values.token, source: "flag" };
  if (caller.kind === "none") return env.CERTCHAIN_TOKEN ? { token: env.CERTCHAIN_TOKEN, source: "env" } : undefined;
  if (demo) {
    if (caller.kind === "root") return { token: demo.rootToken, source: "demo" };
    if (values.agency) {
      const agency = demo.agencies.find((a) => a.id === values.agency);
      if (!agency) throw new UsageError(t(M.unknownAgency, { agency: values.agency, known: demo.agencies.map((a) => a.id).join(", ") }));
      return { token: agency.token, source: "demo" };
    }
    if (caller.type) {
      const accredited = demo.agencies.filter((a) => a.types.includes(caller.type!));
      if (accredited.length === 1) return { token: accredited[0].token, source: "demo" };
      if (accredited.length === 0) throw new UsageError(t(M.notAccredited, { type: caller.type }));
    }
    if (!env.CERTCHAIN_TOKEN) throw new UsageError(t(M.chooseAgency, { known: demo.agencies.map((a) => a.id).join(", ") }));
  }
  const token = env.CERTCHAIN_TOKEN;
  if (!token) {
    throw new UsageError(t(M.noToken, { who: t(caller.kind === "root" ? M.rootToken : M.agencyToken) }));
  }
  return { token, source: "env" };
}

/** The API client for a command, with the token the caller needs (and where that token came from). */
export function connect(values: ConnectionValues, caller: Caller, env: NodeJS.ProcessEnv = io().env): { client: ApiClient; demo?: DemoFile; tokenSource?: TokenSource } {
  const demo = demoFor(values, env);
  const baseUrl = apiUrlOf(values, demo, env);
  const token = tokenOf(values, demo, env, caller);
  return { client: createApiClient({ baseUrl, token: token?.token }), demo, tokenSource: token?.source };
}

export const REGISTRY_OPTIONS = {
  rpc: { type: "string" },
  registry: { type: "string" },
  "chain-id": { type: "string" },
  registries: { type: "string" },
} as const;

const REGISTRY_TEXT: Text = {
  en: `Trusted registry (where certificates are anchored):
  --rpc <url> --registry <address> --chain-id <n>
                     [env CERTCHAIN_RPC_URL, CERTCHAIN_REGISTRY, CERTCHAIN_CHAIN_ID]
  --registries <file>  a trust list, to trust several registries (mutual recognition): a JSON
                     array of { name, id, chainId, address, rpcUrl | rpcUrls, genesisHash?, timeoutMs? }
  Without these: taken from the demo file (--demo, or found by itself inside the repository),
  else from <api>/web-config.json when --api is known.`,
  "zh-CN": `信任的登记簿（证照上链的位置）：
  --rpc <网址> --registry <合约地址> --chain-id <链号>
                     [环境变量 CERTCHAIN_RPC_URL、CERTCHAIN_REGISTRY、CERTCHAIN_CHAIN_ID]
  --registries <文件>  认可登记簿清单，可信任多个登记簿（证照互认）：JSON 数组
                     [{ name, id, chainId, address, rpcUrl | rpcUrls, genesisHash?, timeoutMs? }]
  都不给时：取自演示文件（--demo，或在本仓库内自动找到），否则在给了 --api 时取自 <api>/web-config.json。`,
};

export const registryHelp = (): string => t(REGISTRY_TEXT);

const R = {
  address: { "zh-CN": "{where}：登记簿地址应为 0x 加 40 位十六进制数字", en: "{where}: the registry address must be 0x followed by 40 hex digits" },
  chainId: { "zh-CN": "{where}：链号应为正整数", en: "{where}: the chain id must be a positive integer" },
  rpc: { "zh-CN": "{where}：RPC 地址应以 http(s):// 或 ws(s):// 开头", en: "{where}: the RPC URL must be http(s):// or ws(s)://" },
  unreadable: { "zh-CN": "无法读取 {flag} {file}：{problem}", en: "cannot read {flag} {file}: {problem}" },
  noFile: { "zh-CN": "没有这个文件", en: "no such file" },
  invalid: { "zh-CN": "{flag} {file}：{problem}（{code}）", en: "{flag} {file}: {problem} ({code})" },
  both: { "zh-CN": "--registries <文件> 与 --rpc/--registry/--chain-id 只能二选一", en: "give either --registries <file> or --rpc/--registry/--chain-id, not both" },
  none: {
    "zh-CN": "不知道信任哪个登记簿：请给出 --rpc、--registry 和 --chain-id（或设置 CERTCHAIN_RPC_URL、CERTCHAIN_REGISTRY、CERTCHAIN_CHAIN_ID，或使用 --demo）",
    en: "no trusted registry: pass --rpc, --registry and --chain-id (or set CERTCHAIN_RPC_URL, CERTCHAIN_REGISTRY, CERTCHAIN_CHAIN_ID, or use --demo)",
  },
} satisfies Record<string, Text>;

export interface RegistryValues extends ConnectionValues {
  rpc?: string;
  registry?: string;
  "chain-id"?: string;
  registries?: string;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function checkRegistry(r: Partial<TrustedRegistry>, where: string): TrustedRegistry {
  if (!r.address || !ADDRESS.test(r.address)) throw new UsageError(t(R.address, { where }));
  if (!Number.isSafeInteger(r.chainId) || (r.chainId as number) <= 0) throw new UsageError(t(R.chainId, { where }));
  if (!r.rpcUrl || !/^(https?|wss?):\/\//.test(r.rpcUrl)) throw new UsageError(t(R.rpc, { where }));
  return {
    chainId: r.chainId!,
    address: r.address as Hex,
    rpcUrl: r.rpcUrl,
    name: r.name ?? `registry ${r.address.slice(0, 10)}… on chain ${r.chainId}`,
    ...(r.id ? { id: r.id } : {}),
  };
}

/** Reads `<api>/web-config.json` if the service publishes one; undefined when it does not. */
async function webConfigOf(apiUrl: string): Promise<Partial<TrustedRegistry>[] | undefined> {
  try {
    const response = await fetch(`${apiUrl.replace(/\/+$/, "")}/web-config.json`, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) return undefined;
    const config = (await response.json()) as Record<string, any>;
    const list: any[] = Array.isArray(config.registries) ? config.registries : [config];
    // The pages' config names a read-only RPC proxy relative to the service ("/rpc").
    const absolute = (url: unknown) => (typeof url === "string" ? new URL(url, `${apiUrl.replace(/\/+$/, "")}/`).toString() : undefined);
    return list.map((r) => ({ chainId: Number(r.chainId), address: r.address ?? r.registry, rpcUrl: absolute(r.rpcUrl), name: r.name }));
  } catch {
    return undefined;
  }
}

/**
 * Where people reach the service at `apiUrl` (its PUBLIC_URL, from `<api>/web-config.json`): the
 * address a printout names. The API URL itself when the service does not say (an older service).
 */
export async function servicePublicUrl(apiUrl: string): Promise<string> {
  try {
    const response = await fetch(`${apiUrl.replace(/\/+$/, "")}/web-config.json`, { signal: AbortSignal.timeout(5_000) });
    const published = response.ok ? ((await response.json()) as { publicUrl?: unknown }).publicUrl : undefined;
    if (typeof published === "string" && /^https?:\/\/[^\s]+$/.test(published)) return published.replace(/\/+$/, "");
  } catch {
    // unreachable or not JSON: the address we were given
  }
  return apiUrl.replace(/\/+$/, "");
}

/**
 * A trust list file (`certchain verifier --registries`, `certchain verify --registries`), read
 * and checked: a mistake is one line naming the file and the JSON pointer of the bad value.
 */
export function readTrustListFile(file: string, flag: string): TrustedRegistry[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(t(R.unreadable, { flag, file, problem: (error as NodeJS.ErrnoException).code === "ENOENT" ? t(R.noFile) : (error as Error).message }));
  }
  try {
    return parseTrustList(text);
  } catch (error) {
    // The SDK's message names the JSON pointer (in English: it is the SDK's).
    if (isCertchainError(error)) throw new UsageError(t(R.invalid, { flag, file, problem: error.message, code: error.code }));
    throw error;
  }
}

/**
 * The registries a verifying command trusts: flags first, then a --registries file, the demo
 * file, the environment, and last the service's web-config.json.
 */
export async function trustedRegistries(values: RegistryValues, env: NodeJS.ProcessEnv = io().env): Promise<TrustedRegistry[]> {
  if (values.registries) {
    if (values.rpc || values.registry || values["chain-id"]) throw new UsageError(t(R.both));
    return readTrustListFile(values.registries, "--registries");
  }
  const explicit = values.rpc || values.registry || values["chain-id"] || values.api || env.CERTCHAIN_RPC_URL || env.CERTCHAIN_REGISTRY || env.CERTCHAIN_CHAIN_ID || env.CERTCHAIN_API_URL;
  const demo = explicit ? loadDemo(values, env) : demoFor(values, env);
  const chainIdText = values["chain-id"] ?? (demo ? String(demo.chainId) : env.CERTCHAIN_CHAIN_ID);
  let registry: Partial<TrustedRegistry> = {
    rpcUrl: values.rpc ?? demo?.rpcUrl ?? env.CERTCHAIN_RPC_URL,
    address: (values.registry ?? demo?.registry ?? env.CERTCHAIN_REGISTRY) as Hex | undefined,
    chainId: chainIdText === undefined ? undefined : Number(chainIdText),
    name: demo ? "certchain demo registry" : undefined,
    // The demo's registry id, unless the registry was named another way.
    id: demo?.registryId && !values.registry ? demo.registryId : undefined,
  };
  if (!registry.rpcUrl || !registry.address || registry.chainId === undefined) {
    const apiUrl = values.api ?? env.CERTCHAIN_API_URL;
    const published = apiUrl ? await webConfigOf(apiUrl) : undefined;
    if (published && published.length > 0) {
      const [first, ...others] = published;
      registry = { ...first, ...Object.fromEntries(Object.entries(registry).filter(([, v]) => v !== undefined)) };
      return [checkRegistry(registry, "registry"), ...others.map((r, i) => checkRegistry(r, `web-config registry ${i + 1}`))];
    }
    throw new UsageError(t(R.none));
  }
  return [checkRegistry(registry, "registry")];
}
