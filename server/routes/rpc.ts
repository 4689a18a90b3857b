import type { FastifyError, FastifyInstance } from "fastify";
import { nestsDeeperThan } from "../lib/json-depth";
import { replyWithError } from "../plugins/app/errors";
import rateLimitPlugin from "../plugins/external/rate-limit";

export interface RpcProxyRoutesOptions {
  /** The chain node's JSON-RPC URL (never shown to browsers). */
  upstreamUrl: string;
  /** The registries this service trusts: the only contracts `eth_call` and `eth_getLogs` may address. */
  registries: readonly string[];
  /** Give up on the node after this long. Default 15 s. */
  timeoutMs?: number;
  /** Requests per client IP and minute (its own limit, whatever the app's). Default RPC_RATE_LIMIT; false: none. */
  rateLimit?: number | false;
}

/**
 * Exactly what the verifier SDK in the pages reads: nothing that signs, sends, or reveals the
 * node's accounts. Anything else is answered -32601 here and never reaches the node.
 */
export const RPC_ALLOWED_METHODS: ReadonlySet<string> = new Set(["eth_call", "eth_chainId", "eth_blockNumber", "eth_getLogs"]);
/**
 * Calls per batch. A page's verification sends a few at a time; one request used to bundle 50
 * `eth_call`s that each looped until their gas ran out, keeping the node busy past its watchdog.
 */
export const RPC_MAX_BATCH = 10;
/**
 * The gas each `eth_call` may burn, whatever it asks for. A node's default is the block gas
 * limit, 30 million: a loop burning it held a Hardhat node for about a second (several on this
 * busy machine), and ten per batch stay under the node's watchdog only this way. The pages' reads
 * of a few certificates need a small part of it; a page verifying dozens at once would need the
 * SDK's reads in smaller chunks.
 */
export const RPC_GAS_CAP = 1_000_000;
/** Requests per client IP and minute on /rpc. A verification in a page takes a handful. */
export const RPC_RATE_LIMIT = 60;
export const RPC_BODY_LIMIT = 64 * 1024;
/**
 * The deepest a request may nest: a batch of eth_getLogs with topic alternatives needs 6. Deeper
 * params are refused here (the node used to fail on 5,000-deep params, and the caller got a 502).
 */
export const RPC_MAX_DEPTH = 8;

type Id = string | number | null;
interface RpcError {
  jsonrpc: "2.0";
  id: Id;
  error: { code: number; message: string };
}
type RpcReply = RpcError | { jsonrpc: "2.0"; id: Id; result: unknown };

const rpcError = (id: Id, code: number, message: string): RpcError => ({ jsonrpc: "2.0", id, error: { code, message } });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is Id => v === null || typeof v === "string" || (typeof v === "number" && Number.isFinite(v));

/** One call of a request, checked: either a reply decided here, or a call to forward. */
type Item = { reply: RpcReply } | { forward: { method: string; params: unknown }; id: Id } | { notification: true };

const isAddress = (v: unknown): v is string => typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v);
const isBlockTag = (v: unknown): boolean =>
  v === undefined || (typeof v === "string" && (/^0x[0-9a-fA-F]{1,16}$/.test(v) || ["latest", "earliest", "pending", "safe", "finalized"].includes(v)));

/**
 * The params to forward for an allowed method, or why not: `eth_call` only to a trusted registry,
 * with the caller's data and a block tag, nothing else (no value, no sender, no state overrides),
 * its gas capped; `eth_getLogs` only of a trusted registry's events; the others without params.
 */
