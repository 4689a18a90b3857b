import { expect } from "chai";
import hre from "hardhat";
import { keyIdFromKid, verify } from "@certchain/sdk";
import type { Service } from "../../server/service/create-service";
import type { CertificateRecord } from "../../server/domain/certificate";
import { amrPrincipal, anchorEventsOf, ctx, example, expectCode, mcaPrincipal, rootPrincipal, serviceFixturePerTest, type ServiceFixture } from "./service-fixture";

describe("issuing service", function () {
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

  const verifyOptions = () => ({ registries: [fx.chain.registry] });

  it("issues a pending certificate, anchors it on flush, and the envelope verifies with the SDK", async function () {
    const record = await service.issue(amrPrincipal, { type: "business-licence", claims: example("business-licence") }, ctx());
    expect(record.status).to.equal("pending");
    expect(record.envelope.anchor.status).to.equal("pending");
    expect((await verify(record.envelope, verifyOptions())).verdict).to.equal("pending");

    await service.flush();
    const anchored = await service.get(amrPrincipal, record.id);
    expect(anchored.status).to.equal("anchored");
    expect(anchored.envelope.anchor.status).to.equal("anchored");
    expect(anchored.anchoredAt).to.be.a("string");
    const result = await verify(anchored.envelope, verifyOptions());
    expect(result.verdict, JSON.stringify(result.checks)).to.equal("valid");
    expect((await service.verify(anchored.envelope)).verdict).to.equal("valid");
    // The anchored root is the batch's, exactly once, carrying the audit head recorded in the batch.
    const anchor = anchored.envelope.anchor as { root: string };
    expect(await anchorEventsOf(fx.chain, anchor.root)).to.equal(1);
  });

  it("numbers certificates with a per-agency serial that survives a restart", async function () {
    const a = await service.issue(amrPrincipal, { type: "business-licence", claims: example("business-licence") }, ctx());
    await service.close();
    service = await fx.start();
    const b = await service.issue(amrPrincipal, { type: "production-licence", claims: example("production-licence") }, ctx());
    const numberOf = (r: CertificateRecord) => JSON.parse(Buffer.from(r.envelope.credential.split(".")[1], "base64url").toString()).certificate_number as string;
    expect(numberOf(a)).to.match(/^1\.2\.156\.3005\.2\.[0-9A-Z]{4}\.[0-9A-Z]{18}\.0000000001\.1\.[0-9A-Z]$/);
    expect(numberOf(b)).to.include(".0000000002.1.");
  });

  it("signs batch requests in worker threads: numbered in input order, anchored, valid; a worker crash loses nothing", async function () {
    await service.close();
    // The first request the worker gets kills it: its slice is signed on the main thread instead.
    service = await fx.start({ signingWorkers: 1, faults: { signingWorkerCrashOnRequest: 1 } });
    expect(await service.signing.whenReady(1), "the worker starts").to.equal(true);
    const numberOf = (r: CertificateRecord) => JSON.parse(Buffer.from(r.envelope.credential.split(".")[1], "base64url").toString()).certificate_number as string;
    const items = (count: number) => Array.from({ length: count }, (_, i) => ({ type: "business-licence", claims: { ...example("business-licence"), company_name: `上海青禾数字科技有限公司第${i}分公司` } }));
    const first = await service.issueBatch(amrPrincipal, items(3), ctx());
    expect(await service.signing.whenReady(1), "a replacement starts").to.equal(true);
    const second = await service.issueBatch(amrPrincipal, items(250), ctx());
    expect(service.signing.stats()).to.include({ workerDeaths: 1, onMainThread: 3, inWorkers: 250 });
    const records = [...first, ...second].map((r) => (r.ok ? r.certificate : expect.fail(JSON.stringify(r))));
    records.forEach((record, i) => expect(numberOf(record)).to.include(`.${String(i + 1).padStart(10, "0")}.1.`));
    await service.flush();
    for (const record of [records[0], records[3], records[252]]) {
      const anchored = await service.get(amrPrincipal, record.id);
      expect((await verify(anchored.envelope, verifyOptions())).verdict).to.equal("valid");
      expect(anchored.envelope.credential).to.equal(record.envelope.credential);
    }
  });

  it("only the owning agency or the root authority reads a certificate", async function () {
    const record = await service.issue(amrPrincipal, { type: "business-licence", claims: example("business-licence") }, ctx());
    await expectCode(service.get(mcaPrincipal, record.id), "FORBIDDEN_AGENCY");
    expect((await service.get(rootPrincipal, record.id)).id).to.equal(record.id);
    await expectCode(service.get(amrPrincipal, "nope"), "CERT_NOT_FOUND");
  });

  it("issues the good items of a batch and reports the bad ones, all anchored in one root", async function () {
    const results = await service.issueBatch(
      amrPrincipal,
      [
        { type: "business-licence", claims: example("business-licence") },
        { type: "no-such-type", claims: {} },
        { type: "business-licence", claims: { ...example("business-licence"), unexpected: 1 } },
        { type: "marriage-certificate", claims: example("marriage-certificate") },
        { type: "production-licence", claims: example("production-licence") },
      ],
      ctx(),
    );
    expect(results.map((r) => r.ok)).to.deep.equal([true, false, false, false, true]);
    expect(results.map((r) => (r.ok ? null : r.error.code))).to.deep.equal([null, "CERT_TYPE_UNKNOWN", "CLAIMS_INVALID", "CERT_TYPE_NOT_ACCREDITED", null]);
    const invalid = results[2] as { error: { details: { path: string }[] } };
    expect(invalid.error.details[0].path).to.equal("/unexpected");

    await service.flush();
    const records = await Promise.all(results.filter((r) => r.ok).map((r) => service.get(amrPrincipal, (r as { certificate: CertificateRecord }).certificate.id)));
    const roots = new Set(records.map((r) => (r.envelope.anchor as { root: string }).root));
    expect(roots.size).to.equal(1);
    for (const r of records) expect((await verify(r.envelope, verifyOptions())).verdict).to.equal("valid");
    await expectCode(service.issueBatch(amrPrincipal, new Array(10_001).fill({ type: "business-licence", claims: {} }), ctx()), "BATCH_TOO_LARGE");
  });

  it("refuses a type the agency is not accredited for before anything is written", async function () {
    const before = await service.audit(rootPrincipal, { limit: 1000 });
    // A token of an earlier release listing the type changes nothing: the chain does not accredit sh-amr for marriage certificates.
    const greedy = { ...amrPrincipal, types: ["business-licence", "marriage-certificate"] };
    await expectCode(service.issue(greedy, { type: "marriage-certificate", claims: example("marriage-certificate") }, ctx()), "CERT_TYPE_NOT_ACCREDITED");
    // Nor does it accredit sh-mca for business licences.
    await expectCode(service.issue(mcaPrincipal, { type: "business-licence", claims: example("business-licence") }, ctx()), "CERT_TYPE_NOT_ACCREDITED");
    await expectCode(service.issue(amrPrincipal, { type: "business-licence", claims: { company_name: 42 } }, ctx()), "CLAIMS_INVALID");
    await expectCode(service.issue(rootPrincipal, { type: "business-licence", claims: example("business-licence") }, ctx()), "FORBIDDEN");
    const after = await service.audit(rootPrincipal, { limit: 1000 });
    expect(after.entries.length).to.equal(before.entries.length);
    expect(service.batcher.stats().backlog).to.equal(0);
    expect(await service.db.sublevel("certificates").keys().all()).to.deep.equal([]);
  });

  it("honours Idempotency-Key: same request same answer, different request refused", async function () {
    const request = { type: "business-licence", claims: example("business-licence") };
    const first = await service.issue(amrPrincipal, request, ctx("key-1"));
    const again = await service.issue(amrPrincipal, request, ctx("key-1"));
    expect(again.id).to.equal(first.id);
    await expectCode(service.issue(amrPrincipal, { ...request, validUntil: "2099-01-01T00:00:00Z" }, ctx("key-1")), "IDEMPOTENCY_KEY_REUSED");
    // Keys are per agency.
    const other = await service.issue(mcaPrincipal, { type: "marriage-certificate", claims: example("marriage-certificate") }, ctx("key-1"));
    expect(other.id).to.not.equal(first.id);

    // Concurrent retries of a batch issue once.
    const items = [request, { type: "nope", claims: {} }];
    const [a, b] = await Promise.all([service.issueBatch(amrPrincipal, items, ctx("batch-1")), service.issueBatch(amrPrincipal, items, ctx("batch-1"))]);
    expect(a.map((r) => (r.ok ? r.certificate.id : r.error.code))).to.deep.equal(b.map((r) => (r.ok ? r.certificate.id : r.error.code)));
    expect(service.batcher.stats().backlog).to.equal(3); // first, sh-mca's, and one from the batch
  });

  it("revokes, suspends and reinstates on chain, owner only", async function () {
    const record = await service.issue(amrPrincipal, { type: "business-licence", claims: example("business-licence") }, ctx());
    await expectCode(service.changeStatus(amrPrincipal, record.id, "revoke", 1, ctx()), "CERT_NOT_ANCHORED");
    await service.flush();
    await expectCode(service.changeStatus(mcaPrincipal, record.id, "revoke", 1, ctx()), "FORBIDDEN_AGENCY");
    await expectCode(service.changeStatus(amrPrincipal, record.id, "reinstate", 1, ctx()), "STATUS_TRANSITION_INVALID");

    const suspended = await service.changeStatus(amrPrincipal, record.id, "suspend", 3, ctx());
    expect(suspended).to.include({ status: "suspended", statusReason: 3 });
    expect((await verify(suspended.envelope, verifyOptions())).verdict).to.equal("suspended");
    await expectCode(service.changeStatus(amrPrincipal, record.id, "suspend", 3, ctx()), "STATUS_TRANSITION_INVALID");

    const reinstated = await service.changeStatus(amrPrincipal, record.id, "reinstate", 0, ctx());
    expect(reinstated.status).to.equal("anchored");
    expect((await verify(reinstated.envelope, verifyOptions())).verdict).to.equal("valid");

    const revoked = await service.changeStatus(amrPrincipal, record.id, "revoke", 7, ctx());
    expect(revoked.status).to.equal("revoked");
    expect((await service.get(amrPrincipal, record.id)).status).to.equal("revoked");
    expect((await verify(revoked.envelope, verifyOptions())).verdict).to.equal("revoked");
    await expectCode(service.changeStatus(amrPrincipal, record.id, "reinstate", 0, ctx()), "STATUS_TRANSITION_INVALID");

    const actions = (await service.audit(rootPrincipal, { limit: 1000 })).entries.map((e) => e.action);
    expect(actions).to.include.members(["certificate.issue", "batch.anchor", "certificate.suspend", "certificate.reinstate", "certificate.revoke"]);
  });

  it("maps a contract revert to STATUS_TRANSITION_INVALID when our record is behind the chain", async function () {
    const record = await service.issue(amrPrincipal, { type: "business-licence", claims: example("business-licence") }, ctx());
    await service.flush();
    const anchored = await service.get(amrPrincipal, record.id);
    const anchor = anchored.envelope.anchor as { root: `0x${string}`; proof: `0x${string}`[] };
    // Someone revoked it directly on chain: the service's suspend reverts and is refused cleanly.
    await fx.chain.amr.client.changeStatus("revoke", [{ leaf: anchored.leaf, root: anchor.root, proof: anchor.proof }], 9);
    await expectCode(service.changeStatus(amrPrincipal, record.id, "suspend", 1, ctx()), "STATUS_TRANSITION_INVALID");
    // …and a revoke the chain already has is recorded rather than refused.
    expect((await service.changeStatus(amrPrincipal, record.id, "revoke", 9, ctx())).status).to.equal("revoked");
  });

  it("rotates a key: the old key is retired, certificates signed with either keep verifying", async function () {
    const early = await service.issue(amrPrincipal, { type: "business-licence", claims: example("business-licence") }, ctx());
    await service.flush();
    const pendingWithOldKey = await service.issue(amrPrincipal, { type: "business-licence", claims: example("business-licence") }, ctx());
    const oldKeyId = service.keys.activeSigner("sh-amr")!.keyId;

    await expectCode(service.rotateKey(amrPrincipal, "sh-amr", ctx()), "FORBIDDEN");
    const rotated = await service.rotateKey(rootPrincipal, "sh-amr", ctx());
    expect(rotated.retired).to.deep.equal([oldKeyId]);
    expect(rotated.keyId).to.not.equal(oldKeyId);
    const onChain = await fx.chain.admin.contract.signingKey(oldKeyId);
    expect(onChain.validUntil).to.be.lessThan(2n ** 64n - 1n);

    const late = await service.issue(amrPrincipal, { type: "business-licence", claims: example("business-licence") }, ctx());
    await service.flush();
    for (const id of [early.id, pendingWithOldKey.id, late.id]) {
      const r = await service.get(amrPrincipal, id);
      const result = await verify(r.envelope, verifyOptions());
      expect(result.verdict, `${id}: ${JSON.stringify(result.reason)}`).to.equal("valid");
    }
    const header = JSON.parse(Buffer.from((await service.get(amrPrincipal, late.id)).envelope.credential.split(".")[0], "base64url").toString());
    expect(keyIdFromKid(header.kid)).to.equal(rotated.keyId);
  });

  it("keeps a hash-chained audit log and detects tampering with a stored entry", async function () {
    await service.issueBatch(amrPrincipal, [{ type: "business-licence", claims: example("business-licence") }, { type: "production-licence", claims: example("production-licence") }], ctx());
    await service.flush();
    await expectCode(service.audit(amrPrincipal), "FORBIDDEN");
    const log = await service.audit(rootPrincipal);
    expect(log.intact).to.equal(true);
    expect(log.entries.map((e) => e.seq)).to.deep.equal([1, 2, 3]);
    expect(log.entries[1].prevHash).to.equal(log.entries[0].hash);
    expect(log.head).to.equal(log.entries[2].hash);

    // The batch anchored the audit head as it was when the batch was prepared.
    const registry = fx.chain.admin.contract;
    const [event] = await registry.queryFilter(registry.filters.RootAnchored(log.entries[2].subject));
    expect((event as any).args.auditHead).to.equal(log.entries[1].hash);

    const audit = service.db.sublevel<any>("audit");
    const key = String(1).padStart(15, "0");
    const entry = await audit.get(key);
    await audit.put(key, { ...entry, actor: "someone-else" });
    expect((await service.audit(rootPrincipal)).intact).to.equal(false);
  });

  it("issues and checks bearer tokens (HS256 only, expiry, forgery)", async function () {
    const token = await service.issueToken({ kind: "agency", agency: "sh-amr", types: ["business-licence"], subject: "amr-system" });
    const principal = await service.authenticate(token);
    // The token names the agency; `types` (accepted from callers of earlier releases) is not carried: the registry decides.
    expect(principal).to.deep.include({ kind: "agency", agency: "sh-amr", subject: "amr-system" });
    expect(principal).not.to.have.property("types");
    expect(principal.tokenId).to.be.a("string");
    expect(await service.authenticate(await service.issueToken({ kind: "root", subject: "bureau" }))).to.deep.include({ kind: "root", subject: "bureau" });

    await expectCode(service.authenticate(await service.issueToken({ kind: "root", subject: "x" }, -10)), "AUTH_EXPIRED");
    const [h, p, s] = token.split(".");
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, "base64url").toString()), agency: "sh-mca" })).toString("base64url");
    await expectCode(service.authenticate(`${h}.${forgedPayload}.${s}`), "AUTH_INVALID");
    const none = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    await expectCode(service.authenticate(`${none}.${p}.`), "AUTH_INVALID");
    await expectCode(service.authenticate("garbage"), "AUTH_INVALID");
  });

  it("lists types and agencies from the chain and reports readiness", async function () {
    expect(service.types().map((t) => t.id)).to.include("business-licence");
    const agencies = await service.agencies();
    const amr = agencies.find((a) => a.slug === "sh-amr")!;
    expect(amr.types.map((t) => t.id).sort()).to.deep.equal(["business-licence", "production-licence"]);
    expect(amr.keyIds.length).to.equal(2); // the fixture's key and the one the service provisioned
    await service.issue(amrPrincipal, { type: "business-licence", claims: example("business-licence") }, ctx());
    const ready = await service.readiness();
    expect(ready.ready).to.equal(true);
    expect(ready.chain).to.include({ reachable: true, chainId: 31337 });
    expect(ready.anchoring.backlog).to.equal(1);
    expect(ready.anchoring.oldestPendingAgeMs).to.be.a("number");
    void hre;
  });

  it("stores signing keys encrypted and refuses a wrong passphrase", async function () {
    const raw = await service.db.sublevel<any>("signing-keys").values().all();
    expect(raw.length).to.equal(2);
    expect(JSON.stringify(raw)).to.not.include("PRIVATE");
    expect(raw[0].privateKey).to.include.keys("salt", "iv", "tag", "data");
    // One salt per process (sealed-box.ts), but never the same IV or ciphertext.
    expect(raw[0].privateKey.iv).to.not.equal(raw[1].privateKey.iv);
    expect(raw[0].privateKey.data).to.not.equal(raw[1].privateKey.data);
    await service.close();
    let failed = false;
    try {
      service = await fx.start({ passphrase: "wrong" });
    } catch (error) {
      failed = /passphrase/.test(String(error));
    }
    expect(failed).to.equal(true);
    service = await fx.start();
  });
});
