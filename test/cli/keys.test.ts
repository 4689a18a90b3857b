import { expect } from "chai";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseEther } from "ethers";
import { verify, type Envelope } from "@certchain/sdk";
import { writeDeployment } from "../../server/chain/deploy";
import type { Service } from "../../server/service/create-service";
import type { Principal } from "../../server/domain/principal";
import { derivedCreditCode } from "../../server/service/identifiers";
import { PASSPHRASE, ctx, example, rootPrincipal, serviceFixture, type ServiceFixture } from "../server/service-fixture";
import { runCli, runCliProcess } from "./support";

const agency = { slug: "gz-kfq", name: "广州开发区行政审批局", creditCode: derivedCreditCode("gz-kfq"), types: ["business-licence"] };
const agencyPrincipal: Principal = { kind: "agency", agency: agency.slug, subject: "gz-kfq-system", tokenId: "t" };

/**
 * `certchain keys export/import` and `certchain passphrase change` on a real data directory: a
 * service (in-process chain) that registered an agency of its own and issued, then stopped.
 */
describe("certchain keys and passphrase (issue 17): backups, restore into an empty data directory, a new passphrase", function () {
  this.timeout(180_000);
  let fx: ServiceFixture;
  let service: Service | undefined;
  let token: string;
  let issued: Envelope;
  const scratch: string[] = [];
  const start = async (dataDir: string, passphrase = PASSPHRASE) =>
    (service = await fx.start({ dataDir, passphrase, tokenSecret: undefined, operators: {}, fundOperators: parseEther("10") }));
  const stop = async () => {
    await service?.close();
    service = undefined;
  };
  const env = (dataDir: string, extra: Record<string, string> = {}) => ({ DATA_DIR: dataDir, CERTCHAIN_PASSPHRASE: PASSPHRASE, ...extra });
  const temp = (name: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), `certchain-${name}-`));
    scratch.push(dir);
    return dir;
  };

  async function issueValid(): Promise<Envelope> {
    const record = await service!.issue(agencyPrincipal, { type: "business-licence", claims: example("business-licence") }, ctx());
    await service!.flush(agency.slug);
    const envelope = (await service!.get(agencyPrincipal, record.id)).envelope;
    expect((await verify(envelope, { registries: [fx.chain.registry] })).verdict).to.equal("valid");
    return envelope;
  }

  beforeEach(async function () {
    fx = await serviceFixture();
    writeDeployment(path.join(fx.dir, "deployment.json"), { address: fx.chain.registry.address, registryId: fx.chain.registry.id, chainId: 31337 } as never);
    await start(fx.dir);
    await service!.registerAgency(rootPrincipal, agency, ctx());
    token = (await service!.mintAgencyToken(rootPrincipal, agency.slug, {}, ctx())).token;
    issued = await issueValid();
    await stop();
  });
  afterEach(async function () {
    await stop().catch(() => undefined);
    await fx.cleanup();
    for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("export, then import into an empty data directory: the agency is served again, its token works, it issues, and its earlier certificate verifies", async function () {
    const out = temp("backup");
    const backupFile = path.join(out, "keys.json");
    const passphraseFile = path.join(out, "backup-passphrase");
    writeFileSync(passphraseFile, "a backup passphrase kept elsewhere\n");
    const exported = await runCli(["keys", "export", "--to", backupFile, "--backup-passphrase-file", passphraseFile], { env: env(fx.dir) });
    expect(exported.code, exported.stderr).to.equal(0);
    expect(statSync(backupFile).mode & 0o777).to.equal(0o600);
    const text = readFileSync(backupFile, "utf8");
    expect(text).to.not.include(PASSPHRASE);
    expect((await runCli(["keys", "export", "--to", backupFile, "--backup-passphrase-file", passphraseFile], { env: env(fx.dir) })).code, "never over an existing file").to.equal(2);

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
    expect(service!.servedAgencies()).to.include(agency.slug);
    expect((await service!.authenticate(token)).kind).to.equal("agency");
    expect((await verify(issued, { registries: [fx.chain.registry] })).verdict).to.equal("valid");
    const next = await issueValid();
    // Numbering went on from the backup: no certificate number is handed out twice.
    const numberOf = (e: Envelope) => JSON.parse(Buffer.from(e.credential.split(".")[1], "base64url").toString()).certificate_number;
    expect(numberOf(next)).to.not.equal(numberOf(issued));
  });

  it("passphrase change: everything opens with the new passphrase only, tokens stay valid, the agency issues", async function () {
    const changed = await runCli(["passphrase", "change"], { env: env(fx.dir, { CERTCHAIN_NEW_PASSPHRASE: "a much better passphrase" }) });
    expect(changed.code, changed.stderr).to.equal(0);
    let refused: unknown;
    await start(fx.dir).catch((error) => (refused = error));
    expect(String(refused)).to.include("wrong passphrase");
    await start(fx.dir, "a much better passphrase");
    expect((await service!.authenticate(token)).kind).to.equal("agency");
    await issueValid();
  });

  for (const [point, opensWith] of [
    ["before-write", "old"],
    ["after-write", "new"],
  ] as const) {
    it(`passphrase change killed ${point}: everything opens with the ${opensWith} passphrase, nothing with the other`, async function () {
      const killed = await runCliProcess(["passphrase", "change"], { env: env(fx.dir, { CERTCHAIN_NEW_PASSPHRASE: "the new one", CERTCHAIN_FAULT: `passphrase:${point}` }) });
      expect(killed.signal, killed.stderr + killed.stdout).to.equal("SIGKILL");
      const [good, bad] = opensWith === "old" ? [PASSPHRASE, "the new one"] : ["the new one", PASSPHRASE];
      let refused: unknown;
      await start(fx.dir, bad).catch((error) => (refused = error));
      expect(String(refused)).to.include("wrong passphrase");
      await start(fx.dir, good);
      // Every sealed key opens: the agency's signing key and operator key sign and anchor.
      await issueValid();
    });
  }
});
