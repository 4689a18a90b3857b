import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Interface } from "ethers";
import { CERTCHAIN_REGISTRY_ABI, findTypeById, type Envelope, type Hex } from "@certchain/sdk";
import { loadConfig } from "../../server/config";
import type { CertificateRecord } from "../../server/domain/certificate";
import type { Principal } from "../../server/domain/principal";
import { startIssuingNode, type IssuingNode } from "../../server/issuing-node";
import { createLogger } from "../../server/lib/logger";
import { derivedCreditCode } from "../../server/service/identifiers";
import { startAnvil, type Anvil } from "../support/anvil";
import { freePort } from "../support/ports";
import { waitFor } from "../support/service-process";

const registry = new Interface(CERTCHAIN_REGISTRY_ABI);
const root: Principal = { kind: "root", subject: "reorg-test", tokenId: "t-root" };
const amr: Principal = { kind: "agency", agency: "sh-amr", types: ["business-licence"], subject: "amr-system", tokenId: "t-amr" };
let requests = 0;
const context = () => ({ requestId: `reorg-${++requests}` });

/**
 * Issue 18: anchors on a chain that reorganises (anvil: `anvil_reorg`, manual mining). The
 * service in process, its chain an external anvil. Throughout, a watcher reads GET, the public
 * proof lookup and the service's verify, and notes every time one says anchored / valid while the
 * chain (read before and after) lacks the root.
 */
