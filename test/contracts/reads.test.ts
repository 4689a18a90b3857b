import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { AGENCY_A, AGENCY_B, KeyAlgorithm, OPEN_ENDED, deployWithAnchors, ed25519Key, es256Key, typeIdOf } from "./fixture";

describe("CertchainRegistry: verificationContexts", () => {
  const LICENCE = typeIdOf("urn:certchain:business-licence:1");
  const MARRIAGE = typeIdOf("urn:certchain:marriage:1");
  const keyA = ed25519Key();
  const keyB = es256Key();

  async function deployForVerification() {
    const f = await deployWithAnchors();
    const { registry, idA, idB } = f;
    await registry.addSigningKey(idA, keyA.keyId, KeyAlgorithm.EdDSA, keyA.publicKey, 100);
    await registry.addSigningKey(idB, keyB.keyId, KeyAlgorithm.ES256, keyB.publicKey, 200);
    await registry.retireSigningKey(keyB.keyId, 9_000_000_000);
    await registry.setAccreditation(idA, LICENCE, 1_000, 0);
    await registry.setAccreditation(idB, MARRIAGE, 500, 9_000_000_000);
    return f;
  }

  const tuple = {
    anchor: (x: any) => [x.agencyId, x.anchoredAt, x.blockNumber, x.size],
    agency: (x: any) => [x.slug, x.name, x.registered, x.creditCode],
    key: (x: any) => [x.agencyId, x.alg, x.validFrom, x.validUntil, x.revoked, x.publicKey],
    accreditation: (x: any) => [x.validFrom, x.validUntil],
  };

  it("answers several (root, key, type) queries in one call", async () => {
    const { registry, idA, idB, a, b } = await loadFixture(deployForVerification);
    const [ctxA, ctxB] = await registry.verificationContexts([
      { root: a.root, keyId: keyA.keyId, typeId: LICENCE },
      { root: b.root, keyId: keyB.keyId, typeId: MARRIAGE },
    ]);

    expect(tuple.anchor(ctxA.anchor)).to.deep.equal(tuple.anchor(await registry.anchorOf(a.root)));
    expect(ctxA.anchor.agencyId).to.equal(idA);
    expect(tuple.agency(ctxA.agency)).to.deep.equal([AGENCY_A.slug, AGENCY_A.name, true, AGENCY_A.creditCode]);
    expect(tuple.key(ctxA.key)).to.deep.equal([idA, BigInt(KeyAlgorithm.EdDSA), 100n, OPEN_ENDED, false, keyA.publicKey]);
    expect(tuple.accreditation(ctxA.accreditation)).to.deep.equal([1_000n, OPEN_ENDED]);

    expect(tuple.anchor(ctxB.anchor)).to.deep.equal(tuple.anchor(await registry.anchorOf(b.root)));
    expect(ctxB.anchor.agencyId).to.equal(idB);
    expect(tuple.agency(ctxB.agency)).to.deep.equal([AGENCY_B.slug, AGENCY_B.name, true, AGENCY_B.creditCode]);
    expect(tuple.key(ctxB.key)).to.deep.equal([idB, BigInt(KeyAlgorithm.ES256), 200n, 9_000_000_000n, false, keyB.publicKey]);
    expect(tuple.accreditation(ctxB.accreditation)).to.deep.equal([500n, 9_000_000_000n]);
  });

  it("looks the key up by id alone (its agencyId tells the verifier whose it is) and the accreditation for the anchoring agency", async () => {
    const { registry, idA, idB, a } = await loadFixture(deployForVerification);
    // Root anchored by A, key and type of B: the verifier must see the mismatch, not B's accreditation.
    const [ctx] = await registry.verificationContexts([{ root: a.root, keyId: keyB.keyId, typeId: MARRIAGE }]);
    expect(ctx.anchor.agencyId).to.equal(idA);
    expect(ctx.agency.slug).to.equal(AGENCY_A.slug);
    expect(ctx.key.agencyId).to.equal(idB);
    expect(tuple.accreditation(ctx.accreditation)).to.deep.equal([0n, 0n]);
  });

  it("reflects a revoked key and a renamed agency", async () => {
    const { registry, idA, a } = await loadFixture(deployForVerification);
    await registry.revokeSigningKey(keyA.keyId, 5_000);
    await registry.renameAgency(idA, "上海市市场监管局");
    const [ctx] = await registry.verificationContexts([{ root: a.root, keyId: keyA.keyId, typeId: LICENCE }]);
    expect([ctx.key.validUntil, ctx.key.revoked]).to.deep.equal([5_000n, true]);
    expect(ctx.agency.name).to.equal("上海市市场监管局");
  });

  it("answers an unknown root and key with zeros, and an empty query list with an empty list", async () => {
    const { registry } = await loadFixture(deployForVerification);
    const [ctx] = await registry.verificationContexts([{ root: ethers.id("nope"), keyId: ethers.id("nokey"), typeId: LICENCE }]);
    expect(tuple.anchor(ctx.anchor)).to.deep.equal([ethers.ZeroHash, 0n, 0n, 0n]);
    expect(tuple.agency(ctx.agency)).to.deep.equal(["", "", false, "0x" + "00".repeat(18)]);
    expect(tuple.key(ctx.key)).to.deep.equal([ethers.ZeroHash, 0n, 0n, 0n, false, "0x"]);
    expect(tuple.accreditation(ctx.accreditation)).to.deep.equal([0n, 0n]);
    expect(await registry.verificationContexts([])).to.deep.equal([]);
  });
});

describe("CertchainRegistry: statusesOf", () => {
  it("returns Active with zero reason and time for unknown leaves, and an empty list for none", async () => {
    const { registry, idA } = await loadFixture(deployWithAnchors);
    const [s] = await registry.statusesOf(idA, [ethers.id("unknown")]);
    expect([s.state, s.reason, s.updatedAt]).to.deep.equal([0n, 0n, 0n]);
    expect(await registry.statusesOf(idA, [])).to.deep.equal([]);
  });
});
