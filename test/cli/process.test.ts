import { expect } from "chai";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { findTypeById, type Envelope } from "@certchain/sdk";
import { reencodeCredential } from "../support/tamper";
import { runCliProcess } from "./run-cli";
import { registryFlags, removeTestFolder, sharedCliEnvironment, testFolder, type CliEnvironment } from "./support";

/**
 * What only a process shows: the exit status the shell sees, and the launcher `npx certchain`
 * runs. (Ctrl-C in a terminal: clerk.test.ts; SIGKILL mid-run: issue.test.ts.) Everything else
 * runs the CLI in process.
 */
describe("cli: as a process (exit status, the bin.js launcher)", function () {
  this.timeout(300_000);
  let env: CliEnvironment;
  let dir: string;
  let good: string;
  let forged: string;

  before(async function () {
    env = await sharedCliEnvironment(this);
    dir = testFolder("process");
    const response = await fetch(`${env.apiUrl}/v1/certificates`, {
      method: "POST",
      headers: { authorization: `Bearer ${env.tokens["sh-amr"]}`, "content-type": "application/json", prefer: "wait=30" },
      body: JSON.stringify({ type: "business-licence", claims: findTypeById("business-licence")!.schema.examples[0] }),
    });
    const { envelope } = (await response.json()) as { envelope: Envelope };
    expect(envelope.anchor.status).to.equal("anchored");
    good = path.join(dir, "licence.json");
    writeFileSync(good, JSON.stringify(envelope));
    forged = path.join(dir, "forged.json");
    writeFileSync(forged, JSON.stringify(reencodeCredential(envelope, (_h, payload) => ({ ...payload, exp: 4102444800 }))));
  });
  after(() => removeTestFolder(dir));

  it("exits 0 on success, 1 when the operation fails, 2 on a usage mistake (the bundle: the CLI's code as one file)", async function () {
    const valid = await runCliProcess(["verify", good, ...registryFlags(env)]);
    expect(valid.code, valid.stderr).to.equal(0);
    expect(valid.stdout).to.include("1 checked: 1 valid");
    const invalid = await runCliProcess(["verify", forged, ...registryFlags(env)]);
    expect(invalid.code, invalid.stderr).to.equal(1);
    expect(invalid.stdout).to.include("ANCHOR_PROOF_INVALID");
    const usage = await runCliProcess(["verify", good, "--colour"]);
    expect(usage.code).to.equal(2);
    expect(usage.stderr.trim()).to.equal("certchain verify: Unknown option '--colour' (see: certchain verify --help)");
  });

  it("bin.js runs the CLI from its TypeScript sources; started by a plain `node` (a linked command) it runs itself again under the certchain-source condition, and passes on the exit status", async function () {
    // Without the condition npx passes (NODE_OPTIONS, from .npmrc): the way through both bin.js processes.
    // The README test runs `npx certchain` itself.
    const run = await runCliProcess(["verify", forged, ...registryFlags(env)], { viaBin: true, env: { NODE_OPTIONS: "" } });
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stdout).to.include("ANCHOR_PROOF_INVALID");
  });
});
