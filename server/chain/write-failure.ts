import { revertNameOf } from "./revert-name";

/**
 * Why a chain write failed, as far as the node said. Only a failure without any answer from the
 * node (no JSON-RPC error: refused connection, timeout, dropped socket) counts as the chain being
 * unreachable; every answer the node gave is reported as what it was.
 */
export type WriteFailure =
  | { kind: "unreachable" }
  | { kind: "unfunded"; message: string }
  | { kind: "nonce"; message: string }
  | { kind: "reverted"; name: string }
  | { kind: "not-mined"; message: string }
  | { kind: "refused"; message: string };

/** Long hex (signed transactions, calldata) never leaves in a message: it names nothing a reader can act on. */
export const shortChainMessage = (text: string, max = 160): string => {
  const cleaned = text.replace(/0x[0-9a-fA-F]{67,}/g, (hex) => `0x${hex.slice(2, 10)}…(${(hex.length - 2) / 2} bytes)`).replace(/\s+/g, " ").trim();
  return cleaned.length > max ? `${cleaned.slice(0, max - 1)}…` : cleaned;
};

/** The node's own words, where ethers keeps them (its wrapper message repeats the request). */
function nodeMessageOf(error: any): string | undefined {
  for (const candidate of [error?.info?.error?.message, error?.error?.message, error?.shortMessage]) {
    if (typeof candidate === "string" && candidate.length > 0) return candidate;
  }
  return undefined;
}

/** Whether the node answered at all: a JSON-RPC error object, a revert, or an ethers code that only an answer produces. */
function nodeAnswered(error: any): boolean {
  if (error?.info?.error !== undefined || error?.error?.code !== undefined) return true;
  if (revertNameOf(error) !== undefined) return true;
  return ["INSUFFICIENT_FUNDS", "NONCE_EXPIRED", "REPLACEMENT_UNDERPRICED", "CALL_EXCEPTION", "TRANSACTION_REPLACED"].includes(error?.code);
}

export function classifyWriteFailure(error: unknown): WriteFailure {
  const e = error as any;
  const text = `${nodeMessageOf(e) ?? ""} ${typeof e?.message === "string" ? e.message : ""}`;
  if (e?.code === "INSUFFICIENT_FUNDS" || /insufficient funds|sender doesn't have enough funds|not enough funds/i.test(text)) {
    return { kind: "unfunded", message: shortChainMessage(nodeMessageOf(e) ?? "insufficient funds for gas * price + value") };
  }
  if (/was not mined within/.test(String(e?.message))) return { kind: "not-mined", message: shortChainMessage(String(e.message)) };
  if (!nodeAnswered(e)) return { kind: "unreachable" };
  if (e?.code === "NONCE_EXPIRED" || e?.code === "REPLACEMENT_UNDERPRICED" || e?.code === "TRANSACTION_REPLACED" || /nonce too (low|high)|replacement (fee|transaction) (too low|underpriced)|already known/i.test(text)) {
    return { kind: "nonce", message: shortChainMessage(nodeMessageOf(e) ?? String(e?.code)) };
  }
  const revert = revertNameOf(e);
  if (revert !== undefined || e?.code === "CALL_EXCEPTION") return { kind: "reverted", name: revert ?? shortChainMessage(e?.reason ?? nodeMessageOf(e) ?? "execution reverted", 80) };
  return { kind: "refused", message: shortChainMessage(nodeMessageOf(e) ?? String(e?.message ?? e)) };
}
