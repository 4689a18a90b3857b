import { isBytes32Hex, type Hex } from "../lib/bytes";
import { buildMerkleTree, processProof } from "../merkle/tree";
import { consentReceiptLeaf, type ConsentReceipt } from "./receipt";

/** A period's receipts as a Merkle tree: its root to anchor, and each receipt's proof. */
export interface ConsentReceiptTree {
  root: Hex;
  size: number;
  /** The receipt's inclusion proof, or undefined when the receipt is not in the tree. */
  proofOf(receipt: ConsentReceipt): Hex[] | undefined;
}

/**
 * Builds the tree of a period's receipts (leaves: {@link consentReceiptLeaf}) with `buildMerkleTree`
 * (sorted-pair keccak256, OpenZeppelin-compatible): a department anchors `root` (for example as a
 * batch root of its own agency on the registry), and hands each citizen or supervisor their proof.
 *
 * @throws CertchainError `CONSENT_RECEIPT_INVALID` for a malformed receipt; RangeError for none.
 * @example
 * const tree = buildConsentReceiptTree(receiptsOfDecember);
 * await operator.anchorRoot(tree.root, tree.size);
 */
export function buildConsentReceiptTree(receipts: readonly ConsentReceipt[]): ConsentReceiptTree {
  const tree = buildMerkleTree(receipts.map(consentReceiptLeaf));
  return { root: tree.root, size: tree.size, proofOf: (receipt) => tree.proofOf(consentReceiptLeaf(receipt)) };
}

/**
 * Whether `proof` leads from the receipt's leaf to `root`: with the root found anchored on the
 * chain (by the department's agency, at a time), this proves the department recorded that use.
 * Never throws: a malformed receipt, proof or root is simply false.
 *
 * @example
 * verifyConsentReceiptProof(receipt, proof, anchoredRoot); // true
 */
export function verifyConsentReceiptProof(receipt: ConsentReceipt, proof: readonly Hex[], root: Hex): boolean {
  try {
    if (!isBytes32Hex(root) || !Array.isArray(proof) || proof.length > 64 || !proof.every(isBytes32Hex)) return false;
    return processProof(consentReceiptLeaf(receipt), proof) === root.toLowerCase();
  } catch {
    return false;
  }
}
