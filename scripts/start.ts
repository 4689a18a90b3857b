/**
 * `npm start`: everything a newcomer needs in one command — a local Hardhat node (unless
 * CHAIN_RPC_URL is set), the registry deployed once, demo agencies seeded, the API served,
 * tokens printed and written to <data dir>/demo.json. Ctrl-C stops it all.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { HELP, DEV_PASSPHRASE, isDevelopmentUrl, loadConfig } from "../server/config";
import { parseWalletFault } from "../server/chain/chain-wallet";
import { acquireDataDirLock, DataDirLockedError, type DataDirLock } from "../server/lib/data-dir-lock";
import { openDatabase } from "../server/store/database";
import { createBatchStore } from "../server/store/batch-store";
import { createCertificateStore } from "../server/store/certificate-store";
import { openChain, type ChainSession } from "../server/chain/open-chain";
import { seedDemo } from "./lib/seed-demo";
import { writeFileAtomic } from "./cli/files";
import { createService } from "../server/service/create-service";
import { buildApp } from "../server/app";
import { createShareStore } from "../server/store/share-store";
import { DEMO_AGENCIES, operatorAccountIndex } from "./lib/demo-agencies";
import { createRegistryReads } from "../server/chain/registry-reads";
import { limitHeapGrowth } from "../server/lib/heap-growth";

const log = (line: string) => process.stdout.write(`[certchain] ${line}\n`);

let lock: DataDirLock | undefined;
let chain: ChainSession | undefined;

async function main() {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    process.stdout.write(HELP);
    return;
  }
  const config = loadConfig();
  limitHeapGrowth(config.heapGrowingPercent);
  // First of all: one service per data directory. A second start stops here, touching nothing.
  try {
    lock = acquireDataDirLock(config.dataDir, {
      purpose: "npm start",
      onTakeover: (stale) => log(`took over ${path.join(config.dataDir, "service.lock")} from pid ${stale.pid} (${stale.purpose} since ${stale.since}), which is no longer running`),
    });
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    process.stderr.write(`[certchain] not started: ${error.message}\n`);
    process.exit(1);
  }
  process.on("exit", () => lock?.release());
  if (config.passphrase === DEV_PASSPHRASE) log("signing keys are encrypted with the DEVELOPMENT passphrase: set CERTCHAIN_PASSPHRASE for real use");
  if (!config.publicUrl.startsWith("https://") && !isDevelopmentUrl(config.publicUrl)) {
    log(`PUBLIC_URL ${config.publicUrl} is not https: standard SD-JWT VC verifiers will not fetch issuer keys or type metadata from it`);
  }

  log("compiling contracts…");
  execFileSync(process.execPath, [require.resolve("hardhat/internal/cli/cli"), "compile", "--quiet"], { cwd: path.join(__dirname, ".."), stdio: "inherit" });

  const db = await openDatabase(path.join(config.dataDir, "db"));
  // The registry is deployed only on a truly first start: never under existing certificates.
  const issued = (await createCertificateStore(db).any()) || (await createBatchStore(db).any());
  const batches = createBatchStore(db);
  const served = DEMO_AGENCIES.map((agency) => agency.slug);
  chain = await openChain({
    dataDir: config.dataDir,
    chainRpcUrl: config.chainRpcUrl,
    devChainPort: config.devChainPort,
    mnemonic: config.chainMnemonic,
    log,
    chainTimeoutMs: config.chainTimeoutMs,
    txTimeoutMs: config.chainTxTimeoutMs,
    checkIntervalMs: config.chainCheckIntervalMs,
    restartAfterMs: config.devNodeRestartAfterMs,
    mayDeploy: !issued,
    recordedAnchors: () => batches.latestAnchored(served),
    fault: parseWalletFault(process.env.CERTCHAIN_FAULT),
  }).catch(async (error) => {
    await db.close();
    throw error;
  });
  const operators = Object.fromEntries(DEMO_AGENCIES.map((agency) => [agency.slug, chain!.operator(operatorAccountIndex(agency.slug)! - 1)]));
  if (chain.gate.status().phase === "ready") await seedDemo(chain, operators, log);

  const apiUrl = `http://${config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${config.port}`;
  const service = await createService({
    database: db,
    chainGate: chain.gate,
    chainTimeoutMs: config.chainTimeoutMs,
    dataDir: config.dataDir,
    provider: chain.provider,
    chainId: chain.chainId,
    registryAddress: chain.deployment.address,
    rootAuthority: chain.rootAuthority,
    operators,
    passphrase: config.passphrase,
    batch: { maxSize: config.batchSize, maxDelayMs: config.batchDelayMs },
    signingWorkers: config.signingWorkers,
    confirmations: config.confirmations,
    publicUrl: config.publicUrl,
  });
  const app = await buildApp(service, {
    logger: { level: config.logLevel },
    rateLimit: config.rateLimitPerMinute > 0 ? { max: config.rateLimitPerMinute, timeWindowMs: 60_000 } : false,
    shares: createShareStore(service.db.sublevel("shares")),
    web: {
      registry: { chainId: chain.chainId, address: chain.deployment.address, name: "certchain 本地开发链 (local dev chain)" },
      upstreamRpcUrl: chain.rpcUrl,
      upstreamTimeoutMs: config.chainTimeoutMs,
    },
  });
  await app.listen({ port: config.port, host: config.host });

  const rootToken = await service.issueToken({ kind: "root", subject: "demo-root-authority" }, 30 * 24 * 3600);
  const agencies = await Promise.all(
    DEMO_AGENCIES.map(async (agency) => ({
      id: agency.slug,
      name: agency.name,
      types: [...agency.types],
      token: await service.issueToken({ kind: "agency", agency: agency.slug, subject: `demo-${agency.slug}` }, 30 * 24 * 3600),
    })),
  );
  const registryId = chain.deployment.registryId ?? ((await createRegistryReads({ provider: chain.provider, address: chain.deployment.address, chainId: chain.chainId }).registryId()) ?? undefined);
  const demo = { apiUrl, rpcUrl: chain.rpcUrl, chainId: chain.chainId, registry: chain.deployment.address, registryId, rootToken, agencies };
  // A trust list with this registry, for `certchain verifier --registries` and `certchain verify --registries`.
  const trustList = [{ name: "本地开发链 (local dev chain)", id: registryId, chainId: chain.chainId, address: chain.deployment.address, rpcUrl: chain.rpcUrl }];
  writeFileAtomic(path.join(config.dataDir, "registries.json"), `${JSON.stringify(trustList, null, 2)}\n`);
  // Each written whole (tools and tests poll for them); demo.json last: readers of it then find registries.json.
  writeFileAtomic(path.join(config.dataDir, "demo.json"), JSON.stringify(demo, null, 2));

  process.stdout.write(`
certchain is running
  API          ${apiUrl}          (OpenAPI: ${apiUrl}/openapi.json, docs: ${apiUrl}/docs)
  wallet       ${apiUrl}/wallet   verify: ${apiUrl}/verify
  chain        ${chain.rpcUrl} (chain id ${chain.chainId}), registry ${chain.deployment.address}
               registry id ${registryId ?? "(none: deployed before registry ids)"}
  data         ${config.dataDir} (demo.json holds everything below)

  root authority token:
    ${rootToken}
${agencies.map((a) => `  ${a.name} (${a.id}; ${a.types.join(", ")}):\n    ${a.token}`).join("\n")}

  try:  curl -s ${apiUrl}/v1/types | head -c 300
Press Ctrl-C to stop.
`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping…`);
    await app.close().catch(() => undefined);
    await service.close().catch(() => undefined);
    await chain?.close().catch(() => undefined);
    lock?.release();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch(async (error) => {
  process.stderr.write(`[certchain] failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  await chain?.close().catch(() => undefined);
  process.exit(1);
});
