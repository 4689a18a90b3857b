import { expect } from "chai";
import hre from "hardhat";
import { buildMerkleTree, processProof, type Hex } from "@certchain/sdk";
import { createProofWalker } from "@certchain/sdk/internal";

const leavesOf = (n: number, seed: string): Hex[] => Array.from({ length: n }, (_, i) => hre.ethers.id(`${seed}-${i}`) as Hex);

// verifyMany checks every proof of a call with one walker: it must answer exactly as processProof.
describe("sdk proof walker (verifyMany's shared Merkle proof check)", function () {
  it("leads every proof of several trees to its root, as processProof does", function () {
    const walk = createProofWalker();
    for (const [n, seed] of [[1, "a"], [2, "b"], [7, "c"], [300, "d"]] as const) {
      const leaves = leavesOf(n, seed);
      const tree = buildMerkleTree(leaves);
      // Twice: the second pass is answered from what the first remembered.
      for (let pass = 0; pass < 2; pass++) for (const leaf of leaves) expect(walk(leaf, tree.proofOf(leaf)!)).to.equal(tree.root);
    }
  });

  it("a remembered pair never answers for a node paired with another sibling (a tampered proof)", function () {
    const walk = createProofWalker();
    const leaves = leavesOf(64, "tamper");
    const tree = buildMerkleTree(leaves);
    for (const leaf of leaves) walk(leaf, tree.proofOf(leaf)!);
    const proof = tree.proofOf(leaves[5])!;
    for (let level = 0; level < proof.length; level++) {
      const tampered = proof.slice();
      tampered[level] = hre.ethers.id(`other-${level}`) as Hex;
      const answer = walk(leaves[5], tampered);
      expect(answer).to.equal(processProof(leaves[5], tampered));
      expect(answer).not.to.equal(tree.root);
    }
    // A proof for one leaf does not lead another to the root, remembered or not.
    expect(walk(leaves[6], proof)).to.equal(processProof(leaves[6], proof)).and.not.equal(tree.root);
    // And the honest proofs still verify after the tampered ones were hashed.
    for (const leaf of leaves) expect(walk(leaf, tree.proofOf(leaf)!)).to.equal(tree.root);
  });

  it("forgets and starts over at its limit, with the same answers", function () {
    const walk = createProofWalker(8);
    const leaves = leavesOf(100, "limit");
    const tree = buildMerkleTree(leaves);
    for (const leaf of leaves) expect(walk(leaf, tree.proofOf(leaf)!)).to.equal(tree.root);
  });

  it("accepts upper-case hex as processProof does", function () {
    const walk = createProofWalker();
    const leaves = leavesOf(9, "case");
    const tree = buildMerkleTree(leaves);
    const upper = (hex: Hex) => `0x${hex.slice(2).toUpperCase()}` as Hex;
    expect(walk(upper(leaves[3]), tree.proofOf(leaves[3])!.map(upper))).to.equal(tree.root);
  });
});
