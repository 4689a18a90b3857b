import { expect } from "chai";
import {
  verify,
  verifyEach,
  verifyMany,
  type AnchorProof,
  type Envelope,
  type TrustedRegistry,
  type VerificationResult,
} from "@certchain/sdk";
import { createServer } from "node:http";
import { freePort } from "../support/ports";
import { regions, type Region, type Regions } from "../support/regions";

// Issue 13's findings, each against real out-of-process Hardhat nodes: regions A (上海市) and B
// (广州市) made as two plain `npm start`s make them (chain id 31337, the registry at the same
// address, an agency with the same slug), and a third region C that nobody trusts.

const entry = (region: Region, extra: Partial<TrustedRegistry> = {}): TrustedRegistry => ({ ...region.registry, ...extra });
/** An envelope as written before registry ids existed. */
const withoutRegistryId = (envelope: Envelope): Envelope => {
  const { registryId: _, ...anchor } = envelope.anchor as AnchorProof;
  return { ...envelope, anchor: anchor as AnchorProof };
};
const edited = (envelope: Envelope, anchor: Partial<AnchorProof>): Envelope => ({ ...envelope, anchor: { ...(envelope.anchor as AnchorProof), ...anchor } });

function expectValidFrom(result: VerificationResult, region: Region) {
  expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
  expect(result.registry).to.deep.include({ name: region.registry.name, id: region.registry.id });
  expect(result.issuer?.name).to.equal(region.agency.name);
}

function expectReason(result: VerificationResult, code: string, verdict: string) {
  expect(result.reason?.code, JSON.stringify(result.reason)).to.equal(code);
  expect(result.verdict).to.equal(verdict);
}

