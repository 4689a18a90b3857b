import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openChain, type ChainSession } from "../../server/chain/open-chain";
import { DEV_MNEMONIC } from "../../server/config";
import { createRegistryAdmin } from "../../server/chain/registry-admin";
import { createOperatorClient } from "../../server/chain/operator";
import { buildMerkleTree, createRegistryReader, findTypeById, type Hex } from "@certchain/sdk";
import { freePort } from "../support/ports";
import { derivedCreditCode } from "../../server/service/identifiers";

describe("e2e: a restarted dev chain is restored from the journal", function () {
  this.timeout(180_000);
  let dataDir: string;
  let session: ChainSession | undefined;

  before(() => (dataDir = mkdtempSync(path.join(tmpdir(), "certchain-chain-"))));
  after(async () => {
    await session?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps the registry address, roots, anchor times and statuses across a node restart", async function () {
    const port = await freePort();
    const open = () => openChain({ dataDir, devChainPort: port, mnemonic: DEV_MNEMONIC });
    session = await open();
    expect(session.freshDeployment).to.equal(true);
    const admin = createRegistryAdmin(session.deployment.address, session.rootAuthority);
    await admin.registerAgency("sh-amr", "上海市市场监督管理局", derivedCreditCode("sh-amr"));
    await admin.setAccreditation("sh-amr", findTypeById("business-licence")!.vct);
    const operator = session.operator(0);
    await admin.addOperator("sh-amr", operator.address);
    const client = createOperatorClient(session.deployment.address, operator);
    const leaves = ["a", "b", "c"].map((s) => `0x${Buffer.from(s.padEnd(32, s)).toString("hex")}` as Hex);
    const tree = buildMerkleTree(leaves);
    // Two anchors a few seconds apart, then a revocation: their times must survive the restart.
    await client.anchorRoot(tree.root, 3);
    await session.provider.send("evm_increaseTime", [5]);
    const second = buildMerkleTree([`0x${"ee".repeat(32)}` as Hex]);
    await client.anchorRoot(second.root, 1);
    await client.changeStatus("revoke", [{ leaf: leaves[1], root: tree.root, proof: tree.proofOf(leaves[1])! }], 4);

    const reader = () => createRegistryReader({ chainId: 31337, address: session!.deployment.address, provider: session!.provider });
    const snapshot = async () => {
      const r = reader();
      const contexts = await r.verificationContexts([tree.root, second.root].map((root) => ({ root, keyId: `0x${"00".repeat(32)}` as Hex, typeId: `0x${"00".repeat(32)}` as Hex })));
      const statuses = await r.statuses(contexts[0].anchor.agencyId, leaves);
      return { anchors: contexts.map((c) => c.anchor), statuses };
    };
    const before = await snapshot();
    expect(before.anchors[0].anchoredAt).to.be.greaterThan(0);
    expect(before.statuses[1].state).to.equal("revoked");
    const address = session.deployment.address;

    await session.close();
    session = await open();
    expect(session.freshDeployment).to.equal(false);
    expect(session.deployment.address).to.equal(address);
    expect(await snapshot()).to.deep.equal(before);
    const latest = await session.provider.getBlock("latest");
    expect(latest!.timestamp).to.be.closeTo(Math.floor(Date.now() / 1000), 60);
  });
});
