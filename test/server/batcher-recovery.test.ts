import { createPersonalDataCipher } from "../../server/lib/personal-data-cipher";
import { expect } from "chai";
import { verify } from "@certchain/sdk";
import type { Service } from "../../server/service/create-service";
import { amrPrincipal, anchorEventsOf, ctx, example, serviceFixturePerTest, type ServiceFixture } from "./service-fixture";

describe("anchoring batcher: restart and exactly-once", function () {
  let fx: ServiceFixture;
  const freshFixture = serviceFixturePerTest();
  let service: Service | undefined;

  beforeEach(async function () {
    fx = await freshFixture();
  });

  afterEach(async function () {
    await service?.close();
    service = undefined;
    await fx.cleanup();
  });

  async function issueThree(s: Service): Promise<string[]> {
    const results = await s.issueBatch(amrPrincipal, [0, 1, 2].map(() => ({ type: "business-licence", claims: example("business-licence") })), ctx());
    return results.map((r) => (r.ok ? r.certificate.id : expect.fail("issue failed")));
  }

  async function openBatches(s: Service) {
    return s.db.sublevel<any>("open-batches").keys().all();
  }

  for (const crashAt of ["prepared", "sent"] as const) {
    it(`finishes a batch left "${crashAt}" by a crash without anchoring its root twice`, async function () {
      service = await fx.start({ faults: { crashAt } });
      const ids = await issueThree(service);
      let crashed = false;
      await service.flush().catch((error) => (crashed = /simulated crash/.test(String(error))));
      expect(crashed).to.equal(true);
      const [root] = await openBatches(service);
      expect(root).to.match(/^0x[0-9a-f]{64}$/);
      const batch = await service.db.sublevel<any>("batches").get(root);
      expect(batch.state).to.equal(crashAt);
      // The certificates left the pending index in the same write that recorded the batch.
      expect(await service.db.sublevel("pending").keys().all()).to.deep.equal([]);
      expect(await anchorEventsOf(fx.chain, root)).to.equal(crashAt === "sent" ? 1 : 0);
      await service.close();

      service = await fx.start();
      await service.flush();
      expect(await openBatches(service)).to.deep.equal([]);
      expect(await anchorEventsOf(fx.chain, root)).to.equal(1);
      const done = await service.db.sublevel<any>("batches").get(root);
      expect(done.state).to.equal("anchored");
      const registry = fx.chain.admin.contract;
      const [event] = await registry.queryFilter(registry.filters.RootAnchored(root));
      expect(done.transaction).to.equal(event.transactionHash);
      for (const id of ids) {
        const record = await service.get(amrPrincipal, id);
        expect(record.status).to.equal("anchored");
        expect((record.envelope.anchor as { root: string }).root).to.equal(root);
        expect((await verify(record.envelope, { registries: [fx.chain.registry] })).verdict).to.equal("valid");
      }
    });
  }

  it("finishes a batch whose proofs were only partly written when the process died", async function () {
    // Proofs are written two at a time here, and the "crash" comes after the first two.
    service = await fx.start({ faults: { crashAt: "finishing" }, batch: { maxDelayMs: 50, finishSlice: 2 } });
    const ids = await issueThree(service);
    await service.flush().catch(() => undefined);
    const [root] = await openBatches(service);
    expect(root, "the batch stays open until every proof is written").to.match(/^0x[0-9a-f]{64}$/);
    const states = await Promise.all(ids.map(async (id) => (await service!.get(amrPrincipal, id)).status));
    expect(states.filter((s) => s === "anchored")).to.have.length(2);
    await service.close();

    service = await fx.start({ batch: { maxDelayMs: 50, finishSlice: 2 } });
    await service.flush();
    expect(await openBatches(service)).to.deep.equal([]);
    expect(await anchorEventsOf(fx.chain, root)).to.equal(1);
    for (const id of ids) {
      const record = await service.get(amrPrincipal, id);
      expect(record.status).to.equal("anchored");
      expect((await verify(record.envelope, { registries: [fx.chain.registry] })).verdict).to.equal("valid");
    }
    const { entries } = await service.audit({ kind: "root", subject: "test", tokenId: "t" }, { limit: 1000 });
    expect(entries.filter((e) => e.action === "batch.anchor" && e.subject === root)).to.have.length(1);
  });

  it("writes each record once: anchoring stores the proofs beside the records and never rewrites them", async function () {
    service = await fx.start({ batch: { maxDelayMs: 50 } });
    const db = service.db;
    const records = db.sublevel<any>("certificates");
    const proofs = db.sublevel<any>("proofs");
    const puts = new Map<unknown, number>();
    const write = db.write.bind(db);
    db.write = (ops, options) => {
      for (const op of ops) if (op.type === "put") puts.set(op.sublevel, (puts.get(op.sublevel) ?? 0) + 1);
      return write(ops, options);
    };
    const ids = await issueThree(service);
    await service.flush();
    expect(puts.get(records), "one put per certificate, at issue").to.equal(3);
    expect(puts.get(proofs), "one proof per certificate").to.equal(3);
    for (const id of ids) {
      const stored = await records.get(id);
      expect(stored.status).to.equal("pending");
      // As written at issue: the pending anchor in clear, the credential sealed (encryption at rest).
      expect(stored.anchor.status).to.equal("pending");
      expect(stored).to.not.have.property("envelope");
      expect(stored.credential).to.have.keys("c", "k", "iv", "d");
      const record = await service.get(amrPrincipal, id);
      expect(record.status).to.equal("anchored");
      expect(record.envelope.credential).to.equal(createPersonalDataCipher(await service.keys.personalDataKey()).open(id, stored.credential));
      expect((await verify(record.envelope, { registries: [fx.chain.registry] })).verdict).to.equal("valid");
      const proof = await service.proofOf(record.leaf);
      expect(proof).to.deep.include({ status: "anchored" });
      expect((proof as any).proof.proof).to.deep.equal((record.envelope.anchor as any).proof);
    }
  });

  it("a status change made before an interrupted batch is finished survives the proofs being written again", async function () {
    service = await fx.start({ faults: { crashAt: "finishing" }, batch: { maxDelayMs: 50, finishSlice: 2 } });
    const ids = await issueThree(service);
    await service.flush().catch(() => undefined);
    const anchored: string[] = [];
    for (const id of ids) if ((await service.get(amrPrincipal, id)).status === "anchored") anchored.push(id);
    expect(anchored).to.have.length(2);
    const revoked = await service.changeStatus(amrPrincipal, anchored[0], "revoke", 7, ctx());
    expect(revoked.status).to.equal("revoked");
    await service.close();

    service = await fx.start({ batch: { maxDelayMs: 50, finishSlice: 2 } });
    await service.flush();
    expect(await openBatches(service)).to.deep.equal([]);
    const after = await service.get(amrPrincipal, anchored[0]);
    expect(after.status).to.equal("revoked");
    expect(after.statusReason).to.equal(7);
    expect((await verify(after.envelope, { registries: [fx.chain.registry] })).verdict).to.equal("revoked");
    for (const id of ids.filter((id) => id !== anchored[0])) expect((await service.get(amrPrincipal, id)).status).to.equal("anchored");
  });

  it("reads a record anchored before proofs were stored beside records (its envelope inside) as it was stored", async function () {
    service = await fx.start({ batch: { maxDelayMs: 50 } });
    const [id] = await issueThree(service);
    await service.flush();
    const anchored = await service.get(amrPrincipal, id);
    // The layout of earlier releases: the whole anchored record, no proof beside it.
    await service.db.sublevel<any>("certificates").put(id, anchored);
    await service.db.sublevel<any>("proofs").del(id);
    const legacy = await service.get(amrPrincipal, id);
    expect(legacy).to.deep.equal(anchored);
    expect(await service.proofOf(anchored.leaf)).to.deep.include({ status: "anchored" });
    expect((await verify(legacy.envelope, { registries: [fx.chain.registry] })).verdict).to.equal("valid");
  });

  it("anchors what was pending before a restart, each certificate in exactly one root", async function () {
    service = await fx.start();
    const before = await issueThree(service);
    await service.close();
    service = await fx.start({ batch: { maxSize: 2, maxDelayMs: 600_000 } });
    const after = await issueThree(service);
    await service.flush();
    const roots = new Map<string, number>();
    for (const id of [...before, ...after]) {
      const record = await service.get(amrPrincipal, id);
      expect(record.status).to.equal("anchored");
      const root = (record.envelope.anchor as { root: string }).root;
      roots.set(root, (roots.get(root) ?? 0) + 1);
    }
    // maxSize 2: six certificates, three roots, each anchored once.
    expect([...roots.values()]).to.deep.equal([2, 2, 2]);
    for (const root of roots.keys()) expect(await anchorEventsOf(fx.chain, root)).to.equal(1);
  });

  it("closes a batch by itself after maxDelayMs", async function () {
    service = await fx.start({ batch: { maxSize: 1_000, maxDelayMs: 100 } });
    const [id] = await issueThree(service);
    const deadline = Date.now() + 10_000;
    // The records are written before the batch is closed (and lastAnchorAt set): wait for both.
    while ((await service.get(amrPrincipal, id)).status !== "anchored" || service.batcher.stats().lastAnchorAt === null) {
      if (Date.now() > deadline) expect.fail("not anchored by the timer");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(service.batcher.stats().lastAnchorAt).to.be.a("string");
  });
});
