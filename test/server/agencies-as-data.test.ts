import { expect } from "chai";
import hre from "hardhat";
import { HDNodeWallet, parseEther } from "ethers";
import { agencyIdOf, verify } from "@certchain/sdk";
import { REGISTRATION_STEPS } from "../../server/domain/agency";
import { DEV_MNEMONIC } from "../../server/config";
import { RegistrationCrash } from "../../server/service/agency-registration";
import { derivedCreditCode } from "../../server/service/identifiers";
import type { Service } from "../../server/service/create-service";
import type { Principal } from "../../server/domain/principal";
import { ctx, example, expectCode, rootPrincipal, serviceFixturePerTest, type ServiceFixture } from "./service-fixture";

/** A new agency's registration request; each test its own slug and (made-up, well-formed) credit code. */
let next = 0;
function newAgency(types = ["business-licence"]) {
  next += 1;
  return { slug: `gz-dept-${next}`, name: `广州市第${next}局`, creditCode: derivedCreditCode(`gz-dept-${next}`), types };
}

const agencyPrincipal = (slug: string): Principal => ({ kind: "agency", agency: slug, subject: `${slug}-system`, tokenId: `t-${slug}` });
const mnemonicAccounts = new Set(Array.from({ length: 20 }, (_, i) => HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).address.toLowerCase()));

