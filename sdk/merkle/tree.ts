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

const NODE_BYTES = 32;

/**
 * Builds the tree of a batch's leaves (32-byte hex, e.g. {@link credentialLeaf}) in linear passes.
 *
 * @example
 * const tree = buildMerkleTree(credentials.map(credentialLeaf));
 * const proof = tree.proofOf(credentialLeaf(credentials[0]));
 */
export function buildMerkleTree(leaves: readonly Hex[]): MerkleTree {
  if (leaves.length === 0) throw new RangeError("a Merkle tree needs at least one leaf");
  // Lowercase hex strings of one length sort exactly as their bytes do, and natively.
  const sorted: string[] = new Array(leaves.length);
  for (let i = 0; i < leaves.length; i++) {
    const leaf = leaves[i];
    if (!isBytes32Hex(leaf)) throw new TypeError(`not a 32-byte hex leaf: ${String(leaf)}`);
    sorted[i] = leaf.toLowerCase();
  }
  sorted.sort();
  // Node i occupies bytes [32 i, 32 i + 32) of one buffer: a 10,000-leaf tree is one allocation
  // rather than 20,000, and each node's hex is made at most once, when a proof first needs it.
  const count = 2 * sorted.length - 1;
  const nodes = new Uint8Array(count * NODE_BYTES);
  const hexOfNode: (string | undefined)[] = new Array(count);
  const indexOfLeaf = new Map<string, number>();
  for (let i = 0; i < sorted.length; i++) {
    const at = count - 1 - i;
    nodes.set(fromHex(sorted[i]), at * NODE_BYTES);
    hexOfNode[at] = sorted[i];
    indexOfLeaf.set(sorted[i], at);
  }
  const pair = new Uint8Array(2 * NODE_BYTES);
  for (let i = count - 1 - sorted.length; i >= 0; i--) {
    const left = nodes.subarray((2 * i + 1) * NODE_BYTES, (2 * i + 2) * NODE_BYTES);
    const right = nodes.subarray((2 * i + 2) * NODE_BYTES, (2 * i + 3) * NODE_BYTES);
    // hashPair, without allocating the concatenation.
    const leftFirst = compareBytes(left, right) <= 0;
    pair.set(leftFirst ? left : right, 0);
    pair.set(leftFirst ? right : left, NODE_BYTES);
    nodes.set(keccak256(pair), i * NODE_BYTES);
  }
  const hexAt = (i: number): Hex => (hexOfNode[i] ??= toHex(nodes.subarray(i * NODE_BYTES, (i + 1) * NODE_BYTES))) as Hex;

  return {
    root: hexAt(0),
    size: sorted.length,
    proofOf(leaf) {
      let index = indexOfLeaf.get(leaf.toLowerCase());
      if (index === undefined) return undefined;
      const proof: Hex[] = [];
      while (index > 0) {
        proof.push(hexAt(index % 2 === 1 ? index + 1 : index - 1));
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
