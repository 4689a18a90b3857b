import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { AGENCY_A, AGENCY_B, OPEN_ENDED, ROOT_AUTHORITY_ROLE, agencyIdOf, deployRegistry, deployWithAgencies, typeIdOf } from "./fixture";

describe("CertchainRegistry: agencies, accreditations and operators", () => {
  describe("roles", () => {
    it("gives the constructor's account the root authority and admin roles, nobody else", async () => {
      const { registry, root, stranger } = await loadFixture(deployRegistry);
      expect(await registry.ROOT_AUTHORITY_ROLE()).to.equal(ROOT_AUTHORITY_ROLE);
      expect(await registry.hasRole(ROOT_AUTHORITY_ROLE, root.address)).to.equal(true);
      expect(await registry.hasRole(await registry.DEFAULT_ADMIN_ROLE(), root.address)).to.equal(true);
      expect(await registry.hasRole(ROOT_AUTHORITY_ROLE, stranger.address)).to.equal(false);
    });
  });

  describe("registerAgency", () => {
    it("registers under keccak256 of the UTF-8 slug and keeps a UTF-8 name", async () => {
      const { registry } = await loadFixture(deployRegistry);
      const id = agencyIdOf(AGENCY_A.slug);
      expect(await registry.registerAgency.staticCall(AGENCY_A.slug, AGENCY_A.name)).to.equal(id);
      await expect(registry.registerAgency(AGENCY_A.slug, AGENCY_A.name))
        .to.emit(registry, "AgencyRegistered")
        .withArgs(id, AGENCY_A.slug, AGENCY_A.name);
      const agency = await registry.agency(id);
      expect([agency.slug, agency.name, agency.registered]).to.deep.equal([AGENCY_A.slug, AGENCY_A.name, true]);
      expect(await registry.agencyIds()).to.deep.equal([id]);
    });

    it("accepts a UTF-8 slug, hashed as bytes", async () => {
      const { registry } = await loadFixture(deployRegistry);
      const slug = "上海-市监局";
      await expect(registry.registerAgency(slug, "上海市市场监督管理局"))
        .to.emit(registry, "AgencyRegistered")
        .withArgs(agencyIdOf(slug), slug, "上海市市场监督管理局");
    });

    it("lists agencies in registration order", async () => {
      const { registry } = await loadFixture(deployRegistry);
      await registry.registerAgency(AGENCY_A.slug, AGENCY_A.name);
      await registry.registerAgency(AGENCY_B.slug, AGENCY_B.name);
      expect(await registry.agencyIds()).to.deep.equal([agencyIdOf(AGENCY_A.slug), agencyIdOf(AGENCY_B.slug)]);
    });

    it("accepts a 64-byte slug and a 256-byte name (bytes, not characters)", async () => {
      const { registry } = await loadFixture(deployRegistry);
      const name = "局".repeat(85) + "x"; // 85 * 3 + 1 = 256 bytes
      await expect(registry.registerAgency("s".repeat(64), name)).to.emit(registry, "AgencyRegistered");
    });

    it("rejects an empty or over-long slug", async () => {
      const { registry } = await loadFixture(deployRegistry);
      await expect(registry.registerAgency("", AGENCY_A.name)).to.be.revertedWithCustomError(registry, "CertchainInvalidSlug");
      await expect(registry.registerAgency("s".repeat(65), AGENCY_A.name)).to.be.revertedWithCustomError(registry, "CertchainInvalidSlug");
      await expect(registry.registerAgency("局".repeat(22), AGENCY_A.name)) // 66 bytes, 22 characters
        .to.be.revertedWithCustomError(registry, "CertchainInvalidSlug");
    });

    it("rejects an empty or over-long name", async () => {
      const { registry } = await loadFixture(deployRegistry);
      await expect(registry.registerAgency(AGENCY_A.slug, "")).to.be.revertedWithCustomError(registry, "CertchainInvalidName");
      await expect(registry.registerAgency(AGENCY_A.slug, "局".repeat(86))) // 258 bytes
        .to.be.revertedWithCustomError(registry, "CertchainInvalidName");
    });

    it("rejects a slug registered already, even with another name", async () => {
      const { registry } = await loadFixture(deployWithAgencies);
      await expect(registry.registerAgency(AGENCY_A.slug, "另一个名字"))
        .to.be.revertedWithCustomError(registry, "CertchainAgencyAlreadyRegistered")
        .withArgs(agencyIdOf(AGENCY_A.slug));
    });

    it("refuses a caller without the root authority role", async () => {
      const { registry, stranger } = await loadFixture(deployRegistry);
      await expect(registry.connect(stranger).registerAgency(AGENCY_A.slug, AGENCY_A.name))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, ROOT_AUTHORITY_ROLE);
    });

    it("refuses an agency's own operator", async () => {
      const { registry, operatorA } = await loadFixture(deployWithAgencies);
      await expect(registry.connect(operatorA).registerAgency("x", "y"))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(operatorA.address, ROOT_AUTHORITY_ROLE);
    });

    it("lets a second root authority, granted by the admin, register", async () => {
      const { registry, stranger } = await loadFixture(deployRegistry);
      await registry.grantRole(ROOT_AUTHORITY_ROLE, stranger.address);
      await expect(registry.connect(stranger).registerAgency(AGENCY_A.slug, AGENCY_A.name)).to.emit(registry, "AgencyRegistered");
    });
  });

  describe("renameAgency", () => {
    it("changes the name, keeps the slug and id", async () => {
      const { registry, idA } = await loadFixture(deployWithAgencies);
      await expect(registry.renameAgency(idA, "上海市市场监管局")).to.emit(registry, "AgencyRenamed").withArgs(idA, "上海市市场监管局");
      const agency = await registry.agency(idA);
      expect([agency.slug, agency.name, agency.registered]).to.deep.equal([AGENCY_A.slug, "上海市市场监管局", true]);
    });

    it("rejects an unknown agency and an invalid name", async () => {
      const { registry, idA } = await loadFixture(deployWithAgencies);
      const unknown = agencyIdOf("nobody");
      await expect(registry.renameAgency(unknown, "x")).to.be.revertedWithCustomError(registry, "CertchainUnknownAgency").withArgs(unknown);
      await expect(registry.renameAgency(idA, "")).to.be.revertedWithCustomError(registry, "CertchainInvalidName");
      await expect(registry.renameAgency(idA, "n".repeat(257))).to.be.revertedWithCustomError(registry, "CertchainInvalidName");
    });

    it("refuses a caller without the root authority role", async () => {
      const { registry, idA, stranger } = await loadFixture(deployWithAgencies);
      await expect(registry.connect(stranger).renameAgency(idA, "x"))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, ROOT_AUTHORITY_ROLE);
    });
  });

  describe("setAccreditation", () => {
    const LICENCE = typeIdOf("urn:certchain:business-licence:1");
    const DIPLOMA = typeIdOf("urn:certchain:diploma:1");

    it("stores the window and emits it", async () => {
      const { registry, idA } = await loadFixture(deployWithAgencies);
      await expect(registry.setAccreditation(idA, LICENCE, 1_000, 2_000))
        .to.emit(registry, "AccreditationSet")
        .withArgs(idA, LICENCE, 1_000, 2_000);
      const acc = await registry.accreditation(idA, LICENCE);
      expect([acc.validFrom, acc.validUntil]).to.deep.equal([1_000n, 2_000n]);
    });

    it("stores validUntil 0 as open-ended (2^64-1) and emits the stored value", async () => {
      const { registry, idA } = await loadFixture(deployWithAgencies);
      await expect(registry.setAccreditation(idA, LICENCE, 1_000, 0))
        .to.emit(registry, "AccreditationSet")
        .withArgs(idA, LICENCE, 1_000, OPEN_ENDED);
      expect((await registry.accreditation(idA, LICENCE)).validUntil).to.equal(OPEN_ENDED);
    });

    it("reads a never-accredited type as validUntil 0", async () => {
      const { registry, idA } = await loadFixture(deployWithAgencies);
      const acc = await registry.accreditation(idA, LICENCE);
      expect([acc.validFrom, acc.validUntil]).to.deep.equal([0n, 0n]);
    });

    it("rejects an empty or inverted window", async () => {
      const { registry, idA } = await loadFixture(deployWithAgencies);
      await expect(registry.setAccreditation(idA, LICENCE, 2_000, 2_000))
        .to.be.revertedWithCustomError(registry, "CertchainInvalidWindow")
        .withArgs(2_000, 2_000);
      await expect(registry.setAccreditation(idA, LICENCE, 2_000, 1_000))
        .to.be.revertedWithCustomError(registry, "CertchainInvalidWindow")
        .withArgs(2_000, 1_000);
      await expect(registry.setAccreditation(idA, LICENCE, OPEN_ENDED, 0))
        .to.be.revertedWithCustomError(registry, "CertchainInvalidWindow")
        .withArgs(OPEN_ENDED, 0);
    });

    it("rejects an unknown agency", async () => {
      const { registry } = await loadFixture(deployWithAgencies);
      const unknown = agencyIdOf("nobody");
      await expect(registry.setAccreditation(unknown, LICENCE, 0, 0))
        .to.be.revertedWithCustomError(registry, "CertchainUnknownAgency")
        .withArgs(unknown);
    });

    it("lists each type once, even when set twice, and ends an accreditation by moving validUntil", async () => {
      const { registry, idA, idB } = await loadFixture(deployWithAgencies);
      await registry.setAccreditation(idA, LICENCE, 1_000, 0);
      await registry.setAccreditation(idA, DIPLOMA, 1_000, 0);
      await registry.setAccreditation(idA, LICENCE, 1_000, 5_000);
      expect(await registry.typeIdsOf(idA)).to.deep.equal([LICENCE, DIPLOMA]);
      expect(await registry.typeIdsOf(idB)).to.deep.equal([]);
      const acc = await registry.accreditation(idA, LICENCE);
      expect([acc.validFrom, acc.validUntil]).to.deep.equal([1_000n, 5_000n]);
    });

    it("refuses a caller without the root authority role", async () => {
      const { registry, idA, operatorA } = await loadFixture(deployWithAgencies);
      await expect(registry.connect(operatorA).setAccreditation(idA, LICENCE, 0, 0))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(operatorA.address, ROOT_AUTHORITY_ROLE);
    });
  });

  describe("addOperator / removeOperator", () => {
    it("assigns an account to one agency and emits", async () => {
      const { registry, idA, stranger } = await loadFixture(deployWithAgencies);
      await expect(registry.addOperator(idA, stranger.address)).to.emit(registry, "OperatorAdded").withArgs(idA, stranger.address);
      expect(await registry.operatorAgency(stranger.address)).to.equal(idA);
    });

    it("refuses an account that already serves an agency, its own or another", async () => {
      const { registry, idA, idB, operatorA } = await loadFixture(deployWithAgencies);
      for (const target of [idA, idB]) {
        await expect(registry.addOperator(target, operatorA.address))
          .to.be.revertedWithCustomError(registry, "CertchainOperatorAlreadyAssigned")
          .withArgs(operatorA.address, idA);
      }
    });

    it("rejects an unknown agency", async () => {
      const { registry, stranger } = await loadFixture(deployWithAgencies);
      const unknown = agencyIdOf("nobody");
      await expect(registry.addOperator(unknown, stranger.address))
        .to.be.revertedWithCustomError(registry, "CertchainUnknownAgency")
        .withArgs(unknown);
    });

    it("removes an operator, who may then serve another agency", async () => {
      const { registry, idA, idB, operatorA } = await loadFixture(deployWithAgencies);
      await expect(registry.removeOperator(operatorA.address)).to.emit(registry, "OperatorRemoved").withArgs(idA, operatorA.address);
      expect(await registry.operatorAgency(operatorA.address)).to.equal("0x" + "00".repeat(32));
      await expect(registry.addOperator(idB, operatorA.address)).to.emit(registry, "OperatorAdded").withArgs(idB, operatorA.address);
    });

    it("rejects removing an account that is no operator", async () => {
      const { registry, stranger } = await loadFixture(deployWithAgencies);
      await expect(registry.removeOperator(stranger.address))
        .to.be.revertedWithCustomError(registry, "CertchainNotAnOperator")
        .withArgs(stranger.address);
    });

    it("refuses a caller without the root authority role, including operators", async () => {
      const { registry, idA, operatorA, operatorB, stranger } = await loadFixture(deployWithAgencies);
      await expect(registry.connect(operatorA).addOperator(idA, stranger.address))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(operatorA.address, ROOT_AUTHORITY_ROLE);
      await expect(registry.connect(operatorA).removeOperator(operatorB.address))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(operatorA.address, ROOT_AUTHORITY_ROLE);
    });
  });
});
