import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { Level } from "level";
import { verify } from "@certchain/sdk";
import type { Service } from "../../server/service/create-service";
import type { CertificateRecord } from "../../server/domain/certificate";
import { filesContaining, searchDatabase, searchFiles } from "../support/data-dir-search";
import { amrPrincipal, ctx, example, expectCode, mcaPrincipal, rootPrincipal, serviceFixturePerTest, type ServiceFixture } from "./service-fixture";

// Issue 21, finding 3: the holder's name and ID number sat in data/db/*.log as base64url
// disclosures. Each certificate's claims and disclosures are now encrypted at rest under a data
// key of its own, and erasure destroys that key.

/** Personal data no other test uses, so a hit can only come from these certificates. */
const PERSON = { holder: "欧阳隐私测试甲", spouse: "司马隐私测试乙", idA: "110101198801019999", idB: "110101199002028888", notes: "隐私测试备注QZXJ" };
const PERSONAL = Object.values(PERSON);

function marriage(overrides: { holder?: string; spouse?: string; idA?: string; idB?: string; notes?: string } = {}) {
  const p = { ...PERSON, ...overrides };
  const claims = structuredClone(example("marriage-certificate")) as any;
  claims.holder_name = p.holder;
  claims.spouses[0] = { ...claims.spouses[0], name: p.holder, id_number: p.idA };
  claims.spouses[1] = { ...claims.spouses[1], name: p.spouse, id_number: p.idB };
  claims.notes = p.notes;
  return { type: "marriage-certificate", claims };
}

