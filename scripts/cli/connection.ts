import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { isCertchainError, parseTrustList, type Hex, type TrustedRegistry } from "@certchain/sdk";
import { createApiClient, type ApiClient } from "./http-client";
import { UsageError } from "./output";

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

export function loadDemo(values: ConnectionValues, env: NodeJS.ProcessEnv = process.env): DemoFile | undefined {
  const given = values.demo ?? env.CERTCHAIN_DEMO;
  if (given === undefined || given === "") return undefined;
  const file = existsSync(given) && statSync(given).isDirectory() ? path.join(given, "demo.json") : given;
  if (!existsSync(file)) throw new UsageError(`demo file not found: ${file} (\`npm start\` writes it to <data dir>/demo.json)`);
  try {
    const demo = JSON.parse(readFileSync(file, "utf8")) as DemoFile;
    if (typeof demo.apiUrl !== "string" || !Array.isArray(demo.agencies)) throw new Error("shape");
    return demo;
  } catch {
    throw new UsageError(`${file} is not a demo.json written by \`npm start\``);
  }
}

function apiUrlOf(values: ConnectionValues, demo: DemoFile | undefined, env: NodeJS.ProcessEnv): string {
  const url = values.api ?? demo?.apiUrl ?? env.CERTCHAIN_API_URL;
  if (!url) throw new UsageError("no API URL: pass --api <url>, set CERTCHAIN_API_URL, or use --demo <data dir>/demo.json");
  if (!/^https?:\/\/[^\s]+$/.test(url)) throw new UsageError(`the API URL must be http(s)://…, got ${JSON.stringify(url)}`);
  return url;
}

export type Caller = { kind: "none" } | { kind: "agency"; type?: string } | { kind: "root" };

function tokenOf(values: ConnectionValues, demo: DemoFile | undefined, env: NodeJS.ProcessEnv, caller: Caller): string | undefined {
  if (values.token) return values.token;
  if (caller.kind === "none") return env.CERTCHAIN_TOKEN || undefined;
  if (demo) {
    if (caller.kind === "root") return demo.rootToken;
    if (values.agency) {
      const agency = demo.agencies.find((a) => a.id === values.agency);
      if (!agency) throw new UsageError(`no agency ${values.agency} in the demo file (known: ${demo.agencies.map((a) => a.id).join(", ")})`);
      return agency.token;
    }
    if (caller.type) {
      const accredited = demo.agencies.filter((a) => a.types.includes(caller.type!));
      if (accredited.length === 1) return accredited[0].token;
      if (accredited.length === 0) throw new UsageError(`no demo agency is accredited for ${caller.type}`);
    }
    if (!env.CERTCHAIN_TOKEN) throw new UsageError(`choose an agency with --agency <slug> (demo agencies: ${demo.agencies.map((a) => a.id).join(", ")})`);
  }
  const token = env.CERTCHAIN_TOKEN;
  if (!token) {
    const who = caller.kind === "root" ? "the root authority's token" : "an agency token";
    throw new UsageError(`no token: this needs ${who}; pass --token, set CERTCHAIN_TOKEN, or use --demo <data dir>/demo.json`);
  }
  return token;
}

/** The API client for a command, with the token the caller needs. */
export function connect(values: ConnectionValues, caller: Caller, env: NodeJS.ProcessEnv = process.env): { client: ApiClient; demo?: DemoFile } {
  const demo = loadDemo(values, env);
  const baseUrl = apiUrlOf(values, demo, env);
  return { client: createApiClient({ baseUrl, token: tokenOf(values, demo, env, caller) }), demo };
}

export const REGISTRY_OPTIONS = {
  rpc: { type: "string" },
  registry: { type: "string" },
  "chain-id": { type: "string" },
  registries: { type: "string" },
} as const;

export const REGISTRY_HELP = `Trusted registry (where certificates are anchored):
  --rpc <url> --registry <address> --chain-id <n>
                     [env CERTCHAIN_RPC_URL, CERTCHAIN_REGISTRY, CERTCHAIN_CHAIN_ID]
  --registries <file>  a trust list to trust several registries (mutual recognition): a JSON array
                     of { name, id, chainId, address, rpcUrl | rpcUrls, genesisHash?, timeoutMs? }
  Without these: taken from --demo, else from <api>/web-config.json when --api is known.`;

export interface RegistryValues extends ConnectionValues {
  rpc?: string;
  registry?: string;
  "chain-id"?: string;
  registries?: string;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function checkRegistry(r: Partial<TrustedRegistry>, where: string): TrustedRegistry {
  if (!r.address || !ADDRESS.test(r.address)) throw new UsageError(`${where}: the registry address must be 0x followed by 40 hex digits`);
  if (!Number.isSafeInteger(r.chainId) || (r.chainId as number) <= 0) throw new UsageError(`${where}: the chain id must be a positive integer`);
  if (!r.rpcUrl || !/^(https?|wss?):\/\//.test(r.rpcUrl)) throw new UsageError(`${where}: the RPC URL must be http(s):// or ws(s)://`);
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
 * A trust list file (`certchain verifier --registries`, `certchain verify --registries`), read
 * and checked: a mistake is one line naming the file and the JSON pointer of the bad value.
 */
export function readTrustListFile(file: string, flag: string): TrustedRegistry[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${flag} ${file}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`);
  }
  try {
    return parseTrustList(text);
  } catch (error) {
    if (isCertchainError(error)) throw new UsageError(`${flag} ${file}: ${error.message} (${error.code})`);
    throw error;
  }
}

/**
 * The registries a verifying command trusts: flags first, then a --registries file, the demo
 * file, the environment, and last the service's web-config.json.
 */
export async function trustedRegistries(values: RegistryValues, env: NodeJS.ProcessEnv = process.env): Promise<TrustedRegistry[]> {
  if (values.registries) {
    if (values.rpc || values.registry || values["chain-id"]) throw new UsageError("give either --registries <file> or --rpc/--registry/--chain-id, not both");
    return readTrustListFile(values.registries, "--registries");
  }
  const demo = loadDemo(values, env);
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
    throw new UsageError("no trusted registry: pass --rpc, --registry and --chain-id (or set CERTCHAIN_RPC_URL, CERTCHAIN_REGISTRY, CERTCHAIN_CHAIN_ID, or use --demo)");
  }
  return [checkRegistry(registry, "registry")];
}
