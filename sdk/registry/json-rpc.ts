import { CertchainError } from "../errors";
import { untilAborted } from "../lib/deadline";

/**
 * What the SDK needs of a chain: JSON-RPC requests that can be abandoned. Two sources: an
 * endpoint URL (plain `fetch`, aborted at the deadline) or a provider object the caller already
 * has (an ethers `Provider`, an EIP-1193 provider), whose requests are abandoned, not aborted.
 */
export interface JsonRpcTransport {
  /** Where requests go, for messages and readiness: the URL without credentials or query. */
  readonly label: string;
  request(method: string, params: readonly unknown[], signal: AbortSignal): Promise<unknown>;
}

/**
 * A chain connection the caller already has. Any ethers v6 `Provider` fits (its `send`, or its
 * `call`/`getBlockNumber`/`getNetwork`/`getBlock`/`getLogs` when it has no `send`), and so does
 * an EIP-1193 provider (`request`). The SDK itself does not depend on ethers.
 */
export interface RegistryProvider {
  send?(method: string, params: any[]): Promise<any>;
  request?(args: { method: string; params?: any }): Promise<any>;
  call?(tx: { to: string; data: string }): Promise<string>;
  getBlockNumber?(): Promise<number>;
  getCode?(address: string): Promise<string>;
  getNetwork?(): Promise<{ chainId: bigint | number }>;
  getBlock?(block: number | string): Promise<{ hash?: string | null } | null>;
  getTransactionReceipt?(hash: string): Promise<{ status?: number | null; logs: readonly { address: string; topics: readonly string[] }[] } | null>;
  getLogs?(filter: { address: string; fromBlock: number | string; toBlock: number | string; topics: (string | string[] | null)[] }): Promise<readonly { topics: readonly string[] }[]>;
}

/** A JSON-RPC error answer (the node understood the request and refused it, e.g. a revert). */
export class JsonRpcError extends CertchainError {
  constructor(
    readonly rpcCode: number,
    message: string,
    readonly data?: unknown,
  ) {
    super("CHAIN_RPC_ERROR", message);
  }
}

/** The URL as shown in messages and readiness: no user, password, query or fragment (they may hold API keys). */
export function endpointLabel(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname === "/" ? "" : parsed.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

type FetchFunction = (input: string, init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal }) => Promise<{
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}>;

let nextId = 1;

/**
 * JSON-RPC 2.0 over HTTP POST with `fetch`; the signal aborts the request itself. A request whose
 * connection fails before any answer (`fetch` rejects: a node closing an idle keep-alive
 * connection just as it is reused, a reset under load) is sent once more: the SDK only reads, so
 * a repeat is harmless, and without it one dropped socket made a whole group of certificates
 * `unverifiable`. An answer of any kind, an abort or the deadline is never repeated.
 */
export function httpTransport(url: string, fetchImpl?: FetchFunction): JsonRpcTransport {
  return {
    label: endpointLabel(url),
    async request(method, params, signal) {
      const doFetch = fetchImpl ?? (globalThis.fetch as unknown as FetchFunction);
      const send = () =>
        doFetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
          signal,
        });
      const response = await send().catch((error: unknown) => {
        if (signal.aborted) throw error;
        return send();
      });
      // The body is read under the same signal: a node that sends headers and then stalls is cut off too.
      const body = (await untilAborted(
        response.json().catch(() => undefined),
        signal,
      )) as { result?: unknown; error?: { code?: number; message?: string; data?: unknown } } | undefined;
      if (body && typeof body === "object" && body.error) throw new JsonRpcError(Number(body.error.code ?? 0), String(body.error.message ?? "JSON-RPC error"), body.error.data);
      if (!response.ok) throw new CertchainError("CHAIN_UNREACHABLE", `HTTP ${response.status} from ${endpointLabel(url)}`);
      if (!body || typeof body !== "object" || !("result" in body)) throw new CertchainError("CHAIN_UNREACHABLE", `no JSON-RPC result from ${endpointLabel(url)}`);
      return body.result;
    },
  };
}

const hexNumber = (value: bigint | number): string => `0x${BigInt(value).toString(16)}`;

/** Raw JSON-RPC through a provider object: `send` or `request` when it has one, else its typed methods. */
export function providerTransport(provider: RegistryProvider): JsonRpcTransport {
  const viaMethods = async (method: string, params: readonly any[]): Promise<unknown> => {
    switch (method) {
      case "eth_chainId":
        return hexNumber((await provider.getNetwork!()).chainId);
      case "eth_blockNumber":
        return hexNumber(await provider.getBlockNumber!());
      case "eth_getBlockByNumber": {
        const tag = params[0] as string;
        return provider.getBlock!(tag === "latest" ? tag : Number(tag));
      }
      case "eth_getCode":
        return provider.getCode!(params[0]);
      case "eth_call":
        return provider.call!({ to: params[0].to, data: params[0].data });
      case "eth_getTransactionReceipt":
        return provider.getTransactionReceipt!(params[0]);
      case "eth_getLogs": {
        const filter = params[0];
        return provider.getLogs!({ address: filter.address, fromBlock: Number(filter.fromBlock), toBlock: filter.toBlock, topics: filter.topics });
      }
      default:
        throw new CertchainError("CHAIN_UNREACHABLE", `the provider cannot answer ${method}`);
    }
  };
  return {
    label: "provider",
    request(method, params, signal) {
      const work =
        typeof provider.send === "function"
          ? provider.send(method, [...params])
          : typeof provider.request === "function"
            ? provider.request({ method, params: [...params] })
            : viaMethods(method, params);
      return untilAborted(Promise.resolve(work), signal);
    },
  };
}
