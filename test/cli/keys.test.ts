import { expect } from "chai";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { verify, type Envelope } from "@certchain/sdk";
import type { Principal } from "../../server/domain/principal";
import { derivedCreditCode } from "../../server/service/identifiers";
import { PASSPHRASE, ctx, example, nodeOnDiskPerTest, rootPrincipal } from "../server/service-fixture";
import { runCli, runCliProcess } from "./support";

const agency = { slug: "gz-kfq", name: "广州开发区行政审批局", creditCode: derivedCreditCode("gz-kfq"), types: ["business-licence"] };
const agencyPrincipal: Principal = { kind: "agency", agency: agency.slug, subject: "gz-kfq-system", tokenId: "t" };

/**
 * `certchain keys export/import` and `certchain passphrase change` on a real data directory: a
 * service (in-process chain) that registered an agency of its own and issued, then stopped.
 */
describe("certchain keys and passphrase (issue 17): backups, restore into an empty data directory, a new passphrase", function () {
  this.timeout(180_000);
  let token: string;
  let issued: Envelope;
  const node = nodeOnDiskPerTest(async (node) => {
    await node.start();
    await node.service!.registerAgency(rootPrincipal, agency, ctx());
    token = (await node.service!.mintAgencyToken(rootPrincipal, agency.slug, {}, ctx())).token;
    issued = await issueValid();
  });
  const { start, temp } = node;
  const env = node.cliEnv;

  async function issueValid(): Promise<Envelope> {
    const record = await node.service!.issue(agencyPrincipal, { type: "business-licence", claims: example("business-licence") }, ctx());
    await node.service!.flush(agency.slug);
    const envelope = (await node.service!.get(agencyPrincipal, record.id)).envelope;
    expect((await verify(envelope, { registries: [node.chain.registry] })).verdict).to.equal("valid");
    return envelope;
  }

  it("export, then import into an empty data directory: the agency is served again, its token works, it issues, and its earlier certificate verifies", async function () {
    const out = temp("backup");
    const backupFile = path.join(out, "keys.json");
    const passphraseFile = path.join(out, "backup-passphrase");
    writeFileSync(passphraseFile, "a backup passphrase kept elsewhere\n");
    const exported = await runCli(["keys", "export", "--to", backupFile, "--backup-passphrase-file", passphraseFile], { env: env(node.dir) });
    expect(exported.code, exported.stderr).to.equal(0);
    expect(statSync(backupFile).mode & 0o777).to.equal(0o600);
    const text = readFileSync(backupFile, "utf8");
    expect(text).to.not.include(PASSPHRASE);
    expect((await runCli(["keys", "export", "--to", backupFile, "--backup-passphrase-file", passphraseFile], { env: env(node.dir) })).code, "never over an existing file").to.equal(2);

    const empty = temp("restored");
    const wrong = await runCli(["keys", "import", "--from", backupFile], { env: env(empty, { CERTCHAIN_BACKUP_PASSPHRASE: "not it" }) });
    expect(wrong.code).to.equal(1);
    expect(wrong.stderr).to.include("wrong backup passphrase");
    const restored = await runCli(["keys", "import", "--from", backupFile, "--backup-passphrase-file", passphraseFile], { env: env(empty) });
    expect(restored.code, restored.stderr).to.equal(0);
    expect(existsSync(path.join(empty, "deployment.json"))).to.equal(true);
    expect(statSync(empty).mode & 0o777, "the data directory is the owner's alone").to.equal(0o700);
    const again = await runCli(["keys", "import", "--from", backupFile, "--backup-passphrase-file", passphraseFile], { env: env(empty) });
    expect(again.code, "a restore never mixes with keys a node holds").to.equal(1);

    await start(empty);
    expect(node.service!.servedAgencies()).to.include(agency.slug);
    expect((await node.service!.authenticate(token)).kind).to.equal("agency");
    expect((await verify(issued, { registries: [node.chain.registry] })).verdict).to.equal("valid");
    const next = await issueValid();
    // Numbering went on from the backup: no certificate number is handed out twice.
    const numberOf = (e: Envelope) => JSON.parse(Buffer.from(e.credential.split(".")[1], "base64url").toString()).certificate_number;
    expect(numberOf(next)).to.not.equal(numberOf(issued));
  });

  it("passphrase change: everything opens with the new passphrase only, tokens stay valid, the agency issues", async function () {
    const changed = await runCli(["passphrase", "change"], { env: env(node.dir, { CERTCHAIN_NEW_PASSPHRASE: "a much better passphrase" }) });
    expect(changed.code, changed.stderr).to.equal(0);
    let refused: unknown;
    await start(node.dir).catch((error) => (refused = error));
    expect(String(refused)).to.include("wrong passphrase");
    await start(node.dir, "a much better passphrase");
    expect((await node.service!.authenticate(token)).kind).to.equal("agency");
    await issueValid();
  });

  for (const [point, opensWith] of [
    ["before-write", "old"],
    ["after-write", "new"],
  ] as const) {
    it(`passphrase change killed ${point}: everything opens with the ${opensWith} passphrase, nothing with the other`, async function () {
      const killed = await runCliProcess(["passphrase", "change"], { env: env(node.dir, { CERTCHAIN_NEW_PASSPHRASE: "the new one", CERTCHAIN_FAULT: `passphrase:${point}` }) });
      expect(killed.signal, killed.stderr + killed.stdout).to.equal("SIGKILL");
      const [good, bad] = opensWith === "old" ? [PASSPHRASE, "the new one"] : ["the new one", PASSPHRASE];
      let refused: unknown;
      await start(node.dir, bad).catch((error) => (refused = error));
      expect(String(refused)).to.include("wrong passphrase");
      await start(node.dir, good);
      // Every sealed key opens: the agency's signing key and operator key sign and anchor.
      await issueValid();
    });
  }
});