describe("mutual recognition: two regions on look-alike chains, and a third nobody trusts", function () {
  this.timeout(180_000);
  let r: Regions;
  let fromA: Envelope;
  let fromB: Envelope;
  let fromC: Envelope;
  let revokedA: Envelope;

  before(async function () {
    r = await regions();
    // One operator per region sends one transaction at a time.
    [[fromA, revokedA], fromB, fromC] = await Promise.all([
      (async () => [await r.a.issueAnchored("business-licence"), await r.a.issueAnchored("production-licence")])(),
      r.b.issueAnchored("business-licence"),
      r.c.issueAnchored("business-licence"),
    ]);
    await r.a.revoke(revokedA);
  });

  it("the regions share chain id and registry address; only their registry ids differ", function () {
    expect(r.a.registry.chainId).to.equal(r.b.registry.chainId);
    expect(r.a.registry.address).to.equal(r.b.registry.address);
    expect(r.c.registry.address).to.equal(r.a.registry.address);
    expect(new Set([r.a.registry.id, r.b.registry.id, r.c.registry.id]).size).to.equal(3);
    expect((fromA.anchor as AnchorProof).registryId).to.equal(r.a.registry.id);
  });

  for (const order of ["[A, B]", "[B, A]"]) {
    it(`with ${order} each certificate is valid and named after its own region; A's revoked one is revoked`, async function () {
      const registries = order === "[A, B]" ? [entry(r.a), entry(r.b)] : [entry(r.b), entry(r.a)];
      const [a, b, revoked] = await verifyMany([fromA, fromB, revokedA], { registries });
      expectValidFrom(a, r.a);
      expectValidFrom(b, r.b);
      expectReason(revoked, "STATUS_REVOKED", "revoked");
      expect(revoked.registry?.name).to.equal(r.a.registry.name);
    });

    it(`with ${order} envelopes written before registry ids are attributed by root, never by list order`, async function () {
      const registries = order === "[A, B]" ? [entry(r.a), entry(r.b)] : [entry(r.b), entry(r.a)];
      const [a, b, revoked] = await verifyMany([fromA, fromB, revokedA].map(withoutRegistryId), { registries });
      expectValidFrom(a, r.a);
      expectValidFrom(b, r.b);
      expectReason(revoked, "STATUS_REVOKED", "revoked");
    });
  }

  it("a third region's certificate is never valid, with or without its registry id", async function () {
    const registries = [entry(r.a), entry(r.b)];
    const [named, old] = await verifyMany([fromC, withoutRegistryId(fromC)], { registries });
    expectReason(named, "ANCHOR_UNTRUSTED_REGISTRY", "invalid");
    expectReason(old, "ANCHOR_ROOT_NOT_FOUND", "invalid");
    // An envelope claiming a trusted region's id is judged by that region's chain: not there.
    expectReason(await verify(edited(fromC, { registryId: r.a.registry.id }), { registries }), "ANCHOR_ROOT_NOT_FOUND", "invalid");
  });

  it("an old envelope whose root two trusted registries hold is refused as ambiguous, not given to the first", async function () {
    const copied = await r.a.issueAnchored("business-licence");
    // Region B's operator anchors A's root too (anyone can anchor any 32 bytes).
    await r.b.anchorRoot((copied.anchor as AnchorProof).root);
    for (const registries of [[entry(r.a), entry(r.b)], [entry(r.b), entry(r.a)]]) {
      expectReason(await verify(withoutRegistryId(copied), { registries }), "ANCHOR_REGISTRY_AMBIGUOUS", "invalid");
      // The registry id settles it.
      expectValidFrom(await verify(copied, { registries }), r.a);
    }
  });

  it("an envelope with its chain id edited is not valid; a trust entry for chain 1 pointed at a 31337 node is caught", async function () {
    const registries = [entry(r.a), entry(r.b)];
    expectReason(await verify(edited(fromA, { chainId: 1 }), { registries }), "ANCHOR_UNTRUSTED_REGISTRY", "invalid");
    const chainOne = [entry(r.a, { chainId: 1 })];
    for (const envelope of [edited(fromA, { chainId: 1 }), edited(withoutRegistryId(fromA), { chainId: 1 })]) {
      const result = await verify(envelope, { registries: chainOne });
      expectReason(result, "REGISTRY_CHAIN_MISMATCH", "unverifiable");
      expect(result.reason?.message).to.match(/serves chain 31337, not 1/);
    }
  });

  it("an RPC URL pointing at the wrong node is caught by the registry id and by the genesis pin", async function () {
    // A's trust entry, but its URL leads to B's node (same chain id, same address).
    const misdirected = entry(r.a, { rpcUrl: r.b.registry.rpcUrl });
    const [a, b] = await verifyMany([fromA, fromB], { registries: [misdirected] });
    expectReason(a, "REGISTRY_ID_MISMATCH", "unverifiable");
    expectReason(b, "ANCHOR_UNTRUSTED_REGISTRY", "invalid");
    // An entry without an id (a registry deployed before ids) pinned by genesis block instead.
    const genesisA = ((await rpc(r.a.registry.rpcUrl, "eth_getBlockByNumber", ["0x0", false])) as { hash: `0x${string}` }).hash;
    const genesisB = ((await rpc(r.b.registry.rpcUrl, "eth_getBlockByNumber", ["0x0", false])) as { hash: `0x${string}` }).hash;
    expect(genesisA).to.not.equal(genesisB);
    const pinned = { ...entry(r.a, { rpcUrl: r.b.registry.rpcUrl, genesisHash: genesisA }), id: undefined };
    for (const envelope of [fromB, withoutRegistryId(fromB)]) {
      const result = await verify(envelope, { registries: [pinned] });
      expectReason(result, "REGISTRY_CHAIN_MISMATCH", "unverifiable");
      expect(result.reason?.message).to.match(/genesis/);
    }
    expectValidFrom(await verify(fromA, { registries: [entry(r.a, { genesisHash: genesisA })] }), r.a);
  });

  it("with B's node frozen, A's results stream out first and B's come back unverifiable within the deadline", async function () {
    const timeoutMs = 3_000;
    const registries = [entry(r.a), entry(r.b, { timeoutMs })];
    // Fresh entries (new objects): nothing of B's identity is cached from the tests above.
    const inputs = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? fromA : fromB));
    r.b.freeze();
    try {
      const started = Date.now();
      const arrivals: { index: number; at: number; result: VerificationResult }[] = [];
      for await (const { index, result } of verifyEach(inputs, { registries })) arrivals.push({ index, at: Date.now() - started, result });
      expect(arrivals.map((a) => a.index).sort((x, y) => x - y)).to.deep.equal(inputs.map((_, i) => i));
      const ofA = arrivals.filter((a) => a.index % 2 === 0);
      const ofB = arrivals.filter((a) => a.index % 2 === 1);
      for (const a of ofA) expectValidFrom(a.result, r.a);
      for (const b of ofB) {
        expectReason(b.result, "CHAIN_UNREACHABLE", "unverifiable");
        expect(b.result.reason?.message).to.match(/广州市.*did not answer within 3000 ms/);
      }
      // Every A result came out before B's deadline, and before any of B's.
      expect(Math.max(...ofA.map((a) => a.at))).to.be.lessThan(timeoutMs);
      expect(Math.max(...ofA.map((a) => a.at))).to.be.lessThan(Math.min(...ofB.map((b) => b.at)));
      // B's took the deadline, not ethers' 300 s (generous slack for a busy machine).
      expect(Math.min(...ofB.map((b) => b.at))).to.be.at.least(timeoutMs - 100);
      expect(Math.max(...ofB.map((b) => b.at))).to.be.lessThan(timeoutMs + 4_000);

      // verifyMany: same results, input order, B's deadline the only wait.
      const t0 = Date.now();
      const results = await verifyMany(inputs, { registries: [entry(r.a), entry(r.b)], registryTimeoutMs: 2_000 });
      expect(Date.now() - t0).to.be.lessThan(2_000 + 4_000);
      results.forEach((result, i) => (i % 2 === 0 ? expectValidFrom(result, r.a) : expectReason(result, "CHAIN_UNREACHABLE", "unverifiable")));
    } finally {
      r.b.thaw();
    }
    // Thawed, B answers again.
    expectValidFrom(await verify(fromB, { registries: [entry(r.a), entry(r.b)] }), r.b);
  });

  it("with several rpcUrls, a dead or silent endpoint hands over to the next", async function () {
    const silent = createServer(() => undefined); // accepts, never answers
    const silentPort = await freePort();
    await new Promise<void>((resolve) => silent.listen(silentPort, "127.0.0.1", resolve));
    try {
      const deadPort = await freePort();
      const registries = [entry(r.a, { rpcUrl: undefined, rpcUrls: [`http://127.0.0.1:${deadPort}`, `http://127.0.0.1:${silentPort}`, r.a.registry.rpcUrl], timeoutMs: 1_000 })];
      const t0 = Date.now();
      expectValidFrom(await verify(fromA, { registries }), r.a);
      expect(Date.now() - t0).to.be.lessThan(1_000 * 4 + 3_000);
      // Every endpoint down: unverifiable, each endpoint's failure named.
      const down = await verify(fromA, { registries: [entry(r.a, { rpcUrl: undefined, rpcUrls: [`http://127.0.0.1:${deadPort}`, `http://127.0.0.1:${silentPort}`], timeoutMs: 500 })] });
      expectReason(down, "CHAIN_UNREACHABLE", "unverifiable");
      expect(down.reason?.message).to.include(`127.0.0.1:${deadPort}`).and.include(`127.0.0.1:${silentPort}`).and.match(/within 500 ms/);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it("an abort signal ends the wait for a frozen region at once", async function () {
    r.b.freeze();
    try {
      const controller = new AbortController();
      const t0 = Date.now();
      setTimeout(() => controller.abort(), 300);
      const result = await verify(fromB, { registries: [entry(r.b)], registryTimeoutMs: 60_000, signal: controller.signal });
      expectReason(result, "CHAIN_UNREACHABLE", "unverifiable");
      expect(Date.now() - t0).to.be.lessThan(5_000);
    } finally {
      r.b.thaw();
    }
  });
});

async function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  return ((await response.json()) as { result: unknown }).result;
}
