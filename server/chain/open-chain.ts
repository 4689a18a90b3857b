import path from "node:path";
import { getAddress, HDNodeWallet, Interface, keccak256, type JsonRpcProvider } from "ethers";
import { CERTCHAIN_REGISTRY_ABI, type Hex } from "@certchain/sdk";
import { silentLogger, type Logger } from "../lib/logger";
import { createChainFollower, type ChainFollower } from "./chain-follower";
import { createChainGate, type ChainGate } from "./chain-gate";
import type { RecordedAnchor } from "./chain-identity";
import { createChainMonitor, type ChainMonitor } from "./chain-monitor";
import { ChainWallet, type WalletFault } from "./chain-wallet";
import { deployRegistry, readDeployment, writeDeployment, type DeploymentRecord } from "./deploy";
import { DEFAULT_CHAIN_TIMEOUT_MS, devProvider, waitForRpc } from "./dev-node";
import { openJournal, type Journal } from "./journal";
import { createJsonRpc } from "./json-rpc";
import { createDevNodeSupervisor, ForeignNodeError, type DevNodeSupervisor } from "./node-supervisor";

export interface ChainSession {
  rpcUrl: string;
  chainId: number;
  provider: JsonRpcProvider;
  deployment: DeploymentRecord;
  /** Account 0: the root authority. */
  rootAuthority: ChainWallet;
  /** Accounts 1..n of the mnemonic (tools and tests; the node's agencies have operator keys of their own). */
  operator(index: number): ChainWallet;
  /** A wallet for a key the node holds (an agency's operator account), with the same gate and journal as the root authority's. */
  walletFor(privateKey: string): ChainWallet;
  /** Whether chain calls may go ahead, and the phase to report. */
  gate: ChainGate;
  monitor: ChainMonitor;
  /** Dev chain only. */
  dev?: { journal: Journal; supervisor: DevNodeSupervisor };
  freshDeployment: boolean;
  /** Stops monitoring and the dev node this session manages. */
  close(): Promise<void>;
}

export interface OpenChainOptions {
  dataDir: string;
  chainRpcUrl?: string;
  devChainPort: number;
  mnemonic: string;
  /** Default: logs nothing. */
  logger?: Logger;
  /** Deadline of every JSON-RPC request. */
  chainTimeoutMs?: number;
  /** How long a sent transaction may take to be mined. */
  txTimeoutMs?: number;
  /** Identity check period while ready. */
  checkIntervalMs?: number;
  /** A dev node silent this long is killed and replaced. */
  restartAfterMs?: number;
  /**
   * Whether the registry may be deployed when none is found: only on a truly first start (no
   * certificate or batch in the data directory). Otherwise a missing registry is a mismatch.
   */
  mayDeploy?: boolean;
  /** The service's latest anchors settled below a block (the head less the reorganisation window), checked on chain with every identity check. */
  recordedAnchors?: (settledBelow: number) => Promise<RecordedAnchor[]>;
  /** Blocks under the head in which anchors may still move (REORG_WINDOW). */
  reorgWindow?: number;
  /**
   * JOIN_REGISTRY: this node is a further site on a registry another site deployed. Without a
   * deployment.json it records that registry (found by its RegistryDeployed log) and never deploys.
   */
  joinRegistry?: Hex;
  /** Test hook (CERTCHAIN_FAULT). */
  fault?: WalletFault;
}

/** The record of a registry another site deployed, from its RegistryDeployed log; undefined when `address` holds none. */
async function joinedDeployment(provider: JsonRpcProvider, address: Hex, chainId: number): Promise<DeploymentRecord | undefined> {
  const code = await provider.getCode(address);
  if (code === "0x") return undefined;
  const registry = new Interface(CERTCHAIN_REGISTRY_ABI);
  const [log] = await provider.getLogs({ address, topics: [registry.getEvent("RegistryDeployed")!.topicHash], fromBlock: 0, toBlock: "latest" });
  if (log === undefined) return undefined;
  const event = registry.parseLog(log)!;
  return {
    address: getAddress(address) as Hex,
    transaction: log.transactionHash as Hex,
    block: log.blockNumber,
    registryId: (event.args.registryId as string).toLowerCase() as Hex,
    salt: event.args.salt as Hex,
    chainId,
    codeHash: keccak256(code) as Hex,
    deployer: event.args.rootAuthority as string,
  };
}

const DEV_CHAIN_ID = 31337;
const accountOf = (mnemonic: string, index: number) => HDNodeWallet.fromPhrase(mnemonic, undefined, `m/44'/60'/0'/0/${index}`);

/**
 * Connects to the chain the service writes to, and keeps watching it.
 *
 * Dev chain (no CHAIN_RPC_URL): starts a Hardhat node (or adopts ours left by a crashed run),
 * reconciles it with the write-ahead journal — replaying it onto a fresh node with identical
 * block hashes — and supervises it: a node that exits or freezes is restarted and rebuilt.
 *
 * Either chain: the registry is deployed only when `mayDeploy` (first start); otherwise its
 * absence, like a wrong chain id, genesis or missing anchors, puts the gate in "mismatch" and
 * nothing is written. The log says the way out.
 */