describe("agencies as data on the node (issue 17)", function () {
  this.timeout(120_000);
  let fx: ServiceFixture;
  const freshFixture = serviceFixturePerTest();
  let service: Service | undefined;
  const start = async (overrides: Parameters<ServiceFixture["start"]>[0] = {}) => (service = await fx.start({ fundOperators: parseEther("10"), ...overrides }));

  beforeEach(async function () {
    fx = await freshFixture();
  });
  afterEach(async function () {
    await service?.close().catch(() => undefined);
    service = undefined;
    await fx.cleanup();
  });

  async function issueAndVerify(slug: string): Promise<string> {
    const record = await service!.issue(agencyPrincipal(slug), { type: "business-licence", claims: example("business-licence") }, ctx());
    await service!.flush(slug);
    const anchored = await service!.get(agencyPrincipal(slug), record.id);
    const result = await verify(anchored.envelope, { registries: [fx.chain.registry] });
    expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
    return result.verdict;
  }

  it("POST /v1/agencies in one step: signing key and an operator account of its own (sealed here, not a mnemonic account), registered, accredited, funded; it issues at once and again after a restart", async function () {
    await start();
    const request = newAgency();
    const view = await service!.registerAgency(rootPrincipal, request, ctx());
    expect(view.slug).to.equal(request.slug);
    expect(view.keyIds).to.have.length(1);
    const operator = view.service!.operator;
    expect(mnemonicAccounts.has(operator.toLowerCase()), "a fresh key, not one derived from the mnemonic").to.equal(false);
    expect(view.service!.state).to.equal("active");
    expect(view.service!.funds?.funded).to.equal(true);
    expect(await hre.ethers.provider.getBalance(operator)).to.equal(parseEther("10"));
    expect((await fx.chain.admin.contract.operatorAgency(operator)).toLowerCase()).to.equal(agencyIdOf(request.slug).toLowerCase());
    // Sealed at rest: the stored record holds no plain key.
    const stored = (await service!.db.sublevel<any>("operator-wallets").get(operator.toLowerCase()))!;
    expect(stored.privateKey).to.include.keys("kdf", "salt", "iv", "tag", "data");
    expect(JSON.stringify(stored)).to.not.match(/[0-9a-f]{64}/);

    const token = (await service!.mintAgencyToken(rootPrincipal, request.slug, {}, ctx())).token;
    expect(await issueAndVerify(request.slug)).to.equal("valid");

    await service!.close();
    await start();
    expect(service!.servedAgencies()).to.include(request.slug);
    expect((await service!.authenticate(token)).kind).to.equal("agency");
    expect(await issueAndVerify(request.slug)).to.equal("valid");
  });

  for (const step of REGISTRATION_STEPS) {
    it(`a registration killed right after the chain write of step "${step}" (before recording it) is finished by the next start, each chain write done once`, async function () {
      await start({ faults: { registrationCrashAfter: step } });
      const request = newAgency(["business-licence", "production-licence"]);
      try {
        await service!.registerAgency(rootPrincipal, request, ctx());
        expect.fail("the simulated crash");
      } catch (error) {
        expect(error).to.be.instanceOf(RegistrationCrash);
      }
      expect(service!.servedAgencies(), "not served while registering").to.not.include(request.slug);
      await service!.close();

      await start();
      expect(service!.servedAgencies()).to.include(request.slug);
      const registry = fx.chain.admin.contract;
      const id = agencyIdOf(request.slug);
      expect(await registry.queryFilter(registry.filters.AgencyRegistered(id))).to.have.length(1);
      expect(await registry.keyIdsOf(id)).to.have.length(1);
      expect(await registry.queryFilter(registry.filters.OperatorAdded(id))).to.have.length(1);
      expect(await issueAndVerify(request.slug)).to.equal("valid");
      const audit = await service!.audit(rootPrincipal, { limit: 1000 });
      expect(audit.entries.filter((e) => e.action === "agency.register" && e.subject === request.slug)).to.have.length(1);
    });
  }

  it("a registration cut short whose slug another site registered meanwhile is undone on the next start: record and keys gone, nothing of it served", async function () {
    await start({ faults: { registrationCrashAfter: "created" } });
    const request = newAgency();
    await service!.registerAgency(rootPrincipal, request, ctx()).catch(() => undefined);
    await service!.close();
    await fx.chain.admin.registerAgency(request.slug, "另一个机关", derivedCreditCode(`elsewhere-${next}`));

    await start();
    expect(service!.servedAgencies()).to.not.include(request.slug);
    expect(await service!.db.sublevel("agencies").get(request.slug)).to.equal(undefined);
    expect(await service!.keys.keys(request.slug)).to.deep.equal([]);
    const audit = await service!.audit(rootPrincipal, { limit: 1000 });
    expect(audit.entries.some((e) => e.action === "agency.register-undone" && e.subject === request.slug)).to.equal(true);
    await expectCode(service!.registerAgency(rootPrincipal, request, ctx()), "AGENCY_EXISTS");
  });

  it("a data directory of an earlier release (a signing key here, its operator a mnemonic account handed in) is taken over: the agency gets a record and an operator account of its own, and issues", async function () {
    // The earlier release: sh-amr served with an operator account from outside (the fixture's), its key made here.
    await start();
    await issueAndVerify("sh-amr");
    await service!.close();
    const legacyOperator = await fx.chain.amr.operator.getAddress();

    await start({ operators: {} });
    expect(service!.servedAgencies()).to.include("sh-amr");
    const view = await service!.agency("sh-amr");
    expect(view.service!.operator).to.not.equal(legacyOperator);
    expect(mnemonicAccounts.has(view.service!.operator.toLowerCase())).to.equal(false);
    expect(await issueAndVerify("sh-amr")).to.equal("valid");
  });

  it("rename (on the registry too), suspend (no issuing; its certificates still verify), resume, and operator rotation (the old account removed, anchoring by the new)", async function () {
    await start();
    const request = newAgency();
    await service!.registerAgency(rootPrincipal, request, ctx());
    const before = await issueAndVerify(request.slug);
    expect(before).to.equal("valid");

    await service!.renameAgency(rootPrincipal, request.slug, "广州市政务服务数据管理局", ctx());
    expect((await service!.agency(request.slug)).name).to.equal("广州市政务服务数据管理局");

    await service!.setAgencySuspended(rootPrincipal, request.slug, true, ctx());
    await expectCode(service!.issue(agencyPrincipal(request.slug), { type: "business-licence", claims: example("business-licence") }, ctx()), "AGENCY_SUSPENDED");
    await service!.setAgencySuspended(rootPrincipal, request.slug, false, ctx());

    const old = (await service!.agency(request.slug)).service!.operator;
    const rotated = await service!.rotateOperator(rootPrincipal, request.slug, ctx());
    expect(rotated.operator).to.not.equal(old);
    const registry = fx.chain.admin.contract;
    expect(BigInt(await registry.operatorAgency(old))).to.equal(0n);
    expect((await registry.operatorAgency(rotated.operator)).toLowerCase()).to.equal(agencyIdOf(request.slug).toLowerCase());
    const record = await service!.issue(agencyPrincipal(request.slug), { type: "business-licence", claims: example("business-licence") }, ctx());
    await service!.flush(request.slug);
    const tx = await hre.ethers.provider.getTransaction(((await service!.get(agencyPrincipal(request.slug), record.id)).envelope.anchor as { transaction: string }).transaction);
    expect(tx!.from.toLowerCase()).to.equal(rotated.operator.toLowerCase());

    await service!.close();
    await start();
    expect((await service!.agency(request.slug)).service).to.deep.include({ state: "active", operator: rotated.operator });
  });

  it("an operator without funds: the agency issues (pending), a status change is 503 OPERATOR_UNFUNDED naming agency and account, /readyz lists it, and funds make it anchor", async function () {
    // As on an external chain: nobody funds operator accounts automatically.
    await start({ fundOperators: undefined });
    const request = newAgency();
    const view = await service!.registerAgency(rootPrincipal, request, ctx());
    const operator = view.service!.operator;
    expect(view.service!.funds).to.deep.include({ funded: false, balance: "0" });
    const readiness = await service!.readiness();
    expect(readiness.operators?.unfunded.map((o) => [o.agency, o.account])).to.deep.include([request.slug, operator]);

    const record = await service!.issue(agencyPrincipal(request.slug), { type: "business-licence", claims: example("business-licence") }, ctx());
    expect(record.status).to.equal("pending");
    const stats = await waitForFailure(service!);
    expect(stats.lastError).to.include("OPERATOR_UNFUNDED").and.include(request.slug).and.not.match(/0x[0-9a-f]{200}/i);

    await hre.network.provider.send("hardhat_setBalance", [operator, `0x${parseEther("1").toString(16)}`]);
    await service!.flush(request.slug);
    const anchored = await service!.get(agencyPrincipal(request.slug), record.id);
    expect(anchored.status).to.equal("anchored");

    await hre.network.provider.send("hardhat_setBalance", [operator, "0x0"]);
    const error = await expectCode(service!.changeStatus(agencyPrincipal(request.slug), record.id, "suspend", 1, ctx()), "OPERATOR_UNFUNDED");
    expect(error.message).to.include(request.slug).and.include(operator);
    expect(error.details).to.deep.equal([{ agency: request.slug, account: operator }]);
  });
});

/** Starts anchoring (the fixture's batches wait for a flush) and waits until an attempt has failed. */
async function waitForFailure(service: Service) {
  void service.flush().catch(() => undefined);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const stats = service.batcher.stats();
    if (stats.lastError) return stats;
    if (Date.now() > deadline) throw new Error("anchoring never failed");
    await new Promise((r) => setTimeout(r, 100));
  }
}