function checkedParams(method: string, params: unknown, trusted: ReadonlySet<string>): { params: unknown[] } | { refusal: string } {
  const list = params === undefined ? [] : params;
  if (!Array.isArray(list)) return { refusal: "invalid params" };
  if (method === "eth_chainId" || method === "eth_blockNumber") return list.length === 0 ? { params: [] } : { refusal: "invalid params: none expected" };
  if (method === "eth_call") {
    const [call, block, ...rest] = list;
    if (rest.length > 0 || !isObject(call) || !isBlockTag(block)) return { refusal: "invalid params: [{ to, data }, block] only" };
    if (!isAddress(call.to) || !trusted.has(call.to.toLowerCase())) return { refusal: "only calls to the registry this service trusts are forwarded" };
    const data = call.data ?? call.input;
    if (data !== undefined && (typeof data !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(data))) return { refusal: "invalid params: data" };
    const asked = typeof call.gas === "string" && /^0x[0-9a-fA-F]{1,16}$/.test(call.gas) ? BigInt(call.gas) : BigInt(RPC_GAS_CAP);
    const gas = asked < BigInt(RPC_GAS_CAP) ? asked : BigInt(RPC_GAS_CAP);
    return { params: [{ to: call.to, ...(data !== undefined ? { data } : {}), gas: `0x${gas.toString(16)}` }, block ?? "latest"] };
  }
  if (method === "eth_getLogs") {
    const [filter, ...rest] = list;
    if (rest.length > 0 || !isObject(filter)) return { refusal: "invalid params: [filter] only" };
    const addresses = Array.isArray(filter.address) ? filter.address : [filter.address];
    if (addresses.length === 0 || !addresses.every((a) => isAddress(a) && trusted.has(a.toLowerCase()))) return { refusal: "only the logs of the registry this service trusts are forwarded" };
    return { params: [filter] };
  }
  return { refusal: "method not allowed" };
}

function inspect(call: unknown, trusted: ReadonlySet<string>): Item {
  if (!isObject(call) || call.jsonrpc !== "2.0" || typeof call.method !== "string") {
    return { reply: rpcError(isObject(call) && isId(call.id) ? call.id : null, -32600, "invalid request") };
  }
  const hasId = "id" in call;
  if (hasId && !isId(call.id)) return { reply: rpcError(null, -32600, "invalid request") };
  if (call.params !== undefined && !Array.isArray(call.params) && !isObject(call.params)) return { reply: rpcError(hasId ? (call.id as Id) : null, -32602, "invalid params") };
  if (!RPC_ALLOWED_METHODS.has(call.method)) return hasId ? { reply: rpcError(call.id as Id, -32601, "method not allowed") } : { notification: true };
  // A notification expects no answer, and a read that nobody reads is not worth forwarding.
  if (!hasId) return { notification: true };
  const checked = checkedParams(call.method, call.params, trusted);
  if ("refusal" in checked) return { reply: rpcError(call.id as Id, -32602, checked.refusal) };
  return { forward: { method: call.method, params: checked.params }, id: call.id as Id };
}

/**
 * `POST /rpc`: a read-only JSON-RPC proxy for verifying in the browser. Single calls and batches
 * (at most 10) are accepted; each call outside the allow-list (eth_call, eth_chainId,
 * eth_blockNumber, eth_getLogs) is answered "method not allowed" (-32601) in place, and an
 * `eth_call` or `eth_getLogs` that addresses anything but a trusted registry "invalid params"
 * (-32602). Each `eth_call` gets at most RPC_GAS_CAP gas; the route has its own rate limit per
 * client IP (RPC_RATE_LIMIT a minute). The allowed calls go upstream as one batch with ids of our
 * own, so a caller's ids cannot confuse the matching of answers. What a JSON-RPC client can act on is JSON-RPC shaped (parse error -32700,
 * invalid request -32600, method not allowed -32601, node unreachable -32603); refusals of the
 * HTTP request itself (413, 415, 429) are the API's `{ error: { code, message } }`.
 *
 * @example
 * await app.register(rpcProxyRoutes, { upstreamUrl: "http://127.0.0.1:8545", registries: [registryAddress] });
 */
