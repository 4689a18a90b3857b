import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { HDNodeWallet, Wallet } from "ethers";
import { isCertchainError } from "@certchain/sdk";
import { ChainDivergedError, createChainFollower } from "../../server/chain/chain-follower";
import { createChainGate } from "../../server/chain/chain-gate";
import { ChainWallet } from "../../server/chain/chain-wallet";
import { devProvider, startDevNode, type DevNode } from "../../server/chain/dev-node";
import { JournalState, openJournal, type Journal } from "../../server/chain/journal";
import { createJsonRpc, toQuantity, type JsonRpc } from "../../server/chain/json-rpc";
import { reconcileWithNode } from "../../server/chain/reconcile";
import { initialDateOf, replayBlocks, ReplayMismatchError } from "../../server/chain/replay";
import { DEV_MNEMONIC } from "../../server/config";
import { freePort } from "../support/ports";

const keyOf = (index: number) => HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).privateKey;
// A contract whose constructor always reverts: its creation is mined with status 0 and takes a nonce.
const REVERTING_INIT_CODE = "0x60006000fd";

/**
 * The journal, its follower, replay and reconcile against real out-of-process Hardhat nodes: the
 * journal is the chain's write-ahead log, and a fresh node rebuilt from it has the same block
 * hashes, block for block.
 */