describe("personal data at rest (issue 21, findings 3 and erasure)", function () {
  this.timeout(120_000);
  let fx: ServiceFixture;
  const freshFixture = serviceFixturePerTest();
  let service: Service | undefined;

  beforeEach(async function () {
    fx = await freshFixture();
    service = await fx.start();
  });

  afterEach(async function () {
    await service?.close();
    await fx.cleanup();
  });

  it("the search finds plaintext where it is: the finding reproduced on a LevelDB written as the service used to (envelope in clear)", async function () {
    const issued = await service!.issue(mcaPrincipal, marriage(), ctx());
    const scratch = mkdtempSync(path.join(tmpdir(), "certchain-plain-"));
    try {
      const db = new Level<string, unknown>(path.join(scratch, "db"), { valueEncoding: "json" });
      await db.put(issued.id, { ...issued });
      await db.close();
      // The disclosures are base64url of JSON arrays: the search finds the name and ID numbers in them, and in the log file.
      const findings = searchFiles(scratch, PERSONAL);
      expect(findings.map((f) => f.value)).to.include.members(PERSONAL);
      expect(findings.some((f) => f.form.startsWith("base64url") && /\.log$/.test(f.where))).to.equal(true);
      expect((await searchDatabase(path.join(scratch, "db"), PERSONAL)).map((f) => f.value)).to.include.members(PERSONAL);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("issued singly and in batches (with Idempotency-Key, a refused item, a revocation), none of it is found in the data directory", async function () {
    await service!.issue(mcaPrincipal, marriage(), ctx());
    const batch = await service!.issueBatch(
      mcaPrincipal,
      [marriage({ notes: `${PERSON.notes}-2` }), { ...marriage(), claims: { ...marriage().claims, registration_date: "not a date" } }, marriage()],
      ctx("idem-personal-1"),
    );
    expect(batch.map((r) => r.ok)).to.deep.equal([true, false, true]);
    // The same request again is answered from the idempotency record.
    const again = await service!.issueBatch(mcaPrincipal, [marriage({ notes: `${PERSON.notes}-2` }), { ...marriage(), claims: { ...marriage().claims, registration_date: "not a date" } }, marriage()], ctx("idem-personal-1"));
    expect(again.map((r) => (r.ok ? r.certificate.id : r.error.code))).to.deep.equal(batch.map((r) => (r.ok ? r.certificate.id : r.error.code)));
    await service!.flush();
    const first = batch[0] as { certificate: CertificateRecord };
    const revoked = await service!.changeStatus(mcaPrincipal, first.certificate.id, "revoke", 1, ctx());
    expect(revoked.status).to.equal("revoked");
    // Reads open what was sealed.
    const read = await service!.get(mcaPrincipal, first.certificate.id);
    expect(read.envelope.credential).to.equal(first.certificate.envelope.credential);
    expect((await service!.get(rootPrincipal, first.certificate.id)).envelope.credential).to.equal(first.certificate.envelope.credential);

    await service!.close();
    service = undefined;
    expect(searchFiles(fx.dir, PERSONAL)).to.deep.equal([]);
    expect(await searchDatabase(path.join(fx.dir, "db"), PERSONAL)).to.deep.equal([]);
  });

  it("a data directory written before encryption at rest is sealed at the next start, its plaintext gone from every file", async function () {
    const issued = await service!.issue(mcaPrincipal, marriage(), ctx());
    const certificates = service!.db.sublevel<any>("certificates");
    // The record as it used to be written: the envelope in clear, no sealed credential.
    const { credential: _sealed, version: _version, anchor: _anchor, ...rest } = await certificates.get(issued.id);
    await service!.db.write([
      { type: "put", sublevel: certificates, key: issued.id, value: { ...rest, envelope: issued.envelope } },
      { type: "del", sublevel: service!.db.sublevel("meta"), key: "sealed-v1" },
    ]);
    await service!.close();
    service = undefined;
    expect(searchFiles(fx.dir, PERSONAL).length).to.be.above(0);

    service = await fx.start();
    expect((await service.get(mcaPrincipal, issued.id)).envelope.credential).to.equal(issued.envelope.credential);
    await service.close();
    service = undefined;
    expect(searchFiles(fx.dir, PERSONAL)).to.deep.equal([]);
    expect(await searchDatabase(path.join(fx.dir, "db"), PERSONAL)).to.deep.equal([]);
  });

  describe("erasure", function () {
    it("crypto-shreds the personal data: no copy of its data key or ciphertext anywhere; the holder's file still verifies; anchor, status and audit stay", async function () {
      const issued = await service!.issue(mcaPrincipal, marriage(), ctx());
      const other = await service!.issue(mcaPrincipal, marriage({ holder: "慕容保留测试丙" }), ctx());
      await service!.flush();
      const holderFile = (await service!.get(mcaPrincipal, issued.id)).envelope;
      expect(holderFile.anchor.status).to.equal("anchored");
      // A status change rewrites the record: an older copy of its sealed credential goes to disk too.
      await service!.changeStatus(mcaPrincipal, issued.id, "suspend", 1, ctx());
      const sealed = (await service!.db.sublevel<any>("certificates").get(issued.id)).credential;
      expect(sealed).to.have.keys("c", "k", "iv", "d");

      await expectCode(service!.erase(mcaPrincipal, issued.id, ctx()), "FORBIDDEN");
      const erased = await service!.erase(rootPrincipal, issued.id, ctx("erase-1"));
      expect(erased).to.include({ id: issued.id, status: "suspended", leaf: issued.leaf });
      expect(erased.erasedAt).to.be.a("string");
      expect(erased.anchor.status).to.equal("anchored");
      expect(erased).to.not.have.property("envelope");
      // Again: the same record, nothing new in the audit log.
      expect((await service!.erase(rootPrincipal, issued.id, ctx())).erasedAt).to.equal(erased.erasedAt);

      // Reads say so; what is not personal keeps working.
      const refusal = await expectCode(service!.get(mcaPrincipal, issued.id), "CERT_ERASED");
      expect(refusal.details[0]).to.include({ id: issued.id, status: "suspended" });
      expect(await service!.proofOf(issued.leaf)).to.have.property("status", "anchored");
      const reinstated = await service!.changeStatus(mcaPrincipal, issued.id, "reinstate", 0, ctx());
      expect(reinstated).to.include({ status: "anchored" }).and.not.have.property("envelope");
      const result = await verify(holderFile, { registries: [fx.chain.registry] });
      expect(result.verdict, JSON.stringify(result.checks)).to.equal("valid");
      expect(result.claims.holder_name).to.equal(PERSON.holder);
      expect((await service!.verify(holderFile)).verdict).to.equal("valid");
      // The other certificate is untouched.
      expect((await service!.get(mcaPrincipal, other.id)).envelope.credential).to.equal(other.envelope.credential);

      const { entries } = await service!.audit(rootPrincipal, { limit: 1000 });
      const erasures = entries.filter((e) => e.action === "certificate.erase");
      expect(erasures).to.have.length(1);
      expect(erasures[0]).to.include({ subject: issued.id, actor: rootPrincipal.subject });
      expect(erasures[0].data).to.include({ agency: "sh-mca", leaf: issued.leaf });
      expect(JSON.stringify(erasures[0])).to.not.include(PERSON.holder);

      await service!.close();
      service = undefined;
      // Nothing left to decrypt, whatever key or passphrase one holds: the wrapped data key and the ciphertext are in no file.
      expect(filesContaining(fx.dir, sealed.k)).to.deep.equal([]);
      expect(filesContaining(fx.dir, sealed.d.slice(0, 64))).to.deep.equal([]);
      expect(searchFiles(fx.dir, PERSONAL)).to.deep.equal([]);
      // After a restart the erasure holds.
      service = await fx.start();
      await expectCode(service.get(mcaPrincipal, issued.id), "CERT_ERASED");
      expect((await service.get(mcaPrincipal, other.id)).envelope.credential).to.equal(other.envelope.credential);
    });
  });
});