export async function rpcProxyRoutes(app: FastifyInstance, options: RpcProxyRoutesOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const trusted: ReadonlySet<string> = new Set(options.registries.map((address) => address.toLowerCase()));
  const limit = options.rateLimit ?? RPC_RATE_LIMIT;
  // The app may limit no route (RATE_LIMIT_PER_MINUTE=0) or every route more loosely; this one has its own.
  if (limit !== false && !app.hasDecorator("rateLimit")) await app.register(rateLimitPlugin, { global: false, max: limit, timeWindowMs: 60_000 });

  // A body that is not a JSON-RPC request answers in JSON-RPC's terms; what concerns the HTTP
  // request itself (too large, not JSON at all, rate limited) in the API's one error shape.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof SyntaxError || error.code === "FST_ERR_CTP_INVALID_JSON_BODY" || error.code === "FST_ERR_CTP_EMPTY_JSON_BODY") {
      return reply.status(400).send(rpcError(null, -32700, "parse error"));
    }
    // Valid JSON, but nested deeper than any JSON-RPC call needs (5,000-deep params once reached the node and came back 502).
    if (error.code === "JSON_TOO_DEEP") return reply.status(400).send(rpcError(null, -32600, "invalid request: nested too deeply"));
    return replyWithError(error, request, reply);
  });

  async function forward(calls: { method: string; params: unknown }[]): Promise<({ result: unknown } | { error: unknown })[] | undefined> {
    const body = calls.map((call, i) => ({ jsonrpc: "2.0", id: i, method: call.method, params: call.params }));
    try {
      const response = await fetch(options.upstreamUrl, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const answers: unknown = await response.json();
      if (!Array.isArray(answers)) return undefined;
      const byId = new Map<number, { result: unknown } | { error: unknown }>();
      for (const answer of answers) {
        if (!isObject(answer) || typeof answer.id !== "number") continue;
        byId.set(answer.id, "error" in answer ? { error: answer.error } : { result: answer.result });
      }
      return calls.map((_, i) => byId.get(i) ?? { error: { code: -32603, message: "no answer from the chain node" } });
    } catch {
      return undefined;
    }
  }

  app.post(
    "/rpc",
    {
      bodyLimit: RPC_BODY_LIMIT,
      config: limit === false ? {} : { rateLimit: { max: limit, timeWindow: 60_000 } },
      schema: {
        tags: ["chain"],
        summary: "Read-only JSON-RPC proxy to the chain (for browsers)",
        description: `Allowed methods: ${[...RPC_ALLOWED_METHODS].join(", ")}; eth_call and eth_getLogs only of the trusted registry, eth_call with at most ${RPC_GAS_CAP} gas. Batches of at most ${RPC_MAX_BATCH}; ${limit === false ? "no rate limit" : `${limit} requests per client IP and minute`}.`,
      },
    },
    async (request, reply) => {
      const batch = Array.isArray(request.body);
      const calls: unknown[] = batch ? (request.body as unknown[]) : [request.body];
      if (batch && calls.length === 0) return reply.status(400).send(rpcError(null, -32600, "empty batch"));
      if (calls.length > RPC_MAX_BATCH) return reply.status(400).send(rpcError(null, -32600, `at most ${RPC_MAX_BATCH} calls per batch`));
      if (nestsDeeperThan(request.body, RPC_MAX_DEPTH)) return reply.status(400).send(rpcError(null, -32600, "invalid request: nested too deeply"));

      const items = calls.map((call) => inspect(call, trusted));
      const toForward = items.flatMap((item) => ("forward" in item ? [item.forward] : []));
      const answers = toForward.length > 0 ? await forward(toForward) : [];
      if (answers === undefined && !batch) return reply.status(502).send(rpcError((items[0] as { id: Id }).id, -32603, "the chain node is unreachable"));

      let next = 0;
      const replies: RpcReply[] = [];
      for (const item of items) {
        if ("reply" in item) replies.push(item.reply);
        else if ("forward" in item) {
          const answer = answers?.[next++];
          if (!answer) replies.push(rpcError(item.id, -32603, "the chain node is unreachable"));
          else if ("error" in answer) replies.push({ jsonrpc: "2.0", id: item.id, error: answer.error as RpcError["error"] });
          else replies.push({ jsonrpc: "2.0", id: item.id, result: answer.result });
        }
      }
      reply.header("cache-control", "no-store");
      if (replies.length === 0) return reply.status(204).send();
      return reply.status(200).send(batch ? replies : replies[0]);
    },
  );
}

export default rpcProxyRoutes;