describe("e2e: anchors on a chain that reorganises (issue 18)", function () {
  this.timeout(300_000);
  let anvil: Anvil;
  let dataDir: string;
  let node: IssuingNode | undefined;

  const rpc = (method: string, params: unknown[] = []) => anvil.send(method, params);
  const head = async () => Number(await rpc("eth_blockNumber"));
  async function onChain(rootHash: Hex): Promise<boolean> {
    const data = await rpc("eth_call", [{ to: node!.chain.deployment.address, data: registry.encodeFunctionData("anchorOf", [rootHash]) }, "latest"]);
    return registry.decodeFunctionResult("anchorOf", data)[0].anchoredAt !== 0n;
  }
  async function anchorLogs(rootHash: Hex): Promise<{ transactionHash: Hex; blockNumber: string; blockHash: Hex }[]> {
    return rpc("eth_getLogs", [{ address: node!.chain.deployment.address, topics: [registry.getEvent("RootAnchored")!.topicHash, rootHash], fromBlock: "0x0", toBlock: "latest" }]);
  }

  /**
   * Replaces the blocks from the one holding `transaction` up to the head (at least `depth` blocks)
   * with new ones: every other transaction of those blocks goes back in at its place (the service's
   * own background writes, such as type registrations, must not be lost with them); `transaction`
   * is left out, or put `moveBy` blocks later.
   */
  async function reorgAround(transaction: Hex, options: { depth?: number; moveBy?: number } = {}): Promise<void> {
    const receipt = await rpc("eth_getTransactionReceipt", [transaction]);
    const from = Number(receipt.blockNumber);
    const to = Math.max(await head(), from + (options.depth ?? 1) - 1);
    while ((await head()) < to) await rpc("evm_mine");
    const back: [Hex, number][] = [];
    for (let n = from; n <= to; n++) {
      const block = await rpc("eth_getBlockByNumber", [`0x${n.toString(16)}`, false]);
      for (const hash of block.transactions as Hex[]) {
        if (hash === transaction) {
          if (options.moveBy !== undefined) back.push([await rpc("eth_getRawTransactionByHash", [hash]), n - from + options.moveBy]);
        } else back.push([await rpc("eth_getRawTransactionByHash", [hash]), n - from]);
      }
    }
    await rpc("anvil_reorg", [to - from + 1, back]);
  }

  async function start(env: Record<string, string> = {}): Promise<IssuingNode> {
    const config = loadConfig(
      { CHAIN_RPC_URL: anvil.rpcUrl, DATA_DIR: dataDir, PORT: String(await freePort()), BATCH_DELAY_MS: "100", CHAIN_CHECK_INTERVAL_MS: "1000", SIGNING_WORKERS: "0", RATE_LIMIT_PER_MINUTE: "0", ...env },
      [],
    );
    node = await startIssuingNode({
      config,
      logger: createLogger("silent"),
      registryName: "reorg test",
      async prepare({ service }) {
        if (service.servedAgencies().includes("sh-amr")) return;
        await service.registerAgency(root, { slug: "sh-amr", name: "上海市市场监督管理局", creditCode: derivedCreditCode("sh-amr"), types: ["business-licence"] }, context());
      },
    });
    return node;
  }

  async function issue(count: number): Promise<CertificateRecord[]> {
    const claims = { ...(findTypeById("business-licence")!.schema.examples[0] as Record<string, unknown>) };
    const issued: CertificateRecord[] = [];
    for (let i = 0; i < count; i++) issued.push(await node!.service.issue(amr, { type: "business-licence", claims }, context()));
    return issued;
  }

  /** Waits until every certificate reads anchored; returns the records. */
  async function anchored(records: readonly CertificateRecord[], what: string, mine = false): Promise<CertificateRecord[]> {
    return waitFor(`${what}: anchored`, async () => {
      if (mine) await rpc("evm_mine");
      const now = await Promise.all(records.map((r) => node!.service.get(amr, r.id)));
      return now.every((r) => r.status === "anchored") && now;
    }, 120_000);
  }

  /** Reads GET and verify of `watched` over and over until stopped; returns what it saw wrong. */
  function watch(watched: { record: CertificateRecord; root: () => Hex | undefined }[]) {
    const violations: string[] = [];
    let reads = 0;
    let stop = false;
    const done = (async () => {
      while (!stop) {
        for (const { record, root: rootOf } of watched) {
          const rootHash = rootOf();
          if (rootHash === undefined) continue;
          const absentBefore = !(await onChain(rootHash));
          const got = await node!.service.get(amr, record.id);
          const verdict = (await node!.service.verify(record.envelope as Envelope)).verdict;
          const proof = await node!.service.proofOf(record.leaf);
          const absentAfter = !(await onChain(rootHash));
          reads += 1;
          if (absentBefore && absentAfter && got.status === "anchored") violations.push(`GET said anchored for ${record.id} while ${rootHash} was not on chain`);
          if (absentBefore && absentAfter && verdict === "valid") violations.push(`verify said valid for ${record.id} while ${rootHash} was not on chain`);
          if (absentBefore && absentAfter && proof?.status === "anchored") violations.push(`GET /v1/proofs gave an anchored proof for ${record.id} while ${rootHash} was not on chain`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    return {
      violations,
      reads: () => reads,
      async stop() {
        stop = true;
        await done;
      },
    };
  }

  const rootOf = (record: CertificateRecord) => (record.envelope.anchor as { root: Hex }).root;
  const txOf = (record: CertificateRecord) => (record.envelope.anchor as { transaction: Hex }).transaction;
  const blockOf = (record: CertificateRecord) => (record.envelope.anchor as { block: number }).block;
  const auditActions = async () => (await node!.service.audit(root, { limit: 1000 })).entries.map((e) => e.action);

  before(async function () {
    anvil = await startAnvil();
    dataDir = mkdtempSync(path.join(tmpdir(), "certchain-reorgs-"));
  });
  after(async function () {
    await node?.close();
    await anvil?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("a dropped anchor: pending, anchored again by itself (same root, new transaction), then valid; GET and verify never anchored / valid while the root is absent; /readyz stays ready", async function () {
    await start();
    const records = await issue(3);
    const [first] = await anchored(records, "the first batch");
    const droppedRoot = rootOf(first);
    const droppedTx = txOf(first);

    const watcher = watch([{ record: records[0], root: () => droppedRoot }]);
    await reorgAround(droppedTx);
    expect(await onChain(droppedRoot), "the reorganisation removed the root").to.equal(false);
    const again = await anchored(records, "after the reorganisation");
    await watcher.stop();

    expect(watcher.violations).to.deep.equal([]);
    expect(watcher.reads()).to.be.greaterThan(0);
    for (const record of again) {
      expect(rootOf(record)).to.equal(droppedRoot);
      expect(txOf(record), "a new transaction").to.not.equal(droppedTx);
    }
    const logs = await anchorLogs(droppedRoot);
    expect(logs.map((l) => l.transactionHash)).to.deep.equal([txOf(again[0])]);
    for (const record of records) expect((await node!.service.verify(record.envelope)).verdict).to.equal("valid");
    expect(await auditActions()).to.include("batch.unanchor");
    const ready = await node!.service.readiness();
    expect(ready.ready, JSON.stringify(ready)).to.equal(true);
  });

  it("a hidden drop: a dropped anchor followed at once by 4 more batches is still found and repaired", async function () {
    const dropped = await issue(2);
    const [first] = await anchored(dropped, "the batch to drop");
    const droppedTx = txOf(first);
    await reorgAround(droppedTx);
    const later: CertificateRecord[] = [];
    for (let i = 0; i < 4; i++) {
      const batch = await issue(1);
      await anchored(batch, `later batch ${i + 1}`);
      later.push(...batch);
    }
    const repaired = await anchored(dropped, "the dropped batch");
    expect(txOf(repaired[0])).to.not.equal(droppedTx);
    expect(await onChain(rootOf(repaired[0]))).to.equal(true);
    for (const record of [...dropped, ...later]) expect((await node!.service.verify(record.envelope)).verdict).to.equal("valid");
    expect((await node!.service.readiness()).ready).to.equal(true);
  });

  it("a re-inclusion: a reorganisation that puts the same anchor transaction in another block updates block and time, without halting or sending it again", async function () {
    const records = await issue(2);
    const [first] = await anchored(records, "the batch to move");
    const transaction = txOf(first);
    // The anchor's block and the one over it replaced: the same transaction, now one block later.
    await reorgAround(transaction, { depth: 2, moveBy: 1 });
    const [log] = await anchorLogs(rootOf(first));
    expect(log.transactionHash).to.equal(transaction);
    expect(Number(log.blockNumber)).to.equal(blockOf(first) + 1);
    const moved = await waitFor("the record to name the new block", async () => {
      const now = await node!.service.get(amr, first.id);
      return now.status === "anchored" && blockOf(now) === Number(log.blockNumber) && now;
    });
    expect(txOf(moved)).to.equal(transaction);
    expect((await anchorLogs(rootOf(first))).length, "not sent again").to.equal(1);
    expect(await auditActions()).to.include("batch.reinclude");
    expect(node!.chain.gate.status().phase).to.equal("ready");
    for (const record of records) expect((await node!.service.verify(record.envelope)).verdict).to.equal("valid");
    const ready = await node!.service.readiness();
    expect(ready.ready, JSON.stringify(ready)).to.equal(true);
  });

  it("CONFIRMATIONS=3 and a reorganisation at depth 2: nothing is reported anchored in a vanished block", async function () {
    await node!.close();
    node = undefined;
    await start({ CONFIRMATIONS: "3" });
    const records = await issue(2);
    let early = false;
    const sent = await waitFor("the anchor to be mined", async () => {
      const batch = node!.service.batcher.stats().openBatches;
      const record = await node!.service.get(amr, records[0].id);
      early ||= record.status === "anchored";
      const pendingRoot = (await node!.service.db.sublevel<{ root: Hex; state: string }>("batches").values().all()).find((b) => b.state === "sent" && records.every((r) => (b as any).ids.includes(r.id)));
      return batch > 0 && pendingRoot && (await onChain(pendingRoot.root)) && pendingRoot.root;
    });
    expect(early, "reported anchored at 1 confirmation").to.equal(false);
    const [firstLog] = await anchorLogs(sent);
    if ((await head()) === Number(firstLog.blockNumber)) await rpc("evm_mine");
    if ((await head()) - Number(firstLog.blockNumber) + 1 === 2) expect((await node!.service.get(amr, records[0].id)).status, "2 blocks deep is not 3").to.equal("pending");
    const watcher = watch([{ record: records[0], root: () => sent }]);
    await reorgAround(firstLog.transactionHash, { depth: 2 });
    expect(await onChain(sent)).to.equal(false);
    const done = await anchored(records, "after the depth-2 reorganisation", true);
    await watcher.stop();
    expect(watcher.violations).to.deep.equal([]);
    expect(txOf(done[0]), "sent again").to.not.equal(firstLog.transactionHash);
    // The block it names is on the chain now, with the anchor in it, 3 deep.
    const block = await rpc("eth_getBlockByNumber", [`0x${blockOf(done[0]).toString(16)}`, false]);
    expect(block.transactions).to.include(txOf(done[0]));
    expect((await head()) - blockOf(done[0]) + 1).to.be.at.least(3);
    for (const record of records) expect((await node!.service.verify(record.envelope)).verdict).to.equal("valid");
  });

  it("FINALITY=finalized: pending until the node's finalized block reaches the anchor, then anchored at or below it", async function () {
    await node!.close();
    node = undefined;
    await start({ FINALITY: "finalized" });
    const records = await issue(1);
    const root = await waitFor("the anchor to be mined", async () => {
      const batch = (await node!.service.db.sublevel<{ root: Hex; state: string; ids: string[] }>("batches").values().all()).find((b) => b.ids.includes(records[0].id));
      return batch !== undefined && (await onChain(batch.root)) && batch.root;
    });
    const finalizedNow = Number((await rpc("eth_getBlockByNumber", ["finalized", false])).number);
    const [log] = await anchorLogs(root);
    expect(finalizedNow, "the anchor is not final yet").to.be.lessThan(Number(log.blockNumber));
    expect((await node!.service.get(amr, records[0].id)).status).to.equal("pending");
    expect((await node!.service.verify(records[0].envelope)).verdict).to.equal("pending");
    // anvil's finalized block trails its head by 64: mine past it.
    await rpc("anvil_mine", ["0x50"]);
    const [done] = await anchored(records, "once finalized");
    const finalized = Number((await rpc("eth_getBlockByNumber", ["finalized", false])).number);
    expect(blockOf(done)).to.be.at.most(finalized);
    expect((await node!.service.verify(records[0].envelope)).verdict).to.equal("valid");
  });
});
