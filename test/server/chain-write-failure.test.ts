import { expect } from "chai";
import { HDNodeWallet, JsonRpcProvider, Wallet, parseEther } from "ethers";
import { isCertchainError } from "@certchain/sdk";
import { deployRegistry } from "../../server/chain/deploy";
import { createRegistryAdmin } from "../../server/chain/registry-admin";
import { DEV_MNEMONIC } from "../../server/config";
import { chainWriteFailure, type WritingAccount } from "../../server/service/chain-call";
import { startAnvil, type Anvil } from "../support/anvil";
import { freePort } from "../support/ports";

/**
 * Issue 17: a chain write that fails for any reason but reachability reports that reason (its own
 * code and a short message), never CHAIN_UNAVAILABLE, and never a transaction's hex. The failures
 * are real ones: an external chain (anvil) answering each wrong transaction, and a port nobody listens on.
 */
describe("chain write failures: each reported as what it was (issue 17)", function () {
  this.timeout(60_000);
  let anvil: Anvil;
  let provider: JsonRpcProvider;
  let root: HDNodeWallet;
  let registry: string;
  const by = (account: string): WritingAccount => ({ role: "operator", agency: "gz-amr", account });

  /** What a failed `write` becomes for the API: its code, its message, and the message's longest hex run. */
  async function reported(write: () => Promise<unknown>, account: string) {
    let caught: unknown;
    await write().then(
      () => expect.fail("the write was expected to fail"),
      (error) => (caught = error),
    );
    const error = chainWriteFailure(caught, by(account));
    expect(isCertchainError(error), String(error)).to.equal(true);
    const longestHex = Math.max(0, ...(error.message.match(/[0-9a-fA-F]{2,}/g) ?? []).map((run) => run.length));
    return { code: error.code, message: error.message, longestHex };
  }

  before(async function () {
    anvil = await startAnvil({ mnemonic: DEV_MNEMONIC });
    provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { staticNetwork: true, pollingInterval: 50 });
    root = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, "m/44'/60'/0'/0/0").connect(provider);
    registry = (await deployRegistry(root)).address;
  });
  after(async function () {
    provider?.destroy();
    await anvil?.stop();
  });

  it("an account without funds: OPERATOR_UNFUNDED naming agency and account", async function () {
    const empty = Wallet.createRandom().connect(provider);
    const result = await reported(() => empty.sendTransaction({ to: root.address, value: parseEther("1") }), empty.address);
    expect(result.code).to.equal("OPERATOR_UNFUNDED");
    expect(result.message).to.include(empty.address).and.include("gz-amr");
  });

  it("a registry revert (a write only the root may make): CHAIN_TX_REVERTED with the revert's name", async function () {
    const outsider = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, "m/44'/60'/0'/0/7").connect(provider);
    const result = await reported(() => createRegistryAdmin(registry, outsider).registerAgency("gz-amr", "广州市市场监督管理局", "11440100MB2F300031"), outsider.address);
    expect(result.code).to.equal("CHAIN_TX_REVERTED");
    expect(result.message).to.equal(`The registry reverted the transaction from ${outsider.address}: AccessControlUnauthorizedAccount.`);
  });

  it("a nonce already used: CHAIN_NONCE_CONFLICT", async function () {
    // An account of its own (funded by the mnemonic, used by nothing else here): the root's own transactions cannot race its nonces.
    const sender = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, "m/44'/60'/0'/0/8").connect(provider);
    await (await sender.sendTransaction({ to: root.address, value: 1n, nonce: 0 })).wait();
    const result = await reported(() => sender.sendTransaction({ to: root.address, value: 1n, nonce: 0 }), sender.address);
    expect(result.code).to.equal("CHAIN_NONCE_CONFLICT");
    expect(result.message).to.include(sender.address);
  });

  it("any other refusal (gas beyond the block's limit): CHAIN_WRITE_REFUSED in the node's words, shortened, without the signed transaction's hex", async function () {
    const nonce = await provider.getTransactionCount(root.address, "latest");
    const result = await reported(() => root.sendTransaction({ to: root.address, value: 1n, nonce, gasLimit: 1_000_000_000n }), root.address);
    expect(result.code).to.equal("CHAIN_WRITE_REFUSED");
    expect(result.message.length).to.be.below(400);
    expect(result.longestHex, result.message).to.be.below(67);
  });

  it("only no answer at all is CHAIN_UNAVAILABLE: a port nobody listens on", async function () {
    const nowhere = new JsonRpcProvider(`http://127.0.0.1:${await freePort()}`, 31337, { staticNetwork: true });
    try {
      const wallet = Wallet.createRandom().connect(nowhere);
      const result = await reported(() => wallet.sendTransaction({ to: root.address, value: 1n, nonce: 0, gasLimit: 21_000n, gasPrice: 1n, chainId: 31337n }), wallet.address);
      expect(result.code).to.equal("CHAIN_UNAVAILABLE");
    } finally {
      nowhere.destroy();
    }
  });
});
