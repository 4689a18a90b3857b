import { expect } from "chai";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { parseCredential, verify, type Envelope } from "@certchain/sdk";
import type { Principal } from "../../server/domain/principal";
import { createKeyStore } from "../../server/keys/key-store";
import { createPersonalDataCipher } from "../../server/lib/personal-data-cipher";
import { derivedCreditCode } from "../../server/service/identifiers";
import { createCertificateStore } from "../../server/store/certificate-store";
import { openDatabase } from "../../server/store/database";
import { searchFiles } from "../support/data-dir-search";
import { PASSPHRASE, ctx, example, nodeOnDiskPerTest, rootPrincipal } from "../server/service-fixture";
import { runCli } from "./support";

const agency = { slug: "hz-amr", name: "杭州市市场监督管理局", creditCode: derivedCreditCode("hz-amr"), types: ["business-licence"] };
const agencyPrincipal: Principal = { kind: "agency", agency: agency.slug, subject: "hz-amr-system", tokenId: "t" };
/** A legal representative no other test uses: found in a credential only if its personal data opened. */
const REPRESENTATIVE = "诸葛备份测试丙";

const statusIndexOf = (envelope: Envelope): number => (parseCredential(envelope.credential).payload.status as { status_list: { idx: number } }).status_list.idx;

/**
 * Issue 21 × issue 17: the personal-data key (it wraps every certificate's data key and keys the
 * status-list index permutation) is sealed under the passphrase like the signing keys, so a
 * passphrase change must seal it again and a key backup must carry it, with the status-list
 * allocations, or a restored node could not read what it issued and would hand out indexes
 * again.
 */
describe("personal data across passphrase change and key backup (issues 17 and 21)", function () {
  this.timeout(180_000);
  let issued: { id: string; envelope: Envelope }[];
  const node = nodeOnDiskPerTest(async (node) => {
    await node.start();
    await node.service!.registerAgency(rootPrincipal, agency, ctx());
    issued = await issueAnchored(3);
    expect(parseCredential(issued[0].envelope.credential).disclosures.some((d) => d.name === "legal_representative" && d.value === REPRESENTATIVE)).to.equal(true);
    await node.stop();
    expect(searchFiles(node.dir, [REPRESENTATIVE]), "sealed at rest").to.deep.equal([]);
  });
  const { start, temp } = node;
  const env = node.cliEnv;

  /** `n` certificates with the distinctive representative, anchored; their envelopes as the holder keeps them. */
  async function issueAnchored(n: number): Promise<{ id: string; envelope: Envelope }[]> {
    const claims = { ...example("business-licence"), legal_representative: REPRESENTATIVE };
    const records = [];
    for (let i = 0; i < n; i++) records.push(await node.service!.issue(agencyPrincipal, { type: "business-licence", claims }, ctx()));
    await node.service!.flush(agency.slug);
    return Promise.all(records.map(async (r) => ({ id: r.id, envelope: (await node.service!.get(agencyPrincipal, r.id)).envelope })));
  }

  const verdictOf = async (envelope: Envelope) => (await verify(envelope, { registries: [node.chain.registry] })).verdict;

  it("passphrase change: the node starts with the new passphrase, its certificates' personal data opens, they verify", async function () {
    const changed = await runCli(["passphrase", "change"], { env: env(node.dir, { CERTCHAIN_NEW_PASSPHRASE: "a new passphrase for personal data" }) });
    expect(changed.code, changed.stderr).to.equal(0);
    // Started with the new passphrase, the service opens the personal-data key (a wrong passphrase would refuse the start).
    await start(node.dir, "a new passphrase for personal data");
    for (const { id, envelope } of issued) {
      const read = await node.service!.get(agencyPrincipal, id);
      expect(read.envelope.credential).to.equal(envelope.credential);
      expect(await verdictOf(read.envelope)).to.equal("valid");
    }
    const [next] = await issueAnchored(1);
    expect(issued.map((c) => statusIndexOf(c.envelope))).to.not.include(statusIndexOf(next.envelope));
  });

  it("keys export → import into an empty data directory: the restored key opens the certificates' personal data, new status-list indexes never repeat, all verify", async function () {
    const out = temp("pd-backup");
    const backupFile = path.join(out, "keys.json");
    const passphraseFile = path.join(out, "backup-passphrase");
    writeFileSync(passphraseFile, "a backup passphrase for personal data\n");
    const exported = await runCli(["keys", "export", "--to", backupFile, "--backup-passphrase-file", passphraseFile], { env: env(node.dir) });
    expect(exported.code, exported.stderr).to.equal(0);
    const restoredDir = temp("pd-restored");
    const imported = await runCli(["keys", "import", "--from", backupFile, "--backup-passphrase-file", passphraseFile], { env: env(restoredDir) });
    expect(imported.code, imported.stderr).to.equal(0);

    // The certificate records come back from a copy of db/ (the key backup holds keys, not certificates): the restored key opens them.
    const restoredDb = await openDatabase(path.join(restoredDir, "db"));
    const restoredKey = await createKeyStore({ db: restoredDb, passphrase: PASSPHRASE }).personalDataKey().finally(() => restoredDb.close());
    const originalDb = await openDatabase(path.join(node.dir, "db"));
    try {
      const certificates = createCertificateStore(originalDb, createPersonalDataCipher(restoredKey));
      for (const { id, envelope } of issued) expect((await certificates.get(id))?.envelope?.credential).to.equal(envelope.credential);
    } finally {
      await originalDb.close();
    }

    await start(restoredDir);
    const next = await issueAnchored(3);
    const before = issued.map((c) => statusIndexOf(c.envelope));
    for (const index of next.map((c) => statusIndexOf(c.envelope))) expect(before, "an index handed out before the backup").to.not.include(index);
    for (const { envelope } of [...issued, ...next]) expect(await verdictOf(envelope)).to.equal("valid");
  });
});
