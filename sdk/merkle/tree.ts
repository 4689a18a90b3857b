import { compareBytes, concatBytes, fromHex, isBytes32Hex, toHex, type Hex } from "../lib/bytes";
import { keccak256 } from "../lib/hash";

/**
 * A Merkle tree laid out exactly as OpenZeppelin's `SimpleMerkleTree.of(leaves)` lays it out
 * (leaves sorted, array-backed complete binary tree, sorted-pair keccak256), so roots and proofs
 * are identical to the library's and verify with `MerkleProof.sol`. The library's `getProof`
 * searches the leaf linearly, which is quadratic over a batch; here every proof is O(log n).
 */
export interface MerkleTree {
  readonly root: Hex;
  readonly size: number;
  /** Proof for a leaf, or undefined when the leaf is not in the tree. */
  proofOf(leaf: Hex): Hex[] | undefined;
}

/** keccak256 of the two children in ascending order: OpenZeppelin's `standardNodeHash`. */
export function hashPair(a: Uint8Array, b: Uint8Array): Uint8Array {
  return compareBytes(a, b) <= 0 ? keccak256(concatBytes(a, b)) : keccak256(concatBytes(b, a));
}

/**
 * Builds the tree of a batch's leaves (32-byte hex, e.g. {@link credentialLeaf}) in linear passes.
 *
 * @example
 * const tree = buildMerkleTree(credentials.map(credentialLeaf));
 * const proof = tree.proofOf(credentialLeaf(credentials[0]));
 */
export function buildMerkleTree(leaves: readonly Hex[]): MerkleTree {
  if (leaves.length === 0) throw new RangeError("a Merkle tree needs at least one leaf");
  const sorted = leaves.map((leaf) => {
    if (!isBytes32Hex(leaf)) throw new TypeError(`not a 32-byte hex leaf: ${String(leaf)}`);
    return fromHex(leaf);
  });
  sorted.sort(compareBytes);
  const nodes: Uint8Array[] = new Array(2 * sorted.length - 1);
  const indexOfLeaf = new Map<string, number>();
  for (let i = 0; i < sorted.length; i++) {
    const at = nodes.length - 1 - i;
    nodes[at] = sorted[i];
    indexOfLeaf.set(toHex(sorted[i]), at);
  }
  for (let i = nodes.length - 1 - sorted.length; i >= 0; i--) nodes[i] = hashPair(nodes[2 * i + 1], nodes[2 * i + 2]);

  return {
    root: toHex(nodes[0]),
    size: sorted.length,
    proofOf(leaf) {
      let index = indexOfLeaf.get(leaf.toLowerCase());
      if (index === undefined) return undefined;
      const proof: Hex[] = [];
      while (index > 0) {
        proof.push(toHex(nodes[index % 2 === 1 ? index + 1 : index - 1]));
        index = (index - 1) >> 1;
      }
      return proof;
    },
  };
}

/**
 * The root a proof leads to, as `MerkleProof.processProof` computes it. Pass the same `memo` for
 * many proofs of one tree: they share their upper levels, so a batch costs about one hash per
 * certificate instead of one per level.
 */
export function processProof(leaf: Hex, proof: readonly Hex[], memo?: Map<string, Hex>): Hex {
  let node = leaf.toLowerCase() as Hex;
  for (const rawSibling of proof) {
    const sibling = rawSibling.toLowerCase() as Hex;
    const key = node < sibling ? node + sibling : sibling + node;
    let parent = memo?.get(key);
    if (parent === undefined) {
      parent = toHex(hashPair(fromHex(node), fromHex(sibling)));
      memo?.set(key, parent);
    }
    node = parent;
  }
  return node;
}
