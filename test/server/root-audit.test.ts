import { expect } from "chai";
import hre from "hardhat";
import { keccak256, toUtf8Bytes, type Provider } from "ethers";
import type { Hex } from "@certchain/sdk";
import { auditProblem, createRootAudit } from "../../server/anchoring/root-audit";
import { openChainGate } from "../../server/chain/chain-gate";
import { createRegistryReads } from "../../server/chain/registry-reads";
import { createKeyStore } from "../../server/keys/key-store";
import { silentLogger } from "../../server/lib/logger";
import { createPersonalDataCipher } from "../../server/lib/personal-data-cipher";
import { createBatchStore, type BatchRecord } from "../../server/store/batch-store";
import { createCertificateStore } from "../../server/store/certificate-store";
import type { Service } from "../../server/service/create-service";
import { PASSPHRASE, amrPrincipal, ctx, example, serviceFixture, type ServiceFixture } from "./service-fixture";
import type { CertificateRecord } from "../../server/domain/certificate";
import { waitFor } from "../support/service-process";

/** Issue 18: every anchored root is audited against the registry, not only the latest three. */
describe("root audit: every settled root and status change checked on chain", function () {
  this.timeout(120_000);
  let fixture: ServiceFixture;
  let service: Service;

  before(async () => {
    fixture = await serviceFixture();
    service = await fixture.start({ reorgWindow: 2 });
  });
  after(async () => {
    await service.close();
    await fixture.cleanup();
  });

  it("tells a root the chain holds from one it lacks, or holds for another agency or time", () => {
    const batch = { root: "0x01", agency: "sh-amr", anchoredAt: "2026-01-01T00:00:10.000Z" } as unknown as BatchRecord;
    const amrId = keccak256(toUtf8Bytes("sh-amr"));
    expect(auditProblem(batch, undefined)).to.equal("not on the chain");
    expect(auditProblem(batch, { agencyId: keccak256(toUtf8Bytes("sh-mca")), anchoredAt: Date.parse(batch.anchoredAt!) / 1000 })).to.equal("anchored by another agency");
    expect(auditProblem(batch, { agencyId: amrId, anchoredAt: Date.parse(batch.anchoredAt!) / 1000 + 1 })).to.match(/another time/);
    expect(auditProblem(batch, { agencyId: amrId, anchoredAt: Date.parse(batch.anchoredAt!) / 1000 })).to.equal(undefined);
  });

  it("walks every anchored batch a page at a time, finds a settled root the chain lacks however old, and /readyz reports it", async () => {
    const issued: CertificateRecord[] = [];
    for (let i = 0; i < 3; i++) {
      issued.push(await service.issue(amrPrincipal, { type: "business-licence", claims: example("business-licence") }, ctx()));
      await service.flush();
    }
    // Status changes: one as recorded on both sides; one whose record here lost it (as after a crash between the chain and the store).
    await service.changeStatus(amrPrincipal, issued[0].id, "revoke", 1, ctx());
    const suspended = await service.changeStatus(amrPrincipal, issued[1].id, "suspend", 2, ctx());
    // Compared once settled (an unsettled change is the status settlement's to finish).
    await waitFor("the status changes to settle", async () => (await Promise.all([issued[0], suspended].map((r) => service.get(amrPrincipal, r.id)))).every((r) => r.statusChange === undefined));
    // The records' credentials are sealed under the node's personal-data key (opened here as the service does).
    const certificates = createCertificateStore(service.db, createPersonalDataCipher(await createKeyStore({ db: service.db, passphrase: PASSPHRASE }).personalDataKey()));
    await service.db.write(certificates.updateOps({ ...(await certificates.getStored(suspended.id))!, status: "anchored" }));
    const batches = createBatchStore(service.db);
    // An old batch the store calls anchored whose root the chain never held (as after a reset that lost it).
    const lost: BatchRecord = { root: `0x${"ab".repeat(32)}` as Hex, agency: "sh-amr", ids: ["lost"], leaves: [`0x${"cd".repeat(32)}` as Hex], auditHead: `0x${"00".repeat(32)}` as Hex, state: "anchored", preparedAt: "2026-01-01T00:00:00.000Z", transaction: `0x${"ef".repeat(32)}` as Hex, block: 1, anchoredAt: "2026-01-01T00:00:01.000Z" };
    await service.db.write(batches.putOps(lost));
    for (let i = 0; i < 3; i++) await hre.network.provider.send("evm_mine", []);

    const provider = hre.ethers.provider as unknown as Provider;
    const registry = createRegistryReads({ provider, address: fixture.chain.registry.address, chainId: 31337 });
    const audit = createRootAudit({ provider, registry, batches, certificates, gate: openChainGate(31337), logger: silentLogger, reorgWindow: 2, pageSize: 2 });
    let steps = 0;
    while (!(await audit.step())) steps += 1;
    expect(steps, "more than one page").to.be.greaterThan(0);
    const stats = audit.stats();
    expect(stats.rootsInLastFullPass).to.equal(4);
    expect(stats.lastFullPassAt).to.be.a("string");
    expect(stats.missing.map((m) => [m.root, m.problem])).to.deep.equal([[lost.root, "not on the chain"]]);
    expect(stats.statusesChecked).to.be.at.least(2);
    expect(stats.statusesCheckedUpToBlock).to.equal((await provider.getBlockNumber()) - 2);
    expect(stats.statusMismatches.map((m) => [m.id, m.here, m.onChain])).to.deep.equal([[suspended.id, "anchored", "suspended"]]);
    // Put right here, it is no longer reported.
    await service.db.write(certificates.updateOps({ ...(await certificates.getStored(suspended.id))!, status: "suspended" }));
    await audit.step();
    expect(audit.stats().statusMismatches).to.deep.equal([]);

    // The service's own audit (1 s a page) finds it too: /readyz says CHAIN_STATE_MISMATCH.
    const deadline = Date.now() + 60_000;
    let readiness = await service.readiness();
    while (readiness.audit?.missing.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      readiness = await service.readiness();
    }
    expect(readiness.ready).to.equal(false);
    expect(readiness.code).to.equal("CHAIN_STATE_MISMATCH");
    expect(readiness.audit!.missing.map((m) => m.root)).to.deep.equal([lost.root]);
  });
});
