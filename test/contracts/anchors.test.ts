import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { batch, deployWithAgencies, timestampOf } from "./fixture";

describe("CertchainRegistry: anchors", () => {
  const AUDIT_HEAD = ethers.id("audit-log-head-42");

  it("records the caller's agency, block timestamp, block number and size, and emits with the audit head", async () => {
    const { registry, idA, operatorA } = await loadFixture(deployWithAgencies);
    const { root } = batch("a", 10);
    const tx = registry.connect(operatorA).anchorRoot(root, 10, AUDIT_HEAD);
    await expect(tx).to.emit(registry, "RootAnchored").withArgs(root, idA, 10, AUDIT_HEAD);
    const receipt = await (await tx).wait();
    const anchor = await registry.anchorOf(root);
    expect(anchor.agencyId).to.equal(idA);
    expect(anchor.anchoredAt).to.equal(await timestampOf(await tx));
    expect(anchor.blockNumber).to.equal(BigInt(receipt!.blockNumber));
    expect(anchor.size).to.equal(10n);
  });

  it("lets every operator of an agency anchor for it", async () => {
    const { registry, idA, operatorA2 } = await loadFixture(deployWithAgencies);
    const { root } = batch("a2", 3);
    await expect(registry.connect(operatorA2).anchorRoot(root, 3, AUDIT_HEAD)).to.emit(registry, "RootAnchored").withArgs(root, idA, 3, AUDIT_HEAD);
  });

  it("accepts a batch of one certificate, whose root is the leaf itself", async () => {
    const { registry, idB, operatorB } = await loadFixture(deployWithAgencies);
    const { root, leaves } = batch("single", 1);
    expect(root).to.equal(leaves[0]);
    await registry.connect(operatorB).anchorRoot(root, 1, ethers.ZeroHash);
    expect((await registry.anchorOf(root)).agencyId).to.equal(idB);
  });

  it("reads an unknown root as an all-zero anchor", async () => {
    const { registry } = await loadFixture(deployWithAgencies);
    const anchor = await registry.anchorOf(ethers.id("never anchored"));
    expect([anchor.agencyId, anchor.anchoredAt, anchor.blockNumber, anchor.size]).to.deep.equal([ethers.ZeroHash, 0n, 0n, 0n]);
  });

  it("refuses to anchor a root twice, by the same or another agency, and keeps the first anchor", async () => {
    const { registry, idA, operatorA, operatorB } = await loadFixture(deployWithAgencies);
    const { root } = batch("a", 4);
    await registry.connect(operatorA).anchorRoot(root, 4, AUDIT_HEAD);
    const first = await registry.anchorOf(root);
    for (const op of [operatorA, operatorB]) {
      await expect(registry.connect(op).anchorRoot(root, 5, AUDIT_HEAD))
        .to.be.revertedWithCustomError(registry, "CertchainRootAlreadyAnchored")
        .withArgs(root);
    }
    expect(await registry.anchorOf(root)).to.deep.equal(first);
    expect(first.agencyId).to.equal(idA);
  });

  it("rejects an empty batch: size 0 or the zero root", async () => {
    const { registry, operatorA } = await loadFixture(deployWithAgencies);
    await expect(registry.connect(operatorA).anchorRoot(ethers.id("x"), 0, AUDIT_HEAD)).to.be.revertedWithCustomError(registry, "CertchainEmptyBatch");
    await expect(registry.connect(operatorA).anchorRoot(ethers.ZeroHash, 1, AUDIT_HEAD)).to.be.revertedWithCustomError(registry, "CertchainEmptyBatch");
  });

  it("refuses an account that is no operator, including the root authority and a removed operator", async () => {
    const { registry, root, operatorA, stranger } = await loadFixture(deployWithAgencies);
    await registry.removeOperator(operatorA.address);
    for (const account of [stranger, root, operatorA]) {
      await expect(registry.connect(account).anchorRoot(ethers.id("x"), 1, AUDIT_HEAD))
        .to.be.revertedWithCustomError(registry, "CertchainNotAnOperator")
        .withArgs(account.address);
    }
  });

  it("costs less than 100,000 gas to anchor a root", async () => {
    const { registry, operatorA } = await loadFixture(deployWithAgencies);
    const receipt = await (await registry.connect(operatorA).anchorRoot(batch("gas", 1000).root, 1000, AUDIT_HEAD)).wait();
    expect(receipt!.gasUsed).to.be.lessThan(100_000n);
  });
});
