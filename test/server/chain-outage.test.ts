import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import hre from "hardhat";
import { HDNodeWallet, JsonRpcProvider } from "ethers";
import { verify } from "@certchain/sdk";
import type { Service } from "../../server/service/create-service";
import { amrPrincipal, ctx, example, serviceFixture, type ServiceFixture } from "./service-fixture";

/**
 * A JSON-RPC endpoint in front of the in-process Hardhat network that can be switched off:
 * while down, every connection is dropped, as a stopped node would.
 */
async function startRpcProxy(): Promise<{ url: string; setUp(up: boolean): void; close(): Promise<void> }> {
  let up = true;
  const server: Server = createServer((req, res) => {
    if (!up) return void req.socket.destroy();
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", async () => {
      const handle = async (call: { id: unknown; method: string; params?: unknown[] }) => {
        try {
          return { jsonrpc: "2.0", id: call.id, result: await hre.network.provider.request({ method: call.method, params: call.params ?? [] }) };
        } catch (error: any) {
          return { jsonrpc: "2.0", id: call.id, error: { code: error.code ?? -32000, message: error.message, data: error.data } };
        }
      };
      const payload = JSON.parse(body);
      const reply = Array.isArray(payload) ? await Promise.all(payload.map(handle)) : await handle(payload);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setUp: (value) => (up = value),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const MNEMONIC = "test test test test test test test test test test test junk";

describe("chain outage", function () {
  let fx: ServiceFixture;
  let service: Service | undefined;
  let proxy: Awaited<ReturnType<typeof startRpcProxy>>;

  before(async function () {
    fx = await serviceFixture();
    proxy = await startRpcProxy();
  });

  after(async function () {
    await service?.close();
    await proxy.close();
    await fx.cleanup();
  });

  it("keeps issuing while the chain is down and anchors the backlog by itself when it returns", async function () {
    const provider = new JsonRpcProvider(proxy.url, 31337, { staticNetwork: true, cacheTimeout: -1 });
    provider.pollingInterval = 100;
    // Operators must reach the chain through the failing endpoint too: wallets on the proxy.
    const operator = HDNodeWallet.fromPhrase(MNEMONIC, undefined, "m/44'/60'/0'/0/15").connect(provider);
    await fx.chain.admin.addOperator("sh-amr", operator.address);
    service = await fx.start({ provider, operators: { "sh-amr": operator }, batch: { maxSize: 1_000, maxDelayMs: 100 } });

    proxy.setUp(false);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await service.issue(amrPrincipal, { type: "business-licence", claims: example("business-licence") }, ctx())).id);
    const results = await service.issueBatch(amrPrincipal, [0, 1].map(() => ({ type: "production-licence", claims: example("production-licence") })), ctx());
    for (const r of results) ids.push(r.ok ? r.certificate.id : expect.fail(JSON.stringify(r)));

    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const down = await service.readiness();
    expect(down.chain.reachable).to.equal(false);
    expect(down.ready).to.equal(false);
    expect(down.anchoring.backlog).to.equal(5);
    expect(down.anchoring.lastError).to.be.a("string");
    for (const id of ids) expect((await service.get(amrPrincipal, id)).status).to.equal("pending");

    proxy.setUp(true);
    const deadline = Date.now() + 30_000;
    while (service.batcher.stats().backlog > 0) {
      if (Date.now() > deadline) expect.fail(`backlog not anchored: ${JSON.stringify(service.batcher.stats())}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const id of ids) {
      const record = await service.get(amrPrincipal, id);
      expect(record.status).to.equal("anchored");
      expect((await verify(record.envelope, { registries: [fx.chain.registry] })).verdict).to.equal("valid");
    }
    expect((await service.readiness()).ready).to.equal(true);
  });
});
