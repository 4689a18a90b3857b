import { expect } from "chai";
import { readFileSync } from "node:fs";
import path from "node:path";
import { findTypeById, verify, type Envelope } from "@certchain/sdk";
import { COMMANDS } from "../../scripts/cli/main";
import { freePort } from "../support/ports";
import { flagsFor, removeTestFolder, runCli, sharedCliEnvironment, testFolder, type CliEnvironment } from "./support";

describe("cli: status, agency, key and help", function () {
  this.timeout(300_000);
  let env: CliEnvironment;
  let dir: string;
  let id: string;
  let envelopeFile: string;

  before(async function () {
    env = await sharedCliEnvironment(this);
    dir = testFolder("commands");
    const response = await fetch(`${env.apiUrl}/v1/certificates`, {
      method: "POST",
      headers: { authorization: `Bearer ${env.tokens["sh-amr"]}`, "content-type": "application/json" },
      body: JSON.stringify({ type: "business-licence", claims: findTypeById("business-licence")!.schema.examples[0] }),
    });
    id = ((await response.json()) as { id: string }).id;
    envelopeFile = path.join(dir, "licence.json");
  });
  after(() => removeTestFolder(dir));

  const verdict = async () => (await verify(readFileSync(envelopeFile, "utf8"), { registries: [env.registry] })).verdict;

  it("get --wait writes the anchored envelope (API URL and token from the environment)", async function () {
    const run = await runCli(["get", id, "--wait", "--out", envelopeFile], { env: { CERTCHAIN_API_URL: env.apiUrl, CERTCHAIN_TOKEN: env.tokens["sh-amr"] } });
    expect(run.code, run.stderr).to.equal(0);
    expect((JSON.parse(readFileSync(envelopeFile, "utf8")) as Envelope).anchor.status).to.equal("anchored");
    expect(await verdict()).to.equal("valid");
  });

  it("suspend, reinstate and revoke change what verifiers see; reasons by name or number", async function () {
    const amr = flagsFor(env, env.tokens["sh-amr"]);
    const suspended = await runCli(["suspend", id, "--reason", "under_investigation", ...amr]);
    expect(suspended.code, suspended.stderr).to.equal(0);
    expect(suspended.stdout).to.include("suspended").and.include("Under investigation");
    expect(await verdict()).to.equal("suspended");

    const reinstated = await runCli(["reinstate", id, "--reason", "9", ...amr]);
    expect(reinstated.code, reinstated.stderr).to.equal(0);
    expect(await verdict()).to.equal("valid");

    const other = await runCli(["revoke", id, "--reason", "fraud", ...flagsFor(env, env.tokens["sh-mca"])]);
    expect(other.code).to.equal(1);
    expect(other.stderr).to.match(/certchain revoke: FORBIDDEN_AGENCY: /);

    const revoked = await runCli(["revoke", id, "--reason", "issued_in_error", "--json", ...amr]);
    expect(revoked.code, revoked.stderr).to.equal(0);
    expect(JSON.parse(revoked.stdout)).to.deep.include({ id, status: "revoked", statusReason: 1 });
    expect(await verdict()).to.equal("revoked");

    const again = await runCli(["reinstate", id, "--reason", "9", ...amr]);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.include("STATUS_TRANSITION_INVALID");

    const noReason = await runCli(["revoke", id, ...amr]);
    expect(noReason.code).to.equal(2);
    expect(noReason.stderr).to.include("--reason");
    const badReason = await runCli(["revoke", id, "--reason", "boredom", ...amr]);
    expect(badReason.code).to.equal(2);
    expect(badReason.stderr).to.include("unknown reason");
  });

  it("agency list shows the registry's agencies; agency add registers one (root authority)", async function () {
    const list = await runCli(["agency", "list", "--demo", env.demoFile]);
    expect(list.code, list.stderr).to.equal(0);
    expect(list.stdout).to.match(/^SLUG\s+NAME\s+CREDIT CODE\s+TYPES\s+KEYS/).and.include("sh-notary").and.include("上海市东方公证处").and.include("notarisation-receipt");

    const add = await runCli(["agency", "add", "sh-fda", "--name", "上海市药品监督管理局", "--credit-code", "11310000MB2F30002R", "--type", "production-licence", "--demo", env.demoFile]);
    expect(add.code, add.stderr).to.equal(0);
    const after = await runCli(["agency", "list", "--demo", env.demoFile]);
    expect(after.stdout).to.include("sh-fda").and.include("上海市药品监督管理局").and.include("11310000MB2F30002R");
    for (const [args, message] of [
      [[], /missing --credit-code/],
      [["--credit-code", "11310000MB2F30002X"], /check character/],
      [["--credit-code", "1131"], /18 characters/],
    ] as const) {
      const refused = await runCli(["agency", "add", "sh-gda", "--name", "局", "--type", "production-licence", ...args, "--demo", env.demoFile]);
      expect(refused.code, refused.stderr).to.equal(2);
      expect(refused.stderr).to.match(message);
    }
    const again = await runCli(["agency", "add", "sh-fda", "--name", "重复", "--credit-code", "123100004250061179", "--type", "production-licence", "--demo", env.demoFile]);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.include("AGENCY_EXISTS");
  });

  it("key rotate uses the root token; certificates signed before keep verifying, new ones use the new key", async function () {
    const mca = { CERTCHAIN_API_URL: env.apiUrl, CERTCHAIN_TOKEN: env.tokens["sh-mca"] };
    const issueMarriage = async () => {
      const response = await fetch(`${env.apiUrl}/v1/certificates`, {
        method: "POST",
        headers: { authorization: `Bearer ${env.tokens["sh-mca"]}`, "content-type": "application/json" },
        body: JSON.stringify({ type: "marriage-certificate", claims: findTypeById("marriage-certificate")!.schema.examples[0] }),
      });
      const { id: marriageId } = (await response.json()) as { id: string };
      const file = path.join(dir, `${marriageId}.json`);
      const run = await runCli(["get", marriageId, "--wait", "--out", file], { env: mca });
      expect(run.code, run.stderr).to.equal(0);
      return file;
    };
    const before = await issueMarriage();

    const refused = await runCli(["key", "rotate", "--agency", "sh-mca", ...flagsFor(env, env.tokens["sh-amr"])]);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.include("FORBIDDEN");

    const badSuite = await runCli(["key", "rotate", "--agency", "sh-mca", "--algorithm", "RS256", "--demo", env.demoFile]);
    expect(badSuite.code).to.equal(2);
    expect(badSuite.stderr).to.match(/--algorithm/);

    // To SM2 (国密): the old Ed25519 certificate stays valid beside the new SM2 one.
    const rotated = await runCli(["key", "rotate", "--agency", "sh-mca", "--algorithm", "sm2", "--demo", env.demoFile, "--json"]);
    expect(rotated.code, rotated.stderr).to.equal(0);
    const { keyId, alg, retired } = JSON.parse(rotated.stdout);
    expect(keyId).to.match(/^0x[0-9a-f]{64}$/);
    expect(alg).to.equal("SM2");
    expect(retired).to.have.length(1);

    const after = await issueMarriage();
    const verified = await runCli(["verify", before, after, "--demo", env.demoFile, "--json"]);
    expect(verified.code, verified.stdout).to.equal(0);
    const header = (file: string) => JSON.parse(Buffer.from(JSON.parse(readFileSync(file, "utf8")).credential.split(".")[0], "base64url").toString());
    expect(header(before).kid).to.not.equal(header(after).kid);
    expect([header(before).alg, header(after).alg]).to.deep.equal(["EdDSA", "SM2"]);
  });

  it("erase (root authority) removes a certificate's personal data: get answers CERT_ERASED, the holder's file still verifies", async function () {
    const amr = { CERTCHAIN_API_URL: env.apiUrl, CERTCHAIN_TOKEN: env.tokens["sh-amr"] };
    const response = await fetch(`${env.apiUrl}/v1/certificates`, {
      method: "POST",
      headers: { authorization: `Bearer ${env.tokens["sh-amr"]}`, "content-type": "application/json" },
      body: JSON.stringify({ type: "business-licence", claims: findTypeById("business-licence")!.schema.examples[0] }),
    });
    const { id: erasable } = (await response.json()) as { id: string };
    const file = path.join(dir, "erasable.json");
    expect((await runCli(["get", erasable, "--wait", "--out", file], { env: amr })).code).to.equal(0);

    const refused = await runCli(["erase", erasable, ...flagsFor(env, env.tokens["sh-amr"])]);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.include("FORBIDDEN");
    expect((await runCli(["erase", "--demo", env.demoFile])).code).to.equal(2);

    const erased = await runCli(["erase", erasable, "--demo", env.demoFile, "--json"]);
    expect(erased.code, erased.stderr).to.equal(0);
    expect(JSON.parse(erased.stdout)).to.include({ id: erasable, status: "anchored" }).and.have.property("erasedAt");
    const gone = await runCli(["get", erasable], { env: amr });
    expect(gone.code).to.equal(1);
    expect(gone.stderr).to.include("CERT_ERASED");
    expect((await verify(readFileSync(file, "utf8"), { registries: [env.registry] })).verdict).to.equal("valid");
  });

  it("--help works for every command and says how to use it; unknown commands exit 2", async function () {
    const top = await runCli(["--help"]);
    expect(top.code).to.equal(0);
    for (const command of COMMANDS) expect(top.stdout).to.include(command.name);
    for (const command of COMMANDS) {
      const run = await runCli([command.name, "--help"]);
      expect(run.code, command.name).to.equal(0);
      expect(run.stdout, command.name).to.match(/^Usage: certchain /);
    }
    const unknown = await runCli(["frobnicate"]);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr.trim().split("\n")).to.have.length(1);
  });

  it("explains a missing API URL or token, and an unreachable API, in one line", async function () {
    const noApi = await runCli(["agency", "list"]);
    expect(noApi.code).to.equal(2);
    expect(noApi.stderr).to.include("no API URL");
    const noToken = await runCli(["revoke", id, "--reason", "1", "--api", env.apiUrl]);
    expect(noToken.code).to.equal(2);
    expect(noToken.stderr).to.include("no token");
    const closed = await freePort();
    const down = await runCli(["agency", "list", "--api", `http://127.0.0.1:${closed}`]);
    expect(down.code).to.equal(1);
    expect(down.stderr.trim()).to.equal(`certchain agency: API_UNREACHABLE: cannot reach the API at http://127.0.0.1:${closed} (ECONNREFUSED): is the service running (npm start) and the address right?`);
    expect(down.stderr).to.not.include("    at ");
  });
});
