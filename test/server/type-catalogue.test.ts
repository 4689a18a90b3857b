import { expect } from "chai";
import { createHash } from "node:crypto";
import { JsonRpcProvider, Wallet } from "ethers";
import { typeIdOf } from "@certchain/sdk";
import type { Service } from "../../server/service/create-service";
import { SOCIAL_SECURITY_CARD, socialSecurityClaims } from "../support/social-security-card";
import { freePort } from "../support/ports";
import { amrPrincipal, ctx, expectCode, rootPrincipal, serviceFixturePerTest, type ServiceFixture } from "./service-fixture";

describe("types and agency tokens survive restarts", function () {
  let fx: ServiceFixture;
  const freshFixture = serviceFixturePerTest();
  let service: Service;

  beforeEach(async function () {
    fx = await freshFixture();
    service = await fx.start();
  });
  afterEach(async function () {
    await service.close();
    await fx.cleanup();
  });

  const onChainHash = async (vct: string) => (await fx.chain.admin.contract.certificateType(typeIdOf(vct))).metadataHash as string;

  it("a type added before a restart is still served, listed and issuable after it", async function () {
    const { type } = await service.registerType(rootPrincipal, SOCIAL_SECURITY_CARD, ctx());
    await service.accredit(rootPrincipal, "sh-amr", { type: "social-security-card" }, ctx());
    const text = service.typeDocument("social-security-card", 1)!;
    await service.close();
    service = await fx.start();
    expect(service.typeDocument("social-security-card", 1)).to.equal(text);
    expect(service.types().find((x) => x.id === "social-security-card")).to.deep.include({ vct: type.vct, integrity: type.integrity });
    const record = await service.issue(amrPrincipal, { type: "social-security-card", claims: socialSecurityClaims() }, ctx());
    expect(record.vct).to.equal(type.vct);
  });

  it("stores the document before the chain sees it: after a failed registration, a restart puts it on the registry", async function () {
    await service.close();
    // A root authority whose transactions cannot reach the chain (reads still work).
    const unreachable = new Wallet(Wallet.createRandom().privateKey, new JsonRpcProvider(`http://127.0.0.1:${await freePort()}`, 31337, { staticNetwork: true }));
    service = await fx.start({ rootAuthority: unreachable });
    await expectCode(service.registerType(rootPrincipal, SOCIAL_SECURITY_CARD, ctx()), "CHAIN_UNAVAILABLE");
    expect(service.typeDocument("social-security-card", 1)).to.equal(undefined);
    const vct = "http://127.0.0.1:3000/types/social-security-card/1";
    expect(await onChainHash(vct)).to.match(/^0x0{64}$/);
    await service.close();

    service = await fx.start();
    const deadline = Date.now() + 20_000;
    while (service.typeDocument("social-security-card", 1) === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(service.typeDocument("social-security-card", 1)).to.be.a("string");
    expect(await onChainHash(vct)).to.equal(`0x${createHash("sha256").update(service.typeDocument("social-security-card", 1)!).digest("hex")}`);
    // The same request again is that version, not a second one.
    const again = await service.registerType(rootPrincipal, SOCIAL_SECURITY_CARD, ctx());
    expect(again).to.deep.include({ created: false });
    expect(again.type.version).to.equal(1);
  });

  it("a revoked token stays revoked after a restart; tokens minted by this release carry no types", async function () {
    const minted = await service.mintAgencyToken(rootPrincipal, "sh-amr", { subject: "batch" }, ctx());
    const principal = await service.authenticate(minted.token);
    expect(principal).to.deep.include({ kind: "agency", agency: "sh-amr", subject: "batch" });
    await service.revokeAgencyToken(rootPrincipal, "sh-amr", minted.id, ctx());
    await expectCode(service.authenticate(minted.token), "AUTH_REVOKED");
    await service.close();
    service = await fx.start();
    await expectCode(service.authenticate(minted.token), "AUTH_REVOKED");
    const audit = await service.audit(rootPrincipal, { limit: 100 });
    expect(audit.entries.map((e) => e.action)).to.include.members(["token.mint", "token.revoke"]);
  });
});
