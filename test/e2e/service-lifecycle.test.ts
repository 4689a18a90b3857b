import { expect } from "chai";
import { chmodSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { findTypeById, verify, type Envelope, type VerificationResult } from "@certchain/sdk";
import { derivedCreditCode } from "../../server/service/identifiers";
import { runCli } from "../cli/run-cli";
import { freePort } from "../support/ports";
import { openEntries } from "../support/private-files";
import { api, killLeftoverNode, startServiceProcess, type Demo, type ServiceProcess } from "../support/service-process";

const registriesOf = (demo: Demo) => [{ chainId: demo.chainId, address: demo.registry as `0x${string}`, rpcUrl: demo.rpcUrl }];

async function waitAnchored(demo: Demo, token: string, id: string, timeoutMs = 60_000): Promise<Envelope> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await api(demo, "GET", `/v1/certificates/${id}`, token);
    expect(status, JSON.stringify(body)).to.equal(200);
    if (body.envelope.anchor.status === "anchored") return body.envelope;
    if (Date.now() > deadline) throw new Error(`certificate ${id} not anchored in time`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** waitAnchored for many, eight at a time (hundreds polled at once cost the service a GET each every 250 ms). */
async function eachAnchored(demo: Demo, token: string, ids: readonly string[], timeoutMs: number): Promise<Envelope[]> {
  const envelopes: Envelope[] = new Array(ids.length);
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const index = next++;
      envelopes[index] = await waitAnchored(demo, token, ids[index], timeoutMs);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return envelopes;
}

const verdictOf = async (demo: Demo, envelope: Envelope): Promise<VerificationResult> => verify(envelope, { registries: registriesOf(demo) });

describe("e2e: the issuing service as `npm start` runs it", function () {
  this.timeout(300_000);
  let dataDir: string;
  let chainPort: number;
  let service: ServiceProcess | undefined;
  // One data directory and dev chain for the file: each story carries on from the service the one
  // before left running (a fresh one if it failed), so only the first start seeds the demo
  // agencies. BATCH_SIZE 150: the SIGKILL story's 400 certificates need several anchors.
  const env = { BATCH_DELAY_MS: "200", BATCH_SIZE: "150" };
  const start = async () => (service = await startServiceProcess(dataDir, { chainPort, env }));
  const running = async () => (service !== undefined && service.child.exitCode === null && service.child.signalCode === null ? service : start());

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "certchain-e2e-"));
    chainPort = await freePort();
  });
  after(async () => {
    await service?.stop().catch(() => undefined);
    killLeftoverNode(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("issues over HTTP, anchors, verifies with the SDK, revokes, and survives a restart of service and node", async function () {
    service = await running();
    const { demo } = service;
    const amr = demo.agencies.find((a) => a.id === "sh-amr")!;
    const claims = findTypeById("business-licence")!.schema.examples![0];

    const issued = await api(demo, "POST", "/v1/certificates", amr.token, { type: "business-licence", claims });
    expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
    expect(issued.body.status).to.equal("pending");
    const kept = await api(demo, "POST", "/v1/certificates", amr.token, { type: "business-licence", claims });

    const envelope = await waitAnchored(demo, amr.token, issued.body.id);
    const keptEnvelope = await waitAnchored(demo, amr.token, kept.body.id);
    const first = await verdictOf(demo, envelope);
    expect(first.verdict, JSON.stringify(first.reason)).to.equal("valid");
    expect(first.issuer!.name).to.equal("上海市市场监督管理局");

    const revoked = await api(demo, "POST", `/v1/certificates/${issued.body.id}/revoke`, amr.token, { reason: 1 });
    expect(revoked.status, JSON.stringify(revoked.body)).to.equal(200);
    expect((await verdictOf(demo, envelope)).verdict).to.equal("revoked");

    const before = await verdictOf(demo, keptEnvelope);
    await service.stop();
    service = await start();
    expect(service.demo.registry).to.equal(demo.registry);

    const afterRevoked = await verdictOf(service.demo, envelope);
    expect(afterRevoked.verdict).to.equal("revoked");
    expect(afterRevoked.status).to.deep.include({ reason: 1 });
    const after = await verdictOf(service.demo, keptEnvelope);
    expect(after.verdict).to.equal("valid");
    expect(after.anchoredAt).to.equal(before.anchoredAt);
    expect(after.issuer).to.deep.equal(before.issuer);

    // The restored service keeps issuing on the restored chain.
    const again = await api(service.demo, "POST", "/v1/certificates", amr.token, { type: "business-licence", claims });
    expect(again.status).to.equal(201);
    const againEnvelope = await waitAnchored(service.demo, amr.token, again.body.id);
    expect((await verdictOf(service.demo, againEnvelope)).verdict).to.equal("valid");
  });

  it("an agency added with `certchain agency add` on the default start gets an operator account of its own, funded on the dev chain, and issues certificates that verify, at once and after a restart; the data directory ends 0700 and every file in it private (issue 17)", async function () {
    service = await running();
    const { demo } = service;
    // A data directory others could enter: the default start (not only production) closes it (the restart below).
    chmodSync(dataDir, 0o755);
    const creditCode = derivedCreditCode("gz-hrss");
    const added = await runCli(["agency", "add", "gz-hrss", "--name", "广州市人力资源和社会保障局", "--credit-code", creditCode, "--type", "business-licence", "--api", demo.apiUrl, "--token", demo.rootToken, "--lang", "en"]);
    expect(added.code, added.stderr).to.equal(0);
    const operator = /operator account: (0x[0-9a-fA-F]{40})/.exec(added.stdout)?.[1];
    expect(operator, added.stdout).to.be.a("string");
    expect(added.stdout).to.include("funded");
    const minted = await api(demo, "POST", "/v1/agencies/gz-hrss/tokens", demo.rootToken, { subject: "hrss-business-system" });
    expect(minted.status).to.equal(201);
    const token = minted.body.token;
    const claims = findTypeById("business-licence")!.schema.examples![0];
    const issue = async (d: Demo) => {
      const issued = await api(d, "POST", "/v1/certificates", token, { type: "business-licence", claims });
      expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
      const envelope = await waitAnchored(d, token, issued.body.id);
      const result = await verdictOf(d, envelope);
      expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
      expect(result.issuer!.name).to.equal("广州市人力资源和社会保障局");
      return envelope;
    };
    const first = await issue(demo);
    await service.stop();
    expect(statSync(dataDir).mode & 0o777, "still open when the service stopped").to.equal(0o755);
    service = await start();
    expect(service.output()).to.include(`${dataDir} was open to other users: now 0700`);
    await issue(service.demo);
    expect((await verdictOf(service.demo, first)).verdict).to.equal("valid");
    const listed = await api(service.demo, "GET", "/v1/agencies/gz-hrss", undefined);
    expect(listed.body.service).to.deep.include({ state: "active", operator });
    // 0700 and 0600 in every mode: what the service, LevelDB and the dev node wrote is the owner's alone.
    expect(statSync(dataDir).mode & 0o777).to.equal(0o700);
    expect(openEntries(dataDir)).to.deep.equal([]);
  });

  it("loses no acknowledged certificate when killed with SIGKILL mid-batch, and anchors each exactly once", async function () {
    service = await running();
    const { demo } = service;
    const amr = demo.agencies.find((a) => a.id === "sh-amr")!;
    const claims = findTypeById("business-licence")!.schema.examples![0];
    const { Contract } = await import("ethers");
    const { CERTCHAIN_REGISTRY_ABI } = await import("@certchain/sdk");
    const { devProvider } = await import("../../server/chain/dev-node");
    // The anchors of this story are those after this block (the stories before anchored on the same chain).
    const provider = devProvider(demo.rpcUrl);
    const firstBlock = (await provider.getBlockNumber()) + 1;
    provider.destroy();

    const acknowledged: string[] = [];
    let stop = false;
    const issuer = (async () => {
      for (let round = 0; !stop; round++) {
        try {
          const response = await api(demo, "POST", "/v1/certificates/batch", amr.token, { items: Array.from({ length: 50 }, () => ({ type: "business-licence", claims })) });
          if (response.status === 200) for (const r of response.body.results) if (r.ok) acknowledged.push(r.id);
        } catch {
          return; // the service died under us: whatever was not acknowledged may be lost
        }
      }
    })();
    while (acknowledged.length < 400) await new Promise((r) => setTimeout(r, 20));
    await service.crash();
    stop = true;
    await issuer;
    expect(acknowledged.length).to.be.greaterThan(399);

    service = await startServiceProcess(dataDir, { chainPort });
    const envelopes = await eachAnchored(service.demo, amr.token, acknowledged, 120_000);
    const results = await (await import("@certchain/sdk")).verifyMany(envelopes, { registries: registriesOf(service.demo) });
    expect(results.filter((r) => r.verdict !== "valid").map((r) => r.reason)).to.deep.equal([]);

    // Exactly once: every root anchored once, no certificate under two roots.
    const registry = new Contract(service.demo.registry, CERTCHAIN_REGISTRY_ABI, devProvider(service.demo.rpcUrl));
    const events = await registry.queryFilter(registry.filters.RootAnchored(), firstBlock);
    const roots = events.map((e: any) => e.args.root);
    expect(new Set(roots).size).to.equal(roots.length);
    const rootOf = new Map<string, string>();
    for (const [i, envelope] of envelopes.entries()) {
      const leaf = results[i].certificate!.leaf;
      expect(rootOf.get(leaf) ?? (envelope.anchor as any).root).to.equal((envelope.anchor as any).root);
      rootOf.set(leaf, (envelope.anchor as any).root);
    }
    const anchoredTotal = events.reduce((sum: number, e: any) => sum + Number(e.args.size), 0);
    expect(anchoredTotal).to.be.at.least(acknowledged.length);
  });
});
