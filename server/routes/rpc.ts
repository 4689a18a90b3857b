import type { FastifyError, FastifyInstance } from "fastify";
import { nestsDeeperThan } from "../lib/json-depth";
import { replyWithError } from "../plugins/app/errors";

export interface RpcProxyRoutesOptions {
  /** The chain node's JSON-RPC URL (never shown to browsers). */
  upstreamUrl: string;
  /** Give up on the node after this long. Default 15 s. */
  timeoutMs?: number;
}

/**
 * Exactly what the verifier SDK reads: nothing that signs, sends, or reveals the node's accounts.
 * Anything else is answered -32601 here and never reaches the node.
 */
export const RPC_ALLOWED_METHODS: ReadonlySet<string> = new Set(["eth_call", "eth_chainId", "eth_blockNumber", "eth_getLogs"]);
export const RPC_MAX_BATCH = 50;
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

function inspect(call: unknown): Item {
  if (!isObject(call) || call.jsonrpc !== "2.0" || typeof call.method !== "string") {
    return { reply: rpcError(isObject(call) && isId(call.id) ? call.id : null, -32600, "invalid request") };
  }
  const hasId = "id" in call;
  if (hasId && !isId(call.id)) return { reply: rpcError(null, -32600, "invalid request") };
  if (call.params !== undefined && !Array.isArray(call.params) && !isObject(call.params)) return { reply: rpcError(hasId ? (call.id as Id) : null, -32602, "invalid params") };
  if (!RPC_ALLOWED_METHODS.has(call.method)) return hasId ? { reply: rpcError(call.id as Id, -32601, "method not allowed") } : { notification: true };
  // A notification expects no answer, and a read that nobody reads is not worth forwarding.
  if (!hasId) return { notification: true };
  return { forward: { method: call.method, params: call.params ?? [] }, id: call.id as Id };
}

/**
 * `POST /rpc`: a read-only JSON-RPC proxy for verifying in the browser. Single calls and batches
 * (at most 50) are accepted; each call outside the allow-list (eth_call, eth_chainId,
 * eth_blockNumber, eth_getLogs) is answered "method not allowed" (-32601) in place. The allowed
 * calls go upstream as one batch with ids of our own, so a caller's ids cannot confuse the
 * matching of answers. What a JSON-RPC client can act on is JSON-RPC shaped (parse error -32700,
 * invalid request -32600, method not allowed -32601, node unreachable -32603); refusals of the
 * HTTP request itself (413, 415, 429) are the API's `{ error: { code, message } }`.
 *
 * @example
 * await app.register(rpcProxyRoutes, { upstreamUrl: "http://127.0.0.1:8545" });
 */
export async function rpcProxyRoutes(app: FastifyInstance, options: RpcProxyRoutesOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 15_000;

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
      schema: {
        tags: ["chain"],
        summary: "Read-only JSON-RPC proxy to the chain (for browsers)",
        description: `Allowed methods: ${[...RPC_ALLOWED_METHODS].join(", ")}. Batches of at most ${RPC_MAX_BATCH}.`,
      },
    },
    async (request, reply) => {
      const batch = Array.isArray(request.body);
      const calls: unknown[] = batch ? (request.body as unknown[]) : [request.body];
      if (batch && calls.length === 0) return reply.status(400).send(rpcError(null, -32600, "empty batch"));
      if (calls.length > RPC_MAX_BATCH) return reply.status(400).send(rpcError(null, -32600, `at most ${RPC_MAX_BATCH} calls per batch`));
      if (nestsDeeperThan(request.body, RPC_MAX_DEPTH)) return reply.status(400).send(rpcError(null, -32600, "invalid request: nested too deeply"));

      const items = calls.map(inspect);
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
