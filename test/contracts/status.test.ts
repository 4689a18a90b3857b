import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { SimpleMerkleTree } from "@openzeppelin/merkle-tree";
import { NO_STATUS_INDEX, State, batch, deployWithAgencies, deployWithAnchors, timestampOf } from "./fixture";

const FRAUD = 3;
const APPEAL_UPHELD = 7;

describe("CertchainRegistry: certificate status", () => {
  describe("suspend / reinstate / revoke", () => {
    it("suspends in bulk: one event per certificate, status with reason and block time", async () => {
      const { registry, idA, operatorA, a } = await loadFixture(deployWithAnchors);
      const tx = registry.connect(operatorA).suspend(a.updates(0, 3, 6), FRAUD);
      for (const i of [0, 3, 6]) await expect(tx).to.emit(registry, "CertificateSuspended").withArgs(a.leaves[i], idA, FRAUD);
      const at = await timestampOf(await tx);
      const statuses = await registry.statusesOf(idA, a.leaves);
      statuses.forEach((s: any, i: number) => {
        const expected = [0, 3, 6].includes(i) ? [State.Suspended, BigInt(FRAUD), at] : [State.Active, 0n, 0n];
        expect([s.state, s.reason, s.updatedAt]).to.deep.equal(expected);
      });
      const one = await registry.statusOf(idA, a.leaves[3]);
      expect([one.state, one.reason, one.updatedAt]).to.deep.equal([State.Suspended, BigInt(FRAUD), at]);
    });

    it("reinstates a suspended certificate, by any operator of the agency", async () => {
      const { registry, idA, operatorA, operatorA2, a } = await loadFixture(deployWithAnchors);
      await registry.connect(operatorA).suspend(a.updates(2), FRAUD);
      const tx = registry.connect(operatorA2).reinstate(a.updates(2), APPEAL_UPHELD);
      await expect(tx).to.emit(registry, "CertificateReinstated").withArgs(a.leaves[2], idA, APPEAL_UPHELD);
      const s = await registry.statusOf(idA, a.leaves[2]);
      expect([s.state, s.reason, s.updatedAt]).to.deep.equal([State.Active, BigInt(APPEAL_UPHELD), await timestampOf(await tx)]);
    });

    it("revokes active and suspended certificates alike", async () => {
      const { registry, idA, operatorA, a } = await loadFixture(deployWithAnchors);
      await registry.connect(operatorA).suspend(a.updates(1), FRAUD);
      const tx = registry.connect(operatorA).revoke(a.updates(0, 1), FRAUD);
      await expect(tx).to.emit(registry, "CertificateRevoked").withArgs(a.leaves[0], idA, FRAUD);
      await expect(tx).to.emit(registry, "CertificateRevoked").withArgs(a.leaves[1], idA, FRAUD);
      const at = await timestampOf(await tx);
      for (const s of await registry.statusesOf(idA, [a.leaves[0], a.leaves[1]])) {
        expect([s.state, s.reason, s.updatedAt]).to.deep.equal([State.Revoked, BigInt(FRAUD), at]);
      }
    });

    it("treats certificates under several roots of the same agency in one batch", async () => {
      const { registry, idA, operatorA, a } = await loadFixture(deployWithAnchors);
      const c = batch("c", 3);
      await registry.connect(operatorA).anchorRoot(c.root, 3, ethers.ZeroHash);
      await expect(registry.connect(operatorA).revoke([...a.updates(4), ...c.updates(2)], FRAUD))
        .to.emit(registry, "CertificateRevoked")
        .withArgs(c.leaves[2], idA, FRAUD);
      const states = (await registry.statusesOf(idA, [a.leaves[4], c.leaves[2]])).map((s: any) => s.state);
      expect(states).to.deep.equal([State.Revoked, State.Revoked]);
    });

    it("accepts the single leaf of a one-certificate batch with an empty proof", async () => {
      const { registry, idB, operatorB } = await loadFixture(deployWithAgencies);
      const one = batch("one", 1);
      await registry.connect(operatorB).anchorRoot(one.root, 1, ethers.ZeroHash);
      expect(one.updates(0)[0].proof).to.deep.equal([]);
      await expect(registry.connect(operatorB).revoke(one.updates(0), FRAUD)).to.emit(registry, "CertificateRevoked").withArgs(one.leaves[0], idB, FRAUD);
    });
  });

  describe("state machine", () => {
    it("refuses to suspend a suspended certificate", async () => {
      const { registry, operatorA, a } = await loadFixture(deployWithAnchors);
      await registry.connect(operatorA).suspend(a.updates(0), FRAUD);
      await expect(registry.connect(operatorA).suspend(a.updates(0), FRAUD))
        .to.be.revertedWithCustomError(registry, "CertchainCertificateAlreadySuspended")
        .withArgs(a.leaves[0]);
    });

    it("refuses to reinstate an active certificate, never touched or reinstated already", async () => {
      const { registry, operatorA, a } = await loadFixture(deployWithAnchors);
      await expect(registry.connect(operatorA).reinstate(a.updates(0), APPEAL_UPHELD))
        .to.be.revertedWithCustomError(registry, "CertchainCertificateNotSuspended")
        .withArgs(a.leaves[0]);
      await registry.connect(operatorA).suspend(a.updates(1), FRAUD);
      await registry.connect(operatorA).reinstate(a.updates(1), APPEAL_UPHELD);
      await expect(registry.connect(operatorA).reinstate(a.updates(1), APPEAL_UPHELD))
        .to.be.revertedWithCustomError(registry, "CertchainCertificateNotSuspended")
        .withArgs(a.leaves[1]);
    });

    it("allows suspending again after a reinstatement", async () => {
      const { registry, idA, operatorA, a } = await loadFixture(deployWithAnchors);
      await registry.connect(operatorA).suspend(a.updates(0), FRAUD);
      await registry.connect(operatorA).reinstate(a.updates(0), APPEAL_UPHELD);
      await expect(registry.connect(operatorA).suspend(a.updates(0), 9)).to.emit(registry, "CertificateSuspended").withArgs(a.leaves[0], idA, 9);
    });

    it("makes revocation permanent: suspend, reinstate and revoke all fail afterwards", async () => {
      const { registry, idA, operatorA, a } = await loadFixture(deployWithAnchors);
      await registry.connect(operatorA).revoke(a.updates(5), FRAUD);
      const before = await registry.statusOf(idA, a.leaves[5]);
      for (const fn of ["suspend", "reinstate", "revoke"] as const) {
        await expect(registry.connect(operatorA)[fn](a.updates(5), 1))
          .to.be.revertedWithCustomError(registry, "CertchainCertificateRevoked")
          .withArgs(a.leaves[5]);
      }
      expect(await registry.statusOf(idA, a.leaves[5])).to.deep.equal(before);
    });
  });

  describe("all or nothing", () => {
    for (const fn of ["suspend", "revoke"] as const) {
      it(`${fn}: one bad item reverts the whole batch and changes nothing`, async () => {
        const { registry, idA, operatorA, a } = await loadFixture(deployWithAnchors);
        const bad = { leaf: a.leaves[4], root: a.root, proof: a.tree.getProof(5), statusIndex: NO_STATUS_INDEX };
        await expect(registry.connect(operatorA)[fn]([...a.updates(0, 1, 2), bad, ...a.updates(6)], FRAUD))
          .to.be.revertedWithCustomError(registry, "CertchainInvalidProof")
          .withArgs(a.leaves[4], a.root);
        const states = (await registry.statusesOf(idA, a.leaves)).map((s: any) => s.state);
        expect(states).to.deep.equal(a.leaves.map(() => State.Active));
      });
    }

    it("reinstate: one active certificate among suspended ones reverts the batch", async () => {
      const { registry, idA, operatorA, a } = await loadFixture(deployWithAnchors);
      await registry.connect(operatorA).suspend(a.updates(0, 1), FRAUD);
      await expect(registry.connect(operatorA).reinstate(a.updates(0, 2, 1), APPEAL_UPHELD))
        .to.be.revertedWithCustomError(registry, "CertchainCertificateNotSuspended")
        .withArgs(a.leaves[2]);
      const states = (await registry.statusesOf(idA, [a.leaves[0], a.leaves[1]])).map((s: any) => s.state);
      expect(states).to.deep.equal([State.Suspended, State.Suspended]);
    });

    it("a leaf listed twice in one batch reverts the batch", async () => {
      const { registry, idA, operatorA, a } = await loadFixture(deployWithAnchors);
      await expect(registry.connect(operatorA).revoke(a.updates(3, 3), FRAUD))
        .to.be.revertedWithCustomError(registry, "CertchainCertificateRevoked")
        .withArgs(a.leaves[3]);
      expect((await registry.statusOf(idA, a.leaves[3])).state).to.equal(State.Active);
    });

    it("a root of another agency in the batch reverts it", async () => {
      const { registry, idA, idB, operatorA, a, b } = await loadFixture(deployWithAnchors);
      await expect(registry.connect(operatorA).suspend([...a.updates(0), ...b.updates(0)], FRAUD))
        .to.be.revertedWithCustomError(registry, "CertchainRootOfAnotherAgency")
        .withArgs(b.root, idB);
      expect((await registry.statusOf(idA, a.leaves[0])).state).to.equal(State.Active);
    });
  });

  describe("authorisation", () => {
    for (const fn of ["suspend", "reinstate", "revoke"] as const) {
      describe(fn, () => {
        it("refuses an account that is no operator, including the root authority", async () => {
          const { registry, root, stranger, a } = await loadFixture(deployWithAnchors);
          for (const account of [stranger, root]) {
            await expect(registry.connect(account)[fn](a.updates(0), FRAUD))
              .to.be.revertedWithCustomError(registry, "CertchainNotAnOperator")
              .withArgs(account.address);
          }
        });

        it("refuses an operator of another agency (CertchainRootOfAnotherAgency)", async () => {
          const { registry, idA, operatorB, a } = await loadFixture(deployWithAnchors);
          await expect(registry.connect(operatorB)[fn](a.updates(0), FRAUD))
            .to.be.revertedWithCustomError(registry, "CertchainRootOfAnotherAgency")
            .withArgs(a.root, idA);
        });

        it("rejects an unknown root", async () => {
          const { registry, operatorA } = await loadFixture(deployWithAnchors);
          const stray = batch("never-anchored", 4);
          await expect(registry.connect(operatorA)[fn](stray.updates(1), FRAUD))
            .to.be.revertedWithCustomError(registry, "CertchainUnknownRoot")
            .withArgs(stray.root);
        });

        it("rejects a proof for another leaf, and a leaf not in the tree", async () => {
          const { registry, operatorA, a } = await loadFixture(deployWithAnchors);
          const wrongProof = { leaf: a.leaves[0], root: a.root, proof: a.tree.getProof(1), statusIndex: NO_STATUS_INDEX };
          await expect(registry.connect(operatorA)[fn]([wrongProof], FRAUD))
            .to.be.revertedWithCustomError(registry, "CertchainInvalidProof")
            .withArgs(a.leaves[0], a.root);
          const outsider = { leaf: ethers.id("forged"), root: a.root, proof: a.tree.getProof(0), statusIndex: NO_STATUS_INDEX };
          await expect(registry.connect(operatorA)[fn]([outsider], FRAUD))
            .to.be.revertedWithCustomError(registry, "CertchainInvalidProof")
            .withArgs(outsider.leaf, a.root);
        });

        it("refuses a removed operator", async () => {
          const { registry, operatorA, a } = await loadFixture(deployWithAnchors);
          await registry.removeOperator(operatorA.address);
          await expect(registry.connect(operatorA)[fn](a.updates(0), FRAUD))
            .to.be.revertedWithCustomError(registry, "CertchainNotAnOperator")
            .withArgs(operatorA.address);
        });
      });
    }

    it("an agency that puts another agency's leaf in its own tree cannot change that agency's status", async () => {
      const { registry, idA, idB, operatorA, operatorB, a } = await loadFixture(deployWithAnchors);
      // Leaves are hashes of signed credentials that every verifier sees: B can copy A's leaf.
      const victim = a.leaves[2];
      const hostile = SimpleMerkleTree.of([victim, ethers.id("filler")]);
      await registry.connect(operatorB).anchorRoot(hostile.root, 2, ethers.ZeroHash);
      await expect(registry.connect(operatorB).revoke([{ leaf: victim, root: hostile.root, proof: hostile.getProof(0), statusIndex: NO_STATUS_INDEX }], FRAUD))
        .to.emit(registry, "CertificateRevoked")
        .withArgs(victim, idB, FRAUD);
      // Read under the agency that anchored the verifier's root (A), the certificate is untouched...
      expect((await registry.statusOf(idA, victim)).state).to.equal(State.Active);
      expect((await registry.statusOf(idB, victim)).state).to.equal(State.Revoked);
      // ...and A still controls it.
      await expect(registry.connect(operatorA).suspend(a.updates(2), FRAUD))
        .to.emit(registry, "CertificateSuspended")
        .withArgs(victim, idA, FRAUD);
    });
  });

  describe("status-list indexes (format v2)", () => {
    it("emits StatusListIndexed with each change of a certificate that has an index, in the same transaction as the status event", async () => {
      const { registry, operatorA, idA, a } = await loadFixture(deployWithAnchors);
      const tx = registry.connect(operatorA).suspend(a.indexedUpdates(40, 1, 4), FRAUD);
      await expect(tx).to.emit(registry, "CertificateSuspended").withArgs(a.leaves[1], idA, FRAUD);
      await expect(tx).to.emit(registry, "StatusListIndexed").withArgs(idA, a.leaves[1], 41n);
      await expect(tx).to.emit(registry, "StatusListIndexed").withArgs(idA, a.leaves[4], 44n);
      await expect(registry.connect(operatorA).reinstate(a.indexedUpdates(40, 1), APPEAL_UPHELD))
        .to.emit(registry, "StatusListIndexed")
        .withArgs(idA, a.leaves[1], 41n);
      await expect(registry.connect(operatorA).revoke(a.indexedUpdates(40, 4), FRAUD))
        .to.emit(registry, "StatusListIndexed")
        .withArgs(idA, a.leaves[4], 44n);
    });

    it("emits no index for a certificate without one (NO_STATUS_INDEX, format v1)", async () => {
      const { registry, operatorA, a } = await loadFixture(deployWithAnchors);
      expect(await registry.NO_STATUS_INDEX()).to.equal(NO_STATUS_INDEX);
      await expect(registry.connect(operatorA).revoke(a.updates(0), FRAUD)).not.to.emit(registry, "StatusListIndexed");
      expect((await registry.statusOf(await registry.operatorAgency(operatorA.address), a.leaves[0])).state).to.equal(State.Revoked);
    });

    it("lets anyone map an agency's leaves to indexes from events alone", async () => {
      const { registry, operatorA, idA, a } = await loadFixture(deployWithAnchors);
      await registry.connect(operatorA).revoke(a.indexedUpdates(0, 2, 3), FRAUD);
      await registry.connect(operatorA).suspend(a.indexedUpdates(0, 5), FRAUD);
      const logs = await registry.queryFilter(registry.filters.StatusListIndexed(idA));
      const byLeaf = new Map(logs.map((log: any) => [log.args.leaf, log.args.statusIndex]));
      expect(byLeaf).to.deep.equal(new Map([[a.leaves[2], 2n], [a.leaves[3], 3n], [a.leaves[5], 5n]]));
    });
  });

  describe("cost", () => {
    it("revokes a batch of 100 for less than 40,000 gas per certificate", async () => {
      const { registry, operatorA } = await loadFixture(deployWithAgencies);
      const big = batch("big", 100);
      await registry.connect(operatorA).anchorRoot(big.root, 100, ethers.ZeroHash);
      const indices = Array.from({ length: 100 }, (_, i) => i);
      const receipt = await (await registry.connect(operatorA).revoke(big.updates(...indices), FRAUD)).wait();
      expect(receipt!.gasUsed / 100n).to.be.lessThan(40_000n);
    });

    it("revokes a batch of 100 with status-list indexes for less than 40,000 gas per certificate", async () => {
      const { registry, operatorA } = await loadFixture(deployWithAgencies);
      const big = batch("big-indexed", 100);
      await registry.connect(operatorA).anchorRoot(big.root, 100, ethers.ZeroHash);
      const indices = Array.from({ length: 100 }, (_, i) => i);
      const receipt = await (await registry.connect(operatorA).revoke(big.indexedUpdates(1_000, ...indices), FRAUD)).wait();
      expect(receipt!.gasUsed / 100n).to.be.lessThan(40_000n);
    });
  });
});
