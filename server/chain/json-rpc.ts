/**
 * A minimal JSON-RPC client for the chain plumbing (journal follower, replay, supervision): plain
 * fetch with a deadline on every request, and batches, which replaying thousands of blocks
 * needs and ethers' provider does not expose. Service reads and writes use ethers providers.
 */

export interface RpcCall {
  method: string;
  params?: unknown[];
}

export type RpcAnswer = { result: any } | { error: { code?: number; message: string; data?: unknown } };

/** The node answered with an error object. */
export class JsonRpcError extends Error {
  constructor(
    readonly method: string,
    readonly rpcCode: number | undefined,
    message: string,
    readonly data?: unknown,
  ) {
    super(`${method}: ${message}`);
  }
}

/** The node did not answer in time, refused the connection, or answered something that is not JSON-RPC. */
export class RpcUnreachableError extends Error {}

export interface JsonRpc {
  readonly url: string;
  call<T = any>(method: string, params?: unknown[], options?: { timeoutMs?: number }): Promise<T>;
  /** Answers in call order; a call's error is its answer, not a rejection. */
  batch(calls: readonly RpcCall[], options?: { timeoutMs?: number }): Promise<RpcAnswer[]>;
}

export function createJsonRpc(url: string, options: { timeoutMs: number }): JsonRpc {
  async function post(body: unknown, timeoutMs: number): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      return await response.json();
    } catch (cause) {
      const timedOut = (cause as Error)?.name === "TimeoutError";
      throw new RpcUnreachableError(timedOut ? `no answer from ${url} within ${timeoutMs} ms` : `${url} unreachable: ${(cause as Error)?.message ?? cause}`, { cause });
    }
  }

  return {
    url,
    async call(method, params = [], callOptions = {}) {
      const answer = (await post({ jsonrpc: "2.0", id: 1, method, params }, callOptions.timeoutMs ?? options.timeoutMs)) as Record<string, any>;
      if (answer?.error) throw new JsonRpcError(method, answer.error.code, String(answer.error.message ?? "error"), answer.error.data);
      if (!answer || !("result" in answer)) throw new RpcUnreachableError(`${url} answered ${method} with something that is not JSON-RPC`);
      return answer.result;
    },
    async batch(calls, callOptions = {}) {
      if (calls.length === 0) return [];
      const answers = await post(
        calls.map((c, id) => ({ jsonrpc: "2.0", id, method: c.method, params: c.params ?? [] })),
        callOptions.timeoutMs ?? options.timeoutMs,
      );
      if (!Array.isArray(answers)) throw new RpcUnreachableError(`${url} answered a batch with something that is not a JSON-RPC batch`);
      const byId = new Map<number, RpcAnswer>();
      for (const a of answers) if (a && typeof a.id === "number") byId.set(a.id, a.error ? { error: a.error } : { result: a.result });
      return calls.map((c, i) => byId.get(i) ?? { error: { message: `no answer to ${c.method}` } });
    },
  };
}

/** Result of a batch answer, or throws its error. */
export function resultOf(answer: RpcAnswer, method = "call"): any {
  if ("error" in answer) throw new JsonRpcError(method, answer.error.code, answer.error.message, answer.error.data);
  return answer.result;
}

export const toQuantity = (n: number | bigint): string => `0x${n.toString(16)}`;
