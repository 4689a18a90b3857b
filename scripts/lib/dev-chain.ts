import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { HDNodeWallet, Wallet, type JsonRpcProvider } from "ethers";
import { deployRegistry, type Deployment } from "../../server/chain/deploy";
import { devProvider, startDevNode, waitForRpc, type DevNode } from "../../server/chain/dev-node";
import { JournalingWallet, openChainJournal, type ChainJournal } from "../../server/chain/journal";
import { initialDateFor, replayJournal } from "../../server/chain/replay";

export interface ChainSession {
  rpcUrl: string;
  chainId: number;
  provider: JsonRpcProvider;
  deployment: Deployment & { chainId: number };
  /** Account 0: the root authority. */
  rootAuthority: Wallet;
  /** Accounts 1..n: one operator per agency, by position. */
  operator(index: number): Wallet;
  /** Set when this process started the node. */
  node?: DevNode;
  freshDeployment: boolean;
}

const accountOf = (mnemonic: string, index: number) => HDNodeWallet.fromPhrase(mnemonic, undefined, `m/44'/60'/0'/0/${index}`);

async function isUp(rpcUrl: string): Promise<boolean> {
  try {
    await waitForRpc(rpcUrl, 1_000);
    return true;
  } catch {
    return false;
  }
}

/**
 * Connects to the chain the service writes to. Without an external URL it starts a local
 * Hardhat node, and when that node is fresh but the journal is not, it replays the journal so
 * every earlier certificate verifies as before. The registry is deployed once per data dir.
 */
export async function openChain(options: {
  dataDir: string;
  chainRpcUrl?: string;
  devChainPort: number;
  mnemonic: string;
  log: (line: string) => void;
}): Promise<ChainSession> {
  const journal: ChainJournal = openChainJournal(path.join(options.dataDir, "chain-journal.jsonl"));
  const deploymentFile = path.join(options.dataDir, "deployment.json");
  let node: DevNode | undefined;
  let rpcUrl = options.chainRpcUrl;

  if (!rpcUrl) {
    rpcUrl = `http://127.0.0.1:${options.devChainPort}`;
    if (await isUp(rpcUrl)) {
      options.log(`using the chain already answering at ${rpcUrl}`);
    } else {
      const entries = journal.entries();
      node = await startDevNode({ port: options.devChainPort, logFile: path.join(options.dataDir, "hardhat-node.log"), initialDate: initialDateFor(entries) });
      // If this process dies hard, the node outlives it; the next start reuses it, and tooling can stop it by pid.
      writeFileSync(path.join(options.dataDir, "hardhat-node.pid"), String(node.process.pid));
      options.log(`started a local Hardhat node at ${rpcUrl} (log: ${path.join(options.dataDir, "hardhat-node.log")})`);
    }
  }

  const chainId = await waitForRpc(rpcUrl);
  const provider = devProvider(rpcUrl, chainId);
  const deployment = existsSync(deploymentFile) ? (JSON.parse(readFileSync(deploymentFile, "utf8")) as Deployment & { chainId: number }) : undefined;

  if (deployment && !options.chainRpcUrl && (await provider.getCode(deployment.address)) === "0x") {
    const entries = journal.entries();
    options.log(`the dev chain is fresh: replaying ${entries.length} recorded transactions…`);
    await replayJournal(provider, entries);
    if ((await provider.getCode(deployment.address)) === "0x") throw new Error("replay did not restore the registry; is the node's initialDate too late?");
    options.log("chain restored: same registry address, roots, anchor times and statuses");
  }

  // Only a dev chain is ever replayed, so only its writes are journaled.
  const wallet = (index: number): Wallet =>
    options.chainRpcUrl
      ? new Wallet(accountOf(options.mnemonic, index).privateKey, provider)
      : new JournalingWallet(accountOf(options.mnemonic, index).privateKey, provider, journal);
  const rootAuthority = wallet(0);
  let current = deployment;
  let freshDeployment = false;
  if (!current || current.chainId !== chainId || (await provider.getCode(current.address)) === "0x") {
    const deployed = await deployRegistry(rootAuthority);
    current = { ...deployed, chainId };
    writeFileSync(deploymentFile, JSON.stringify(current, null, 2));
    freshDeployment = true;
    options.log(`deployed CertchainRegistry at ${current.address}`);
  }

  return {
    rpcUrl,
    chainId,
    provider,
    deployment: current,
    rootAuthority,
    operator: (index) => wallet(index + 1),
    node,
    freshDeployment,
  };
}
