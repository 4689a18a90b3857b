import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { KeyAlgorithm, OPEN_ENDED, ROOT_AUTHORITY_ROLE, agencyIdOf, deployWithAgencies, ed25519Key, es256Key, sm2Key } from "./fixture";

describe("CertchainRegistry: signing keys", () => {
  const ed = ed25519Key();
  const p256 = es256Key();
  const sm2 = sm2Key();

  async function withKey() {
    const f = await deployWithAgencies();
    await f.registry.addSigningKey(f.idA, ed.keyId, KeyAlgorithm.EdDSA, ed.publicKey, 1_000);
    return f;
  }

  describe("addSigningKey", () => {
    it("registers an Ed25519 key (32 bytes), open-ended, and emits", async () => {
      const { registry, idA } = await loadFixture(deployWithAgencies);
      await expect(registry.addSigningKey(idA, ed.keyId, KeyAlgorithm.EdDSA, ed.publicKey, 1_000))
        .to.emit(registry, "SigningKeyAdded")
        .withArgs(idA, ed.keyId, KeyAlgorithm.EdDSA, ed.publicKey, 1_000);
      const key = await registry.signingKey(ed.keyId);
      expect([key.agencyId, key.alg, key.validFrom, key.validUntil, key.revoked, key.publicKey]).to.deep.equal([
        idA, BigInt(KeyAlgorithm.EdDSA), 1_000n, OPEN_ENDED, false, ed.publicKey,
      ]);
      expect(await registry.keyIdsOf(idA)).to.deep.equal([ed.keyId]);
    });

    it("registers an ES256 key (65 bytes, uncompressed 0x04 point)", async () => {
      const { registry, idA } = await loadFixture(deployWithAgencies);
      expect(ethers.getBytes(p256.publicKey)[0]).to.equal(0x04);
      await expect(registry.addSigningKey(idA, p256.keyId, KeyAlgorithm.ES256, p256.publicKey, 0))
        .to.emit(registry, "SigningKeyAdded")
        .withArgs(idA, p256.keyId, KeyAlgorithm.ES256, p256.publicKey, 0);
      expect((await registry.signingKey(p256.keyId)).publicKey).to.equal(p256.publicKey);
    });

    it("registers an SM2 key (65 bytes, uncompressed 0x04 point) beside the agency's Ed25519 key", async () => {
      const { registry, idA } = await loadFixture(withKey);
      await expect(registry.addSigningKey(idA, sm2.keyId, KeyAlgorithm.SM2, sm2.publicKey, 2_000))
        .to.emit(registry, "SigningKeyAdded")
        .withArgs(idA, sm2.keyId, KeyAlgorithm.SM2, sm2.publicKey, 2_000);
      const key = await registry.signingKey(sm2.keyId);
      expect([key.alg, key.publicKey, key.validFrom]).to.deep.equal([BigInt(KeyAlgorithm.SM2), sm2.publicKey, 2_000n]);
      expect(await registry.keyIdsOf(idA)).to.deep.equal([ed.keyId, sm2.keyId]);
    });

    it("lists an agency's keys in order, apart from other agencies' keys", async () => {
      const { registry, idA, idB } = await loadFixture(deployWithAgencies);
      const other = ed25519Key();
      await registry.addSigningKey(idA, ed.keyId, KeyAlgorithm.EdDSA, ed.publicKey, 0);
      await registry.addSigningKey(idB, other.keyId, KeyAlgorithm.EdDSA, other.publicKey, 0);
      await registry.addSigningKey(idA, p256.keyId, KeyAlgorithm.ES256, p256.publicKey, 0);
      expect(await registry.keyIdsOf(idA)).to.deep.equal([ed.keyId, p256.keyId]);
      expect(await registry.keyIdsOf(idB)).to.deep.equal([other.keyId]);
    });

    const malformed: [string, number, string][] = [
      ["Ed25519 of 31 bytes", KeyAlgorithm.EdDSA, ed.publicKey.slice(0, -2)],
      ["Ed25519 of 33 bytes", KeyAlgorithm.EdDSA, ed.publicKey + "00"],
      ["Ed25519 given a P-256 key", KeyAlgorithm.EdDSA, p256.publicKey],
      ["P-256 of 64 bytes (no prefix)", KeyAlgorithm.ES256, "0x" + p256.publicKey.slice(4)],
      ["P-256 compressed (33 bytes)", KeyAlgorithm.ES256, "0x02" + p256.publicKey.slice(4, 68)],
      ["P-256 of 65 bytes with prefix 0x02", KeyAlgorithm.ES256, "0x02" + p256.publicKey.slice(4)],
      ["P-256 given an Ed25519 key", KeyAlgorithm.ES256, ed.publicKey],
      ["SM2 of 64 bytes (no prefix)", KeyAlgorithm.SM2, "0x" + sm2.publicKey.slice(4)],
      ["SM2 compressed (33 bytes)", KeyAlgorithm.SM2, "0x03" + sm2.publicKey.slice(4, 68)],
      ["SM2 of 65 bytes with prefix 0x03", KeyAlgorithm.SM2, "0x03" + sm2.publicKey.slice(4)],
      ["SM2 given an Ed25519 key", KeyAlgorithm.SM2, ed.publicKey],
      ["algorithm Unknown", KeyAlgorithm.Unknown, ed.publicKey],
      ["empty key", KeyAlgorithm.EdDSA, "0x"],
    ];
    for (const [label, alg, publicKey] of malformed) {
      it(`rejects ${label}`, async () => {
        const { registry, idA } = await loadFixture(deployWithAgencies);
        await expect(registry.addSigningKey(idA, ed.keyId, alg, publicKey, 0))
          .to.be.revertedWithCustomError(registry, "CertchainInvalidPublicKey")
          .withArgs(alg, ethers.dataLength(publicKey));
      });
    }

    it("rejects an algorithm number outside the enum", async () => {
      const { registry, idA } = await loadFixture(deployWithAgencies);
      await expect(registry.addSigningKey(idA, ed.keyId, 4, ed.publicKey, 0)).to.be.reverted;
    });

    it("rejects a key id registered already, by any agency", async () => {
      const { registry, idB } = await loadFixture(withKey);
      await expect(registry.addSigningKey(idB, ed.keyId, KeyAlgorithm.ES256, p256.publicKey, 0))
        .to.be.revertedWithCustomError(registry, "CertchainKeyAlreadyRegistered")
        .withArgs(ed.keyId);
    });

    it("rejects an unknown agency", async () => {
      const { registry } = await loadFixture(deployWithAgencies);
      const unknown = agencyIdOf("nobody");
      await expect(registry.addSigningKey(unknown, ed.keyId, KeyAlgorithm.EdDSA, ed.publicKey, 0))
        .to.be.revertedWithCustomError(registry, "CertchainUnknownAgency")
        .withArgs(unknown);
    });

    it("refuses a caller without the root authority role", async () => {
      const { registry, idA, operatorA } = await loadFixture(deployWithAgencies);
      await expect(registry.connect(operatorA).addSigningKey(idA, ed.keyId, KeyAlgorithm.EdDSA, ed.publicKey, 0))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(operatorA.address, ROOT_AUTHORITY_ROLE);
    });
  });

  for (const [fn, event, revoked] of [
    ["retireSigningKey", "SigningKeyRetired", false],
    ["revokeSigningKey", "SigningKeyRevoked", true],
  ] as const) {
    describe(fn, () => {
      it(`moves validUntil back, sets revoked=${revoked}, and emits ${event}`, async () => {
        const { registry, idA } = await loadFixture(withKey);
        await expect(registry[fn](ed.keyId, 5_000)).to.emit(registry, event).withArgs(idA, ed.keyId, 5_000);
        const key = await registry.signingKey(ed.keyId);
        expect([key.validUntil, key.revoked]).to.deep.equal([5_000n, revoked]);
      });

      it("may shrink again, or repeat the same end, but never extend (CertchainKeyWindowExtended)", async () => {
        const { registry, idA } = await loadFixture(withKey);
        await registry[fn](ed.keyId, 5_000);
        await expect(registry[fn](ed.keyId, 5_000)).to.emit(registry, event).withArgs(idA, ed.keyId, 5_000);
        await expect(registry[fn](ed.keyId, 5_001))
          .to.be.revertedWithCustomError(registry, "CertchainKeyWindowExtended")
          .withArgs(ed.keyId, 5_000, 5_001);
        await expect(registry[fn](ed.keyId, OPEN_ENDED))
          .to.be.revertedWithCustomError(registry, "CertchainKeyWindowExtended")
          .withArgs(ed.keyId, 5_000, OPEN_ENDED);
        await expect(registry[fn](ed.keyId, 4_000)).to.emit(registry, event).withArgs(idA, ed.keyId, 4_000);
        expect((await registry.signingKey(ed.keyId)).validUntil).to.equal(4_000n);
      });

      it("rejects an unknown key", async () => {
        const { registry } = await loadFixture(withKey);
        await expect(registry[fn](p256.keyId, 5_000))
          .to.be.revertedWithCustomError(registry, "CertchainUnknownKey")
          .withArgs(p256.keyId);
      });

      it("refuses a caller without the root authority role", async () => {
        const { registry, operatorA } = await loadFixture(withKey);
        await expect(registry.connect(operatorA)[fn](ed.keyId, 5_000))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(operatorA.address, ROOT_AUTHORITY_ROLE);
      });
    });
  }

  describe("retire then revoke", () => {
    it("revoking a retired key may move the end further back and marks it revoked", async () => {
      const { registry, idA } = await loadFixture(withKey);
      await registry.retireSigningKey(ed.keyId, 5_000);
      await expect(registry.revokeSigningKey(ed.keyId, 3_000)).to.emit(registry, "SigningKeyRevoked").withArgs(idA, ed.keyId, 3_000);
      const key = await registry.signingKey(ed.keyId);
      expect([key.validUntil, key.revoked]).to.deep.equal([3_000n, true]);
    });

    it("a revoked key stays revoked when retired afterwards", async () => {
      const { registry } = await loadFixture(withKey);
      await registry.revokeSigningKey(ed.keyId, 5_000);
      await registry.retireSigningKey(ed.keyId, 4_000);
      const key = await registry.signingKey(ed.keyId);
      expect([key.validUntil, key.revoked]).to.deep.equal([4_000n, true]);
    });
  });
});
