import { Contract, Interface, type ContractTransactionReceipt, type ContractTransactionResponse, type Signer } from "ethers";
import { CERTCHAIN_REGISTRY_ABI, type Hex } from "@certchain/sdk";
import type { StatusAction } from "../domain/certificate";
import { receiptOf } from "./receipt";

export interface StatusUpdate {
  leaf: Hex;
  root: Hex;
  proof: Hex[];
  /** The certificate's Token Status List index (format v2); absent for v1 certificates. */
  statusIndex?: number;
}

/** The contract's `NO_STATUS_INDEX`: a certificate without a status-list entry. */
export const NO_STATUS_INDEX = 2n ** 64n - 1n;

// Parsed once: ethers parses a human-readable ABI anew for every Contract given the array, and an
// operator client is made per batch.
const registryInterface = new Interface(CERTCHAIN_REGISTRY_ABI);

/** An agency operator's writes: anchoring roots and changing certificate status in bulk. */
export function createOperatorClient(address: string, operator: Signer) {
  const contract = new Contract(address, registryInterface, operator);
  const sendAnchorRoot = (root: Hex, size: number, auditHead: Hex = `0x${"00".repeat(32)}`): Promise<ContractTransactionResponse> => contract.anchorRoot(root, size, auditHead);
  return {
    contract,
    /** Sends the anchor and returns once the node has it, so the caller can record the transaction before waiting for it. */
    sendAnchorRoot,
    async anchorRoot(root: Hex, size: number, auditHead?: Hex): Promise<ContractTransactionReceipt> {
      return receiptOf(await sendAnchorRoot(root, size, auditHead));
    },
    async changeStatus(action: StatusAction, updates: readonly StatusUpdate[], reason: number): Promise<ContractTransactionReceipt> {
      const tx = await contract.getFunction(action)(updates.map((u) => [u.leaf, u.root, u.proof, u.statusIndex ?? NO_STATUS_INDEX]), reason);
      return receiptOf(tx);
    },
  };
}

export type OperatorClient = ReturnType<typeof createOperatorClient>;