export async function openChain(options: OpenChainOptions): Promise<ChainSession> {
  const timeoutMs = options.chainTimeoutMs ?? DEFAULT_CHAIN_TIMEOUT_MS;
  const deploymentFile = path.join(options.dataDir, "deployment.json");
  const isDev = !options.chainRpcUrl;
  const rpcUrl = options.chainRpcUrl ?? `http://127.0.0.1:${options.devChainPort}`;
  const rpc = createJsonRpc(rpcUrl, { timeoutMs });
  const logger = options.logger ?? silentLogger;

  let journal: Journal | undefined;
  let follower: ChainFollower | undefined;
  let supervisor: DevNodeSupervisor | undefined;
  let chainId: number;
  let openError: unknown;
  let gate;
  if (isDev) {
    journal = openJournal(path.join(options.dataDir, "chain-journal.jsonl"));
    follower = createChainFollower(journal, rpc);
    chainId = journal.state.genesis?.chainId ?? DEV_CHAIN_ID;
    gate = createChainGate({ chainId, durable: (blockNumber) => follower!.syncTo(blockNumber) });
    supervisor = createDevNodeSupervisor({ dataDir: options.dataDir, port: options.devChainPort, journal, follower, rpc, gate, logger, drainMs: 5 * timeoutMs });
    try {
      await supervisor.open();
    } catch (error) {
      // Nothing to protect yet: a first start on a busy port stops here, with the reason.
      if (error instanceof ForeignNodeError && journal.state.genesis === undefined) {
        journal.close();
        throw error;
      }
      openError = error;
    }
  } else {
    chainId = await waitForRpc(rpcUrl);
    gate = createChainGate({ chainId });
  }

  const provider = devProvider(rpcUrl, chainId, timeoutMs);
  const wallet = (index: number) => walletFor(accountOf(options.mnemonic, index).privateKey);
  const walletFor = (privateKey: string) =>
    new ChainWallet(privateKey, provider, {
      gate: gate!,
      journal: journal && follower ? { journal, follower } : undefined,
      inclusionTimeoutMs: options.txTimeoutMs ?? 60_000,
      fault: options.fault,
    });
  const rootAuthority = wallet(0);

  let deployment = readDeployment(deploymentFile);
  if (deployment === undefined && options.joinRegistry !== undefined && openError === undefined) {
    deployment = await joinedDeployment(provider, options.joinRegistry, chainId);
    if (deployment === undefined) {
      provider.destroy();
      throw new Error(`JOIN_REGISTRY ${options.joinRegistry}: there is no certchain registry at that address on chain ${chainId} (${rpcUrl})`);
    }
    writeDeployment(deploymentFile, deployment);
    logger.info(`joined the registry at ${deployment.address} (id ${deployment.registryId}) as a further site`);
  }
  const mayDeploy = (options.mayDeploy ?? true) && options.joinRegistry === undefined;
  if (deployment === undefined && (!mayDeploy || openError !== undefined)) {
    await supervisor?.stop();
    journal?.close();
    throw openError ?? new Error(`${options.dataDir} holds certificates but no deployment.json: restore that file (it names the registry they are anchored on)`);
  }
  let freshDeployment = false;
  if (openError === undefined) {
    try {
      const missing = deployment === undefined || deployment.chainId !== chainId || (await provider.getCode(deployment.address)) === "0x";
      if (missing && mayDeploy) {
        gate.set("ready");
        const deployed = await deployRegistry(rootAuthority);
        const code = await provider.getCode(deployed.address);
        deployment = { ...deployed, chainId, codeHash: keccak256(code) as Hex, deployer: rootAuthority.address };
        writeDeployment(deploymentFile, deployment);
        freshDeployment = true;
        logger.info(`deployed CertchainRegistry at ${deployment.address}`);
      }
    } catch (error) {
      // Leave no node behind a failed start.
      await supervisor?.stop();
      journal?.close();
      provider.destroy();
      throw error;
    }
  }

  const wayOut = () =>
    !isDev
      ? `If the chain at ${rpcUrl} lost its state, stop the service and run \`npx certchain chain reanchor\` (add --redeploy if the registry is gone); if CHAIN_RPC_URL names the wrong chain, correct it.`
      : journal!.state.height === 0
        ? `The dev chain's journal ${journal!.file} holds no blocks, so the chain cannot be rebuilt: stop the service and put the journal back from a backup.`
        : `certchain rebuilds the dev chain from ${journal!.file} by itself as soon as a fresh node can be started on port ${options.devChainPort}; if the journal itself cannot be replayed, keep the data directory as it is and report it.`;
  const current = () => deployment!;
  const monitor = createChainMonitor({
    gate,
    rpc,
    logger,
    wayOut,
    expected: () => ({
      chainId: current().chainId,
      registry: current().address,
      codeHash: current().codeHash,
      genesisHash: journal?.state.genesis?.hash,
      tip: journal?.state.lastBlock ? { number: journal.state.lastBlock.number, hash: journal.state.lastBlock.hash } : undefined,
    }),
    recordedAnchors: options.recordedAnchors,
    reorgWindow: options.reorgWindow,
    onCodeHash: (codeHash) => {
      deployment = { ...current(), codeHash };
      writeDeployment(deploymentFile, deployment);
      logger.info(`recorded the registry's code hash ${codeHash} in deployment.json`);
    },
    checkIntervalMs: options.checkIntervalMs,
    probeTimeoutMs: Math.min(timeoutMs, 2_000),
    devNode: journal && supervisor && follower ? { supervisor, journal, follower, restartAfterMs: options.restartAfterMs ?? 15_000 } : undefined,
  });
  if (openError !== undefined) monitor.explain(openError);
  else await monitor.checkIdentity();
  monitor.start();

  return {
    rpcUrl,
    chainId,
    provider,
    get deployment() {
      return current();
    },
    rootAuthority,
    operator: (index) => wallet(index + 1),
    walletFor,
    gate,
    monitor,
    dev: journal && supervisor ? { journal, supervisor } : undefined,
    freshDeployment,
    async close() {
      await monitor.stop();
      await supervisor?.stop();
      journal?.close();
      provider.destroy();
    },
  };
}
