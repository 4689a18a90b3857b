import type { ContractTransactionReceipt, ContractTransactionResponse, TransactionReceipt, TransactionResponse } from "ethers";

/** Longest wait for a receipt. The service's wallets return once mined, so this only bounds a node lost in between. */
export const RECEIPT_TIMEOUT_MS = 120_000;

/**
 * The receipt of a sent transaction, with a deadline: ethers' `wait()` without one keeps
 * listening forever for a transaction the node no longer has.
 */
export async function receiptOf(tx: ContractTransactionResponse): Promise<ContractTransactionReceipt>;
export async function receiptOf(tx: TransactionResponse): Promise<TransactionReceipt>;
export async function receiptOf(tx: TransactionResponse | ContractTransactionResponse): Promise<TransactionReceipt> {
  return (await tx.wait(1, RECEIPT_TIMEOUT_MS))!;
}