describe("chain journal against Hardhat nodes: follow, replay, reconcile", function () {
  this.timeout(300_000);
  let dir: string;
  let original: DevNode;
  let rpc: JsonRpc;
  let journal: Journal;
  const nodes: DevNode[] = [];
  const node = async (initialDate?: string) => {
    const started = await startDevNode({ port: await freePort(), logFile: path.join(dir, "nodes.log"), initialDate });
    nodes.push(started);
    return { node: started, rpc: createJsonRpc(started.rpcUrl, { timeoutMs: 30_000 }) };
  };

  before(async function () {
    dir = mkdtempSync(path.join(tmpdir(), "certchain-replay-"));
    ({ node: original, rpc } = await node());
    journal = openJournal(path.join(dir, "chain-journal.jsonl"));
    await reconcileWithNode(rpc, journal, createChainFollower(journal, rpc)); // records genesis
  });
  after(async function () {
    journal?.close();
    for (const n of nodes) await n.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("journals every block in order — concurrent senders, reverts, empty blocks, a multi-transaction block and others' transactions", async function () {
    const follower = createChainFollower(journal, rpc);
    const gate = createChainGate({ chainId: 31337, phase: "ready" });
    const provider = devProvider(original.rpcUrl);
    const wallets = [1, 2, 3].map((i) => new ChainWallet(keyOf(i), provider, { gate, journal: { journal, follower }, inclusionTimeoutMs: 30_000, pollMs: 50 }));
    // Three accounts sending at once: blocks come out interleaved, and the journal must follow block order.
    await Promise.all(wallets.map(async (wallet) => {
      for (let i = 0; i < 4; i++) await wallet.sendTransaction({ to: wallet.address, value: 1 });
    }));
    // A transaction that reverts is still mined: it must be journaled, or the sender's next nonce would be a gap.
    await wallets[0].sendTransaction({ data: REVERTING_INIT_CODE, gasLimit: 100_000 }).catch(() => undefined);
    await wallets[0].sendTransaction({ to: wallets[0].address, value: 1 });
    // Someone else's transaction (signed by the node for an unlocked account), an empty block, and a block of two.
    const outsider = new Wallet(keyOf(9));
    await rpc.call("eth_sendTransaction", [{ from: outsider.address, to: outsider.address, value: "0x5" }]);
    await rpc.call("evm_mine", []);
    await rpc.call("evm_setAutomine", [false]);
    const raw = new Wallet(keyOf(8), provider);
    const nonce = await provider.getTransactionCount(raw.address);
    for (const n of [nonce, nonce + 1]) await rpc.call("eth_sendRawTransaction", [await raw.signTransaction({ to: raw.address, value: 1, nonce: n, gasLimit: 21_000, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 10n ** 9n, chainId: 31337 })]);
    await rpc.call("evm_mine", []);
    await rpc.call("evm_setAutomine", [true]);
    const head = await follower.syncToHead();

    expect(journal.state.height).to.equal(head);
    const blocks = await rpc.batch(Array.from({ length: head }, (_, i) => ({ method: "eth_getBlockByNumber", params: [toQuantity(i + 1), false] })));
    expect(journal.state.blocks.map((b) => b.hash)).to.deep.equal(blocks.map((b) => (b as { result: any }).result.hash));
    expect(journal.state.blocks.some((b) => b.txs.length === 0)).to.equal(true);
    expect(journal.state.blocks.some((b) => b.txs.length === 2)).to.equal(true);
    const timestamps = journal.state.blocks.map((b) => b.timestamp);
    expect(timestamps).to.deep.equal([...timestamps].sort((a, b) => a - b));
    expect(journal.state.pendingTxs()).to.deep.equal([]);
    // Every sender's nonces appear once each, with no gap.
    const nonces = new Map<string, number[]>();
    for (const b of journal.state.blocks) for (const h of b.txs) {
      const t = journal.state.tx(h)!;
      nonces.set(t.from.toLowerCase(), [...(nonces.get(t.from.toLowerCase()) ?? []), t.nonce]);
    }
    for (const list of nonces.values()) expect(list).to.deep.equal(list.map((_, i) => list[0] + i));
    expect(nonces.get(wallets[0].address.toLowerCase())).to.have.length(6);
    provider.destroy();
  });

  it("rebuilds the chain on a fresh node with identical block hashes, then brings its clock to now in one more journaled block", async function () {
    const recorded = journal.state.height;
    const fresh = await node(initialDateOf(journal.state.genesis!));
    const report = await reconcileWithNode(fresh.rpc, journal, createChainFollower(journal, fresh.rpc));
    expect(report.replayed).to.equal(recorded);
    for (const n of [1, Math.ceil(recorded / 2), recorded]) {
      expect((await fresh.rpc.call("eth_getBlockByNumber", [toQuantity(n), false])).hash).to.equal(journal.state.hashAt(n));
    }
    expect(journal.state.height).to.equal(recorded + 1);
    expect(journal.state.lastBlock!.txs).to.deep.equal([]);
    expect(journal.state.lastBlock!.timestamp).to.be.closeTo(Math.floor(Date.now() / 1000), 120);
    rpc = fresh.rpc;
  });

  it("sends again a journaled transaction the node lacks, and marks one whose nonce another took as superseded", async function () {
    const provider = devProvider(rpc.url);
    const signer = new Wallet(keyOf(4), provider);
    const nonce = await provider.getTransactionCount(signer.address);
    const sign = (n: number, value: number) => signer.signTransaction({ to: signer.address, value, nonce: n, gasLimit: 21_000, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 10n ** 9n, chainId: 31337 });
    // Journaled, then the process "died" before broadcasting (the node never saw it).
    const lost = await sign(nonce, 1);
    const { Transaction } = await import("ethers");
    const lostTx = Transaction.from(lost);
    journal.append([{ type: "tx", hash: lostTx.hash as `0x${string}`, raw: lost as `0x${string}`, from: signer.address, nonce }]);
    // And the one after it: both go out again, in nonce order.
    const stale = await sign(nonce + 1, 2);
    const staleTx = Transaction.from(stale);
    journal.append([{ type: "tx", hash: staleTx.hash as `0x${string}`, raw: stale as `0x${string}`, from: signer.address, nonce: nonce + 1 }]);

    const report = await reconcileWithNode(rpc, journal, createChainFollower(journal, rpc));
    expect(report.rebroadcast).to.equal(2);
    expect(journal.state.isMined(lostTx.hash!)).to.equal(true);

    const competing = await sign(nonce + 2, 3);
    await rpc.call("eth_sendRawTransaction", [competing]);
    const orphan = await sign(nonce + 2, 4); // same nonce, never sent
    const orphanTx = Transaction.from(orphan);
    journal.append([{ type: "tx", hash: orphanTx.hash as `0x${string}`, raw: orphan as `0x${string}`, from: signer.address, nonce: nonce + 2 }]);
    const second = await reconcileWithNode(rpc, journal, createChainFollower(journal, rpc));
    expect(second).to.deep.include({ superseded: 1, rebroadcast: 0, adopted: 1 });
    expect(journal.state.pendingTxs()).to.deep.equal([]);
    provider.destroy();
  });

  it("refuses a node that holds another chain, and touches nothing on it", async function () {
    const stranger = await node(); // its genesis is its own start time
    await expectRejection(reconcileWithNode(stranger.rpc, journal, createChainFollower(journal, stranger.rpc)), ChainDivergedError, /block 0/);
    expect(Number(await stranger.rpc.call("eth_blockNumber"))).to.equal(0);
  });

  it("stops a replay whose block comes out different, naming the block", async function () {
    const altered = new JournalState();
    const source = journal.state;
    altered.apply(source.genesis!);
    for (const b of source.blocks) {
      for (const h of b.txs) altered.apply(source.tx(h)!);
      altered.apply(b.number === 3 ? { ...b, timestamp: b.timestamp + 1 } : b);
    }
    const fresh = await node(initialDateOf(source.genesis!));
    const error = await expectRejection(replayBlocks(fresh.rpc, altered, { from: 1 }), ReplayMismatchError);
    expect((error as ReplayMismatchError).number).to.equal(3);
  });

  it("a chain write waits briefly for a chain that is not ready, then fails with the gate's code; nothing is journaled", async function () {
    const gate = createChainGate({ chainId: 31337, phase: "restarting", waitMs: 200 });
    const provider = devProvider(rpc.url);
    const wallet = new ChainWallet(keyOf(5), provider, { gate, journal: { journal, follower: createChainFollower(journal, rpc) }, inclusionTimeoutMs: 5_000 });
    const before = journal.state.txCount;
    const unavailable = await expectRejection(wallet.sendTransaction({ to: wallet.address, value: 1 }));
    expect(isCertchainError(unavailable) && unavailable.code).to.equal("CHAIN_UNAVAILABLE");
    gate.set("mismatch", { detail: "test" });
    const mismatch = await expectRejection(wallet.sendTransaction({ to: wallet.address, value: 1 }));
    expect(isCertchainError(mismatch) && mismatch.code).to.equal("CHAIN_STATE_MISMATCH");
    expect(journal.state.txCount).to.equal(before);
    provider.destroy();
  });

  it("a transaction prepared before the chain stopped being ready is never broadcast after it (the node may have been replaced)", async function () {
    const gate = createChainGate({ chainId: 31337, phase: "ready" });
    const provider = devProvider(rpc.url);
    // The node is lost and replaced while this wallet is still preparing its transaction.
    class InterruptedWallet extends ChainWallet {
      override async populateTransaction(request: any) {
        const populated = await super.populateTransaction(request);
        gate.set("restarting");
        gate.set("ready");
        return populated;
      }
    }
    const wallet = new InterruptedWallet(keyOf(6), provider, { gate, journal: { journal, follower: createChainFollower(journal, rpc) }, inclusionTimeoutMs: 5_000 });
    const nonce = await provider.getTransactionCount(wallet.address);
    const error = await expectRejection(wallet.sendTransaction({ to: wallet.address, value: 1 }));
    expect(isCertchainError(error) && error.code).to.equal("CHAIN_UNAVAILABLE");
    expect(await provider.getTransactionCount(wallet.address, "pending")).to.equal(nonce);
    expect(journal.state.pendingTxs(), "journaled, then marked not sent").to.deep.equal([]);
    provider.destroy();
  });
});

async function expectRejection(promise: Promise<unknown>, type?: new (...args: any[]) => Error, message?: RegExp): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (type) expect(error).to.be.instanceOf(type);
    if (message) expect((error as Error).message).to.match(message);
    return error as Error;
  }
  return expect.fail("expected a rejection");
}
