import { Contract, type ContractTransactionReceipt, type Signer } from "ethers";
import { CERTCHAIN_REGISTRY_ABI, type Hex } from "@certchain/sdk";
import { receiptOf } from "./receipt";

export interface StatusUpdate {
  leaf: Hex;
  root: Hex;
  proof: Hex[];
}

export type StatusAction = "revoke" | "suspend" | "reinstate";

/** An agency operator's writes: anchoring roots and changing certificate status in bulk. */
export function createOperatorClient(address: string, operator: Signer) {
  const contract = new Contract(address, CERTCHAIN_REGISTRY_ABI, operator);
  return {
    contract,
    async anchorRoot(root: Hex, size: number, auditHead: Hex = `0x${"00".repeat(32)}`): Promise<ContractTransactionReceipt> {
      const tx = await contract.anchorRoot(root, size, auditHead);
      return receiptOf(tx);
    },
    async changeStatus(action: StatusAction, updates: readonly StatusUpdate[], reason: number): Promise<ContractTransactionReceipt> {
      const tx = await contract.getFunction(action)(updates.map((u) => [u.leaf, u.root, u.proof]), reason);
      return receiptOf(tx);
    },
  };
}

export type OperatorClient = ReturnType<typeof createOperatorClient>;
