import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { AGENCY_A, AGENCY_B, OPEN_ENDED, ROOT_AUTHORITY_ROLE, agencyIdOf, creditCodeOf, deployRegistry, deployWithAgencies, typeIdOf } from "./fixture";

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
      expect(await registry.registerAgency.staticCall(AGENCY_A.slug, AGENCY_A.name, AGENCY_A.creditCode)).to.equal(id);
      await expect(registry.registerAgency(AGENCY_A.slug, AGENCY_A.name, AGENCY_A.creditCode))
        .to.emit(registry, "AgencyRegistered")
        .withArgs(id, AGENCY_A.slug, AGENCY_A.name, AGENCY_A.creditCode);
      const agency = await registry.agency(id);
      expect([agency.slug, agency.name, agency.registered, agency.creditCode]).to.deep.equal([AGENCY_A.slug, AGENCY_A.name, true, AGENCY_A.creditCode]);
      expect(await registry.agencyIds()).to.deep.equal([id]);
    });

    it("accepts a UTF-8 slug, hashed as bytes", async () => {
      const { registry } = await loadFixture(deployRegistry);
      const slug = "上海-市监局";
      await expect(registry.registerAgency(slug, "上海市市场监督管理局", AGENCY_A.creditCode))
        .to.emit(registry, "AgencyRegistered")
        .withArgs(agencyIdOf(slug), slug, "上海市市场监督管理局", AGENCY_A.creditCode);
    });

    it("lists agencies in registration order", async () => {
      const { registry } = await loadFixture(deployRegistry);
      await registry.registerAgency(AGENCY_A.slug, AGENCY_A.name, AGENCY_A.creditCode);
      await registry.registerAgency(AGENCY_B.slug, AGENCY_B.name, AGENCY_B.creditCode);
      expect(await registry.agencyIds()).to.deep.equal([agencyIdOf(AGENCY_A.slug), agencyIdOf(AGENCY_B.slug)]);
    });

    it("accepts a 64-byte slug and a 256-byte name (bytes, not characters)", async () => {
      const { registry } = await loadFixture(deployRegistry);
      const name = "局".repeat(85) + "x"; // 85 * 3 + 1 = 256 bytes
      await expect(registry.registerAgency("s".repeat(64), name, AGENCY_A.creditCode)).to.emit(registry, "AgencyRegistered");
    });

    it("rejects an empty or over-long slug", async () => {
      const { registry } = await loadFixture(deployRegistry);
      await expect(registry.registerAgency("", AGENCY_A.name, AGENCY_A.creditCode)).to.be.revertedWithCustomError(registry, "CertchainInvalidSlug");
      await expect(registry.registerAgency("s".repeat(65), AGENCY_A.name, AGENCY_A.creditCode)).to.be.revertedWithCustomError(registry, "CertchainInvalidSlug");
      await expect(registry.registerAgency("局".repeat(22), AGENCY_A.name, AGENCY_A.creditCode)) // 66 bytes, 22 characters
        .to.be.revertedWithCustomError(registry, "CertchainInvalidSlug");
    });

    it("rejects an empty or over-long name", async () => {
      const { registry } = await loadFixture(deployRegistry);
      await expect(registry.registerAgency(AGENCY_A.slug, "", AGENCY_A.creditCode)).to.be.revertedWithCustomError(registry, "CertchainInvalidName");
      await expect(registry.registerAgency(AGENCY_A.slug, "局".repeat(86), AGENCY_A.creditCode)) // 258 bytes
        .to.be.revertedWithCustomError(registry, "CertchainInvalidName");
    });

    it("rejects a slug registered already, even with another name", async () => {
      const { registry } = await loadFixture(deployWithAgencies);
      await expect(registry.registerAgency(AGENCY_A.slug, "另一个名字", creditCodeOf("11310000MB2F30002R")))
        .to.be.revertedWithCustomError(registry, "CertchainAgencyAlreadyRegistered")
        .withArgs(agencyIdOf(AGENCY_A.slug));
    });

    it("refuses a caller without the root authority role", async () => {
      const { registry, stranger } = await loadFixture(deployRegistry);
      await expect(registry.connect(stranger).registerAgency(AGENCY_A.slug, AGENCY_A.name, AGENCY_A.creditCode))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, ROOT_AUTHORITY_ROLE);
    });

    it("refuses an agency's own operator", async () => {
      const { registry, operatorA } = await loadFixture(deployWithAgencies);
      await expect(registry.connect(operatorA).registerAgency("x", "y", AGENCY_A.creditCode))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(operatorA.address, ROOT_AUTHORITY_ROLE);
    });

    it("lets a second root authority, granted by the admin, register", async () => {
      const { registry, stranger } = await loadFixture(deployRegistry);
      await registry.grantRole(ROOT_AUTHORITY_ROLE, stranger.address);
      await expect(registry.connect(stranger).registerAgency(AGENCY_A.slug, AGENCY_A.name, AGENCY_A.creditCode)).to.emit(registry, "AgencyRegistered");
    });
  });

  describe("unified social credit codes", () => {
    it("keeps the code with the agency, finds the agency by its code, and returns it in verificationContexts", async () => {
      const { registry, idA, idB } = await loadFixture(deployWithAgencies);
      expect((await registry.agency(idA)).creditCode).to.equal(AGENCY_A.creditCode);
      expect(await registry.agencyOfCreditCode(AGENCY_A.creditCode)).to.equal(idA);
      expect(await registry.agencyOfCreditCode(AGENCY_B.creditCode)).to.equal(idB);
      expect(await registry.agencyOfCreditCode(creditCodeOf("11310000MB2F30002R"))).to.equal(ethers.ZeroHash);
    });

    it("accepts every character of GB 32100's alphabet where it may stand", async () => {
      const { registry } = await loadFixture(deployRegistry);
      const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
      // Positions 1-2 and 9-18 take the whole alphabet; 3-8 (the division code) digits only.
      for (let i = 0; i < alphabet.length; i += 10) {
        const letters = alphabet.slice(i, i + 10).padEnd(10, "0");
        const code = `${alphabet[i]}${alphabet[(i + 30) % 31]}310000${letters}`;
        await expect(registry.registerAgency(`code-${i}`, "局", creditCodeOf(code))).to.emit(registry, "AgencyRegistered").withArgs(agencyIdOf(`code-${i}`), `code-${i}`, "局", creditCodeOf(code));
      }
    });

    it("rejects a code outside GB 32100's structure with CertchainInvalidCreditCode", async () => {
      const { registry } = await loadFixture(deployRegistry);
      const bad = [
        "00".repeat(18), // none
        creditCodeOf("11310000MB2F30001n"), // lowercase
        creditCodeOf("11310000MB2F3000IN"), // I is not in the alphabet
        creditCodeOf("1131000OMB2F30001N"), // O
        creditCodeOf("11310000MS2F30001N"), // S
        creditCodeOf("11310000MV2F30001N"), // V
        creditCodeOf("11310000MZ2F30001N"), // Z
        creditCodeOf("1131A000MB2F30001N"), // a letter in the division code
        creditCodeOf("11310000MB2F3000 N"), // a space
        "0x" + "31".repeat(17) + "00", // a NUL in the last place
      ];
      for (const code of bad) {
        const normalised = code.startsWith("0x") ? code : `0x${code}`;
        await expect(registry.registerAgency(AGENCY_A.slug, AGENCY_A.name, normalised), normalised)
          .to.be.revertedWithCustomError(registry, "CertchainInvalidCreditCode")
          .withArgs(normalised);
      }
    });

    it("leaves the check character to the root authority's client (frozen records keep their code as issued)", async () => {
      const { registry } = await loadFixture(deployRegistry);
      // The check character of 11310000MB2F30001 is N; the frozen format-v1 vectors carry X.
      await expect(registry.registerAgency("sh-vectors", "向量测试机构", creditCodeOf("11310000MB2F30001X"))).to.emit(registry, "AgencyRegistered");
    });

    it("refuses a code another agency holds with CertchainCreditCodeTaken", async () => {
      const { registry, idA } = await loadFixture(deployWithAgencies);
      await expect(registry.registerAgency("sh-other", "另一个局", AGENCY_A.creditCode))
        .to.be.revertedWithCustomError(registry, "CertchainCreditCodeTaken")
        .withArgs(AGENCY_A.creditCode, idA);
    });
  });

  describe("renameAgency", () => {
    it("changes the name, keeps the slug and id", async () => {
      const { registry, idA } = await loadFixture(deployWithAgencies);
      await expect(registry.renameAgency(idA, "上海市市场监管局")).to.emit(registry, "AgencyRenamed").withArgs(idA, "上海市市场监管局");
      const agency = await registry.agency(idA);
      expect([agency.slug, agency.name, agency.registered, agency.creditCode]).to.deep.equal([AGENCY_A.slug, "上海市市场监管局", true, AGENCY_A.creditCode]);
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
