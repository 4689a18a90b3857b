import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ROOT_AUTHORITY_ROLE, deployRegistry, deployWithAgencies, typeIdOf } from "./fixture";

const VCT = "https://certs.example.gov.cn/types/social-security-card/1";
const HASH = ethers.sha256(ethers.toUtf8Bytes('{"vct":"https://certs.example.gov.cn/types/social-security-card/1"}'));
const CODE = "0x53425a4b"; // "SBZK"

describe("CertchainRegistry: certificate types", () => {
  describe("registerType", () => {
    it("registers under keccak256 of the vct with the metadata hash, type code and block time", async () => {
      const { registry } = await loadFixture(deployRegistry);
      const typeId = typeIdOf(VCT);
      expect(await registry.registerType.staticCall(VCT, HASH, CODE)).to.equal(typeId);
      const tx = await registry.registerType(VCT, HASH, CODE);
      await expect(tx).to.emit(registry, "TypeRegistered").withArgs(typeId, VCT, HASH, CODE);
      const record = await registry.certificateType(typeId);
      expect([record.metadataHash, record.typeCode, record.registeredAt]).to.deep.equal([HASH, CODE, BigInt(await time.latest())]);
      expect(await registry.registeredTypeIds()).to.deep.equal([typeId]);
    });

    it("answers unregistered types with an empty record, and many types in one call", async () => {
      const { registry } = await loadFixture(deployRegistry);
      await registry.registerType(VCT, HASH, CODE);
      const other = typeIdOf("urn:certchain:vct:business-licence:1");
      const [known, unknown] = await registry.certificateTypes([typeIdOf(VCT), other]);
      expect(known.metadataHash).to.equal(HASH);
      expect([unknown.metadataHash, unknown.typeCode, unknown.registeredAt]).to.deep.equal([ethers.ZeroHash, "0x00000000", 0n]);
    });

    it("is final: the same vct cannot be registered again, not even with the same hash", async () => {
      const { registry } = await loadFixture(deployRegistry);
      await registry.registerType(VCT, HASH, CODE);
      const changed = ethers.sha256(ethers.toUtf8Bytes("changed"));
      for (const hash of [changed, HASH]) {
        await expect(registry.registerType(VCT, hash, CODE)).to.be.revertedWithCustomError(registry, "CertchainTypeAlreadyRegistered").withArgs(typeIdOf(VCT));
      }
      expect((await registry.certificateType(typeIdOf(VCT))).metadataHash).to.equal(HASH);
    });

    it("takes a changed document as a new version: a new vct, a new type id", async () => {
      const { registry } = await loadFixture(deployRegistry);
      const v2 = VCT.replace(/1$/, "2");
      await registry.registerType(VCT, HASH, CODE);
      await registry.registerType(v2, ethers.sha256(ethers.toUtf8Bytes("v2")), CODE);
      expect(await registry.registeredTypeIds()).to.deep.equal([typeIdOf(VCT), typeIdOf(v2)]);
    });

    it("rejects an empty or over-long vct, a zero hash and a zero type code", async () => {
      const { registry } = await loadFixture(deployRegistry);
      await expect(registry.registerType("", HASH, CODE)).to.be.revertedWithCustomError(registry, "CertchainInvalidType");
      await expect(registry.registerType("x".repeat(513), HASH, CODE)).to.be.revertedWithCustomError(registry, "CertchainInvalidType");
      await expect(registry.registerType(VCT, ethers.ZeroHash, CODE)).to.be.revertedWithCustomError(registry, "CertchainInvalidType");
      await expect(registry.registerType(VCT, HASH, "0x00000000")).to.be.revertedWithCustomError(registry, "CertchainInvalidType");
      await expect(registry.registerType("x".repeat(512), HASH, CODE)).to.emit(registry, "TypeRegistered");
    });

    it("refuses a caller without the root authority role, agencies' operators included", async () => {
      const { registry, operatorA, stranger } = await loadFixture(deployWithAgencies);
      for (const caller of [stranger, operatorA]) {
        await expect(registry.connect(caller).registerType(VCT, HASH, CODE))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, ROOT_AUTHORITY_ROLE);
      }
    });

    it("keeps accreditation a separate step that needs no registration (v1 registries accredited URN types never registered)", async () => {
      const { registry, idA } = await loadFixture(deployWithAgencies);
      const unregistered = typeIdOf("urn:certchain:vct:business-licence:1");
      await expect(registry.setAccreditation(idA, unregistered, 0, 0)).to.emit(registry, "AccreditationSet");
      await registry.registerType(VCT, HASH, CODE);
      expect((await registry.accreditation(idA, typeIdOf(VCT))).validUntil).to.equal(0n);
    });
  });
});
