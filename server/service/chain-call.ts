import { isCertchainError } from "@certchain/sdk";
import { classifyWriteFailure } from "../chain/write-failure";
import { apiError } from "../errors";
import { ROOT_WRITES, type ServiceContext } from "./context";

/** Whose transaction failed: named in the error, so whoever reads it knows which account to fund. */
export type WritingAccount = { role: "operator"; agency: string; account: string } | { role: "root"; account: string };

/** A chain call failed: the gate's own refusal as it is (mismatch or unavailable), anything else as CHAIN_UNAVAILABLE. */
export const chainFailure = (error: unknown) =>
  isCertchainError(error) && (error.code === "CHAIN_STATE_MISMATCH" || error.code === "CHAIN_UNAVAILABLE") ? error : apiError("CHAIN_UNAVAILABLE");

/** `work`, or CHAIN_UNAVAILABLE once `ms` have passed: a caller never waits on a silent chain longer. */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(apiError("CHAIN_UNAVAILABLE")), ms)))]).finally(() => clearTimeout(timer));
}

/**
 * A chain write failed: the gate's refusal as it is; no answer from the node is CHAIN_UNAVAILABLE;
 * any answer is reported as what it was (an account without funds, a nonce conflict, a revert,
 * a refusal in the node's words, shortened and without transaction hex), never as unreachable.
 */
export function chainWriteFailure(error: unknown, by: WritingAccount) {
  // Our own refusals (the gate's, a deadline's) are already what they should say.
  if (isCertchainError(error)) return error;
  const failure = classifyWriteFailure(error);
  switch (failure.kind) {
    case "unreachable":
      return apiError("CHAIN_UNAVAILABLE");
    case "unfunded":
      return by.role === "operator"
        ? apiError("OPERATOR_UNFUNDED", `The operator account ${by.account} of agency ${by.agency} cannot pay for transactions (${failure.message}): send funds to it.`, { agency: by.agency, account: by.account })
        : apiError("ROOT_AUTHORITY_UNFUNDED", `The root authority's account ${by.account} cannot pay for transactions (${failure.message}): send funds to it.`, { account: by.account });
    case "nonce":
      return apiError("CHAIN_NONCE_CONFLICT", `The chain refused the nonce of ${by.account} (${failure.message}): is another program sending from this account?`, { account: by.account });
    case "not-mined":
      return apiError("CHAIN_TX_NOT_MINED", `A transaction from ${by.account} was not mined in time; it may still be.`, { account: by.account });
    case "reverted":
      return apiError("CHAIN_TX_REVERTED", `The registry reverted the transaction from ${by.account}: ${failure.name}.`, { account: by.account, revert: failure.name });
    case "refused":
      return apiError("CHAIN_WRITE_REFUSED", `The chain refused the transaction from ${by.account}: ${failure.message}`, { account: by.account });
  }
}

/** A write of the root authority: one at a time (its one nonce), a failure named as chainWriteFailure names it. */
export async function rootChainWrite<T>(ctx: Pick<ServiceContext, "chainLock" | "rootAccount">, write: () => Promise<T>): Promise<T> {
  try {
    return await ctx.chainLock(ROOT_WRITES, write);
  } catch (error) {
    throw chainWriteFailure(error, { role: "root", account: await ctx.rootAccount() });
  }
}

/** A read once the chain gate is ready; a failure as chainFailure says it. */
export async function chainRead<T>(ctx: Pick<ServiceContext, "gate">, work: () => Promise<T>): Promise<T> {
  try {
    await ctx.gate.ready();
    return await work();
  } catch (error) {
    throw chainFailure(error);
  }
}
