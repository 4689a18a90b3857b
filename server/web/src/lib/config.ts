import { JsonRpcProvider } from "ethers";
import type { Hex, VerifyAnyOptions } from "@certchain/sdk";

/** What the service tells its pages (GET /web-config.json). */
export interface WebConfig {
  chainId: number;
  address: Hex;
  name: string;
  /** Read-only JSON-RPC proxy, relative to the page's origin. */
  rpcUrl: string;
}

const CACHE_KEY = "certchain.web-config";

const isConfig = (v: unknown): v is WebConfig =>
  typeof v === "object" && v !== null && Number.isSafeInteger((v as WebConfig).chainId) && /^0x[0-9a-fA-F]{40}$/.test(String((v as WebConfig).address)) && typeof (v as WebConfig).rpcUrl === "string";

/** The registry configuration; offline, the copy from the last visit (the wallet works without the server). */
export async function loadConfig(): Promise<WebConfig | undefined> {
  try {
    const response = await fetch("/web-config.json", { headers: { accept: "application/json" }, cache: "no-store" });
    const config: unknown = await response.json();
    if (isConfig(config)) {
      try {
        localStorage.setItem(CACHE_KEY, JSON.stringify(config));
      } catch {
        // storage full or disabled: fine, only offline use needs it
      }
      return config;
    }
  } catch {
    // offline: fall through to the cached copy
  }
  try {
    const cached: unknown = JSON.parse(localStorage.getItem(CACHE_KEY) ?? "null");
    return isConfig(cached) ? cached : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verify options reading the chain through the service's read-only proxy. Share links are
 * opened from this site only (the page's CSP allows no other origin anyway); a pending
 * certificate's proof may come from this page's own origin too (the service that serves it), and
 * is then checked on the chain like any other.
 */
export function verifyOptionsOf(config: WebConfig | undefined): VerifyAnyOptions {
  const own = { shareServices: [location.origin], proofServices: [location.origin] };
  if (!config) return { registries: [], ...own };
  const url = new URL(config.rpcUrl, location.origin).href;
  // staticNetwork: no eth_chainId probing loop; batches stay under the proxy's limit of 50.
  const provider = new JsonRpcProvider(url, config.chainId, { staticNetwork: true, cacheTimeout: -1, batchMaxCount: 20 });
  return { registries: [{ chainId: config.chainId, address: config.address, name: config.name, provider }], ...own };
}
