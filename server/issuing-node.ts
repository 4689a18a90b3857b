import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { Logger as PinoLogger } from "pino";
import type { Hex, SignatureAlgorithm } from "@certchain/sdk";
import { buildApp } from "./app";
import type { WalletFault } from "./chain/chain-wallet";
import { openChain, type ChainSession } from "./chain/open-chain";
import { createRegistryReads } from "./chain/registry-reads";
import { developmentChainFunds, type Config } from "./config";
import { createService, type Service } from "./service/create-service";
import { createAgencyStore } from "./store/agency-store";
import { createBatchStore } from "./store/batch-store";
import { anyCertificates } from "./store/certificate-store";
import { openDatabase } from "./store/database";
import { createShareStore } from "./store/share-store";

/** How long a start with a `prepare` step (the demo) waits for a chain that is not ready yet. */
const PREPARE_WAIT_MS = 60_000;

export interface IssuingNodeOptions {
  config: Config;
  /** The process's one logger (server/lib/logger.ts): the chain's events and the HTTP requests. */
  logger: PinoLogger;
  /** Runs once the node serves, before it listens (npm start adds the demo agencies here, through the service). */
  prepare?(node: { chain: ChainSession; service: Service }): Promise<void>;
  /** The registry's name on the citizen pages. */
  registryName: string;
  /** Test hook (CERTCHAIN_FAULT). */
  fault?: WalletFault;
}

export interface IssuingNode {
  /** Where the API answers on this machine. */
  apiUrl: string;
  chain: ChainSession;
  service: Service;
  app: FastifyInstance;
  /** The registry's id; undefined for a registry deployed before ids. */
  registryId: Hex | undefined;
  /** Stops the HTTP app, the service (anchoring, database) and the chain this node started. */
  close(): Promise<void>;
}

/**
 * Puts a running issuing node together from its configuration: the data directory's database,
 * the chain (a supervised local Hardhat node unless CHAIN_RPC_URL; the registry deployed only on a
 * truly first start), the issuing service, and its HTTP app listening on HOST:PORT. Whatever
 * fails on the way closes what was opened before it.
 *
 * @example
 * const node = await startIssuingNode({ config: loadConfig(), logger, registryName: "上海市" });
 */
export async function startIssuingNode(options: IssuingNodeOptions): Promise<IssuingNode> {
  const { config, logger } = options;
  const opened: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of opened.reverse()) await close().catch(() => undefined);
    opened.length = 0;
  };
  try {
    const db = await openDatabase(path.join(config.dataDir, "db"));
    let dbOwned = true; // until the service takes it over (and closes it)
    opened.push(async () => {
      if (dbOwned) await db.close();
    });
    // The registry is deployed only on a truly first start: never under existing certificates.
    const issued = (await anyCertificates(db)) || (await createBatchStore(db).any());
    const batches = createBatchStore(db);
    const agencyStore = createAgencyStore(db);
    const chain = await openChain({
      dataDir: config.dataDir,
      chainRpcUrl: config.chainRpcUrl,
      devChainPort: config.devChainPort,
      mnemonic: config.chainMnemonic,
      logger,
      chainTimeoutMs: config.chainTimeoutMs,
      txTimeoutMs: config.chainTxTimeoutMs,
      checkIntervalMs: config.chainCheckIntervalMs,
      restartAfterMs: config.devNodeRestartAfterMs,
      mayDeploy: !issued,
      joinRegistry: config.joinRegistry,
      recordedAnchors: async (settledBelow) => batches.latestAnchored((await agencyStore.list()).map((agency) => agency.slug), 3, settledBelow),
      reorgWindow: config.reorgWindow,
      fault: options.fault,
    });
    opened.push(() => chain.close());

    dbOwned = false;
    const service = await createService({
      database: db,
      chainGate: chain.gate,
      chainTimeoutMs: config.chainTimeoutMs,
      dataDir: config.dataDir,
      provider: chain.provider,
      chainId: chain.chainId,
      registryAddress: chain.deployment.address,
      rootAuthority: chain.rootAuthority,
      walletFor: chain.walletFor,
      // A development chain's root authority is funded by the chain: it funds the operator accounts the node creates.
      fundOperators: developmentChainFunds(config),
      logger,
      passphrase: config.passphrase,
      sealCipher: config.sealCipher,
      batch: { maxSize: config.batchSize, maxDelayMs: config.batchDelayMs },
      signingWorkers: config.signingWorkers,
      confirmations: config.confirmations,
      finality: config.finality,
      reorgWindow: config.reorgWindow,
      publicUrl: config.publicUrl,
      webhooks: { allowPrivate: config.webhookAllowPrivate },
    });
    opened.push(() => service.close());
    // A node started moments ago may miss its first check on a busy machine (CHAIN_TIMEOUT_MS): wait
    // for it rather than come up without the built-in types and the demo's agencies.
    // The gate's own wait ends at once on a chain found wrong (which waiting does not fix).
    if (options.prepare && chain.gate.status().phase !== "ready") {
      logger.info(`waiting up to ${PREPARE_WAIT_MS / 1000} s for the chain (${chain.gate.status().phase}) before adding the demo`);
      await chain.gate.ready(PREPARE_WAIT_MS).catch(() => {
        if (chain.gate.status().phase !== "mismatch") logger.warn("the chain is still not ready: starting without the demo's agencies (the next start adds them)");
      });
    }
    if (chain.gate.status().phase === "ready") {
      await service.registerBuiltInTypes();
      await options.prepare?.({ chain, service });
    }
    const app = await buildApp(service, {
      loggerInstance: logger,
      rateLimit: config.rateLimitPerMinute > 0 ? { max: config.rateLimitPerMinute, timeWindowMs: 60_000 } : false,
      trustProxy: config.trustProxy,
      shares: createShareStore(service.db.sublevel("shares")),
      web: {
        registry: { chainId: chain.chainId, address: chain.deployment.address, name: options.registryName },
        upstreamRpcUrl: chain.rpcUrl,
        upstreamTimeoutMs: config.chainTimeoutMs,
      },
    });
    opened.push(() => app.close());
    await app.listen({ port: config.port, host: config.host });

    const registryId =
      chain.deployment.registryId ?? ((await createRegistryReads({ provider: chain.provider, address: chain.deployment.address, chainId: chain.chainId }).registryId()) ?? undefined);
    return {
      apiUrl: `http://${config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${config.port}`,
      chain,
      service,
      app,
      registryId,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
