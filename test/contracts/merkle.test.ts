import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { batch } from "./fixture";

describe("MerkleProofHarness: SimpleMerkleTree proofs verify on chain", () => {
  const deployHarness = async () => ({ harness: await ethers.deployContract("MerkleProofHarness") });

  for (const size of [1, 2, 3, 7, 16, 33]) {
    it(`accepts every proof of a ${size}-leaf tree`, async () => {
      const { harness } = await loadFixture(deployHarness);
      const { leaves, tree, root } = batch(`size-${size}`, size);
      for (let i = 0; i < size; i++) {
        expect(await harness.verify(tree.getProof(i), root, leaves[i]), `leaf ${i}`).to.equal(true);
      }
    });
  }

  it("rejects a proof for another leaf, a foreign leaf, a truncated proof and another root", async () => {
    const { harness } = await loadFixture(deployHarness);
    const { leaves, tree, root } = batch("wrong", 7);
    const other = batch("other", 7);
    expect(await harness.verify(tree.getProof(1), root, leaves[0])).to.equal(false);
    expect(await harness.verify(tree.getProof(0), root, ethers.id("forged"))).to.equal(false);
    expect(await harness.verify(tree.getProof(0).slice(1), root, leaves[0])).to.equal(false);
    expect(await harness.verify(tree.getProof(0), other.root, leaves[0])).to.equal(false);
    expect(await harness.verify([], root, leaves[0])).to.equal(false);
  });

  it("treats a single leaf as its own root with an empty proof", async () => {
    const { harness } = await loadFixture(deployHarness);
    const { leaves, root } = batch("single", 1);
    expect(root).to.equal(leaves[0]);
    expect(await harness.verify([], root, leaves[0])).to.equal(true);
    expect(await harness.verify([], root, ethers.id("other"))).to.equal(false);
  });
});
