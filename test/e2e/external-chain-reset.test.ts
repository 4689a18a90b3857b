import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startDevNode, devProvider, type DevNode } from "../../server/chain/dev-node";
import { runCli } from "../cli/support";
import { freePort } from "../support/ports";
import { api, readiness, startServiceProcess, waitFor, type ServiceProcess } from "../support/service-process";
import { anchoredEnvelopes, issueConcurrently, verifyAgainstChain, type Acknowledged } from "../support/workload";

/**
 * Issue 8, finding 5: an external chain (CHAIN_RPC_URL; here a second, independent `hardhat
 * node`) loses its state under a running service. Before: `npm start` silently redeployed the
 * registry, GET said "anchored", /readyz said 200 and every certificate verified
 * ANCHOR_ROOT_NOT_FOUND.
 */
describe("e2e: an external chain that lost its state (issue 8, finding 5)", function () {
  this.timeout(600_000);
  let dataDir: string;
  let chainPort: number;
  let external: DevNode | undefined;
  let service: ServiceProcess | undefined;

  before(async function () {
    dataDir = mkdtempSync(path.join(tmpdir(), "certchain-external-"));
    chainPort = await freePort();
    external = await startDevNode({ port: chainPort, logFile: path.join(dataDir, "external-node.log") });
  });
  after(async function () {
    await service?.stop().catch(() => undefined);
    await external?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("is detected (503 CHAIN_STATE_MISMATCH, never 'anchored'), is not redeployed over by npm start, and `certchain chain reanchor` makes every certificate verify again", async function () {
    const env = { CHAIN_RPC_URL: `http://127.0.0.1:${chainPort}`, CHAIN_CHECK_INTERVAL_MS: "1000", CHAIN_TIMEOUT_MS: "2000", BATCH_DELAY_MS: "150" };
    const start = async () => (service = await startServiceProcess(dataDir, { chainPort: await freePort(), env }));
    await start();
    const demo = service!.demo;
    const acknowledged: Acknowledged[] = await issueConcurrently(demo, 2, 4);
    const beforeEnvelopes = await anchoredEnvelopes(demo, acknowledged);
    const before = await verifyAgainstChain(demo, beforeEnvelopes);
    expect(before.failures).to.deep.equal([]);
    const tokenOf = (agency: string) => demo.agencies.find((a) => a.id === agency)!.token;
    const [suspended, revoked] = acknowledged.filter((a) => a.agency === "sh-amr");
    expect((await api(demo, "POST", `/v1/certificates/${suspended.id}/suspend`, tokenOf("sh-amr"), { reason: 2 })).status).to.equal(200);
    expect((await api(demo, "POST", `/v1/certificates/${revoked.id}/revoke`, tokenOf("sh-amr"), { reason: 1 })).status).to.equal(200);

    // The external chain loses everything: a fresh node on the same URL.
    await external!.stop();
    external = await startDevNode({ port: chainPort, logFile: path.join(dataDir, "external-node.log") });

    const mismatch = await waitFor("/readyz to report CHAIN_STATE_MISMATCH", async () => {
      const r = await readiness(demo);
      return r.status === 503 && r.body.code === "CHAIN_STATE_MISMATCH" && r.body;
    });
    expect(mismatch.chain.phase).to.equal("mismatch");
    expect(mismatch.chain.detail).to.include("certchain chain reanchor");
    expect(service!.output()).to.include("CHAIN STATE MISMATCH");
    const [first] = acknowledged;
    const got = await api(demo, "GET", `/v1/certificates/${first.id}`, tokenOf(first.agency));
    expect(got.status, "GET must not hand out an anchor the chain lacks").to.equal(503);
    expect(got.body.error.code).to.equal("CHAIN_STATE_MISMATCH");
    const untouched = acknowledged.find((a) => a.agency === "sh-mca")!;
    const refused = await api(demo, "POST", `/v1/certificates/${untouched.id}/suspend`, tokenOf(untouched.agency), { reason: 1 });
    expect(refused.status).to.equal(503);
    expect(refused.body.error.code).to.equal("CHAIN_STATE_MISMATCH");
    // Issuing goes on (pending); anchoring waits for the repair.
    acknowledged.push(...(await issueConcurrently(demo, 1, 2)));

    // A restart does not redeploy under existing certificates.
    await service!.stop();
    await start();
    const provider = devProvider(`http://127.0.0.1:${chainPort}`);
    expect(await provider.getCode(demo.registry), "no silent redeployment").to.equal("0x");
    // Under load a first probe may time out (CHAIN_UNAVAILABLE) before the identity check has
    // run; what must never happen is a ready service.
    const seen = new Set<string>();
    await waitFor("/readyz to report CHAIN_STATE_MISMATCH after the restart", async () => {
      const r = await readiness(service!.demo);
      seen.add(`${r.status} ${r.body.code ?? ""}`);
      return r.body.code === "CHAIN_STATE_MISMATCH";
    });
    expect([...seen].filter((answer) => !answer.startsWith("503 ")), "never ready on the lost chain").to.deep.equal([]);
    await service!.stop();
    service = undefined;

    const cliEnv = { DATA_DIR: dataDir, CHAIN_RPC_URL: `http://127.0.0.1:${chainPort}` };
    const refusedCli = await runCli(["chain", "reanchor", "--lang", "en"], { env: cliEnv });
    expect(refusedCli.code, refusedCli.stderr).to.equal(1);
    expect(refusedCli.stderr).to.include("--redeploy");
    const repaired = await runCli(["chain", "reanchor", "--redeploy", "--lang", "en"], { env: cliEnv });
    expect(repaired.code, repaired.stderr + repaired.stdout).to.equal(0);
    expect(repaired.stdout).to.match(/roots: \d+ checked, [1-9]\d* re-anchored/);
    expect(await provider.getCode(demo.registry)).to.not.equal("0x");
    provider.destroy();

    await start();
    await waitFor("/readyz 200 after reanchor", async () => (await readiness(service!.demo)).status === 200);
    const envelopes = await anchoredEnvelopes(service!.demo, acknowledged);
    const after = await verifyAgainstChain(service!.demo, envelopes);
    const expected = acknowledged.map((a) => (a.id === suspended.id ? "suspended" : a.id === revoked.id ? "revoked" : "valid"));
    expect(after.results.map((r) => r.verdict)).to.deep.equal(expected);
    // Same proofs, new anchor times.
    for (const [i, old] of beforeEnvelopes.entries()) {
      expect((envelopes[i].anchor as any).root).to.equal((old.anchor as any).root);
      expect((envelopes[i].anchor as any).proof).to.deep.equal((old.anchor as any).proof);
      expect(Date.parse(after.results[i].anchoredAt!)).to.be.greaterThan(Date.parse(before.results[i].anchoredAt!));
    }
    const audit = await api(service!.demo, "GET", "/v1/audit?limit=1000", service!.demo.rootToken);
    const actions = audit.body.entries.map((e: any) => e.action);
    expect(actions).to.include("chain.redeploy").and.include("chain.reanchor").and.include("chain.reapply-revoke").and.include("chain.reapply-suspend");
    expect(audit.body.intact).to.equal(true);
  });
});
