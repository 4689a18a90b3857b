import { fromHex, toHex, type Hex } from "../lib/bytes";
import { hashPair } from "./tree";

/** Node pairs remembered by one walker; beyond it the memory starts over (memory stays bounded). */
const PAIR_LIMIT = 65_536;

/**
 * `processProof` for the many proofs of one verification call: a tree's proofs share all their
 * upper levels, and each pair of siblings is hashed once for the whole call instead of once per
 * certificate. Pairs are remembered by node, with the sibling they were hashed with (in an
 * honest tree each node has exactly one); a proof that pairs a node with anything else is hashed
 * afresh, so a hostile proof gets the same answer as from `processProof`, never a remembered one.
 */
export function createProofWalker(limit = PAIR_LIMIT): (leaf: Hex, proof: readonly Hex[]) => Hex {
  const pairs = new Map<string, { sibling: string; parent: Hex }>();
  return (leaf, proof) => {
    let node = leaf.toLowerCase() as Hex;
    for (const raw of proof) {
      const sibling = raw.toLowerCase() as Hex;
      const known = pairs.get(node);
      let parent: Hex;
      if (known !== undefined && known.sibling === sibling) parent = known.parent;
      else {
        parent = toHex(hashPair(fromHex(node), fromHex(sibling)));
        if (pairs.size + 2 > limit) pairs.clear();
        pairs.set(node, { sibling, parent });
        // The sibling's own proof meets the same pair from the other side.
        pairs.set(sibling, { sibling: node, parent });
      }
      node = parent;
    }
    return node;
  };
}
