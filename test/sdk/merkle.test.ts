import { expect } from "chai";
import hre from "hardhat";
import fc from "fast-check";
import { SimpleMerkleTree } from "@openzeppelin/merkle-tree";
import { buildMerkleTree, processProof, type Hex } from "@certchain/sdk";

const leavesOf = (n: number, seed = "leaf"): Hex[] => Array.from({ length: n }, (_, i) => hre.ethers.id(`${seed}-${i}`) as Hex);

describe("sdk merkle", function () {
  it("builds the same root as OpenZeppelin's SimpleMerkleTree, and every proof verifies with it", function () {
    // Up to 160 leaves: every depth from 0 to 8, with odd levels at each; deeper trees are the
    // 3,000-leaf test's. The cost is OpenZeppelin's verify of every proof, not the tree.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 160 }), fc.string(), (n, seed) => {
        const leaves = leavesOf(n, seed);
        const ours = buildMerkleTree(leaves);
        const theirs = SimpleMerkleTree.of(leaves);
        expect(ours.root).to.equal(theirs.root);
        for (const leaf of leaves) {
          const proof = ours.proofOf(leaf)!;
          expect(SimpleMerkleTree.verify(ours.root, leaf, proof)).to.equal(true);
          expect(processProof(leaf, proof)).to.equal(ours.root);
        }
      }),
      { numRuns: 40 },
    );
  });

  it("gives the library's own proofs, index for index", function () {
    const leaves = leavesOf(77);
    const ours = buildMerkleTree(leaves);
    const theirs = SimpleMerkleTree.of(leaves);
    for (const [i, leaf] of theirs.entries()) expect(ours.proofOf(leaf as Hex)).to.deep.equal(theirs.getProof(i));
  });

  it("upper-case and repeated leaves: the same root and proofs as OpenZeppelin's, found under either spelling", function () {
    const lower = leavesOf(40, "case");
    const leaves = [...lower.slice(0, 20).map((leaf) => `0x${leaf.slice(2).toUpperCase()}` as Hex), ...lower.slice(20), lower[3], lower[30]];
    const ours = buildMerkleTree(leaves);
    const theirs = SimpleMerkleTree.of(leaves);
    expect(ours.root).to.equal(theirs.root);
    expect(ours.size).to.equal(42);
    for (const leaf of lower) {
      const proof = ours.proofOf(leaf)!;
      expect(SimpleMerkleTree.verify(ours.root, leaf, proof)).to.equal(true);
      expect(ours.proofOf(`0x${leaf.slice(2).toUpperCase()}` as Hex)).to.deep.equal(proof);
    }
  });

  it("a 3,000-leaf tree (12 levels, deeper than the property test): OpenZeppelin's root, and every proof leads to it, asked twice", function () {
    const leaves = leavesOf(3_000, "deep");
    const ours = buildMerkleTree(leaves);
    expect(ours.root).to.equal(SimpleMerkleTree.of(leaves).root);
    const memo = new Map<string, Hex>();
    for (const leaf of leaves) expect(processProof(leaf, ours.proofOf(leaf)!, memo)).to.equal(ours.root);
    // Node hex is cached: the second answer is the same, and a caller changing one cannot change it.
    const first = ours.proofOf(leaves[7])!;
    first[0] = `0x${"00".repeat(32)}`;
    expect(processProof(leaves[7], ours.proofOf(leaves[7])!)).to.equal(ours.root);
  });

  it("proofs verify on chain with OpenZeppelin's MerkleProof.sol", async function () {
    const harness = await (await hre.ethers.getContractFactory("MerkleProofHarness")).deploy();
    for (const n of [1, 2, 5, 64, 1000]) {
      const leaves = leavesOf(n, `chain${n}`);
      const tree = buildMerkleTree(leaves);
      for (const leaf of [leaves[0], leaves[n - 1], leaves[Math.floor(n / 2)]]) {
        expect(await harness.verify(tree.proofOf(leaf)!, tree.root, leaf)).to.equal(true);
      }
      if (n > 1) expect(await harness.verify(tree.proofOf(leaves[0])!, tree.root, leaves[1])).to.equal(false);
    }
  });

  it("has no proof for a leaf outside the tree and refuses malformed leaves", function () {
    const tree = buildMerkleTree(leavesOf(10));
    expect(tree.proofOf(hre.ethers.id("stranger") as Hex)).to.equal(undefined);
    expect(() => buildMerkleTree([])).to.throw(RangeError);
    expect(() => buildMerkleTree(["0x1234" as Hex])).to.throw(TypeError);
  });

  it("a proof for one leaf does not lead another leaf to the root", function () {
    const leaves = leavesOf(33);
    const tree = buildMerkleTree(leaves);
    expect(processProof(leaves[1], tree.proofOf(leaves[0])!)).not.to.equal(tree.root);
  });
});
