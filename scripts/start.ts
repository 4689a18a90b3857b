/**
 * `npm start`: everything a newcomer needs in one command — a local Hardhat node (unless
 * CHAIN_RPC_URL is set), the registry deployed once, demo agencies seeded, the API served,
 * tokens printed and written to <data dir>/demo.json. Ctrl-C stops it all.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { HELP, DEV_PASSPHRASE, isDevelopmentUrl, loadConfig } from "../server/config";
import { parseWalletFault } from "../server/chain/chain-wallet";
import { startIssuingNode, type IssuingNode } from "../server/issuing-node";
import { acquireDataDirLock, DataDirLockedError, type DataDirLock } from "../server/lib/data-dir-lock";
import { limitHeapGrowth } from "../server/lib/heap-growth";
import { createLogger } from "../server/lib/logger";
import { seedDemo } from "./lib/seed-demo";
import { writeFileAtomic } from "./cli/files";
import { DEMO_AGENCIES, operatorAccountIndex } from "./lib/demo-agencies";

let lock: DataDirLock | undefined;
let node: IssuingNode | undefined;

async function main() {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    process.stdout.write(HELP);
    return;
  }
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  limitHeapGrowth(config.heapGrowingPercent);
  // First of all: one service per data directory. A second start stops here, touching nothing.
  try {
    lock = acquireDataDirLock(config.dataDir, {
      purpose: "npm start",
      onTakeover: (stale) => logger.warn(`took over ${path.join(config.dataDir, "service.lock")} from pid ${stale.pid} (${stale.purpose} since ${stale.since}), which is no longer running`),
    });
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    process.stderr.write(`[certchain] not started: ${error.message}\n`);
    process.exit(1);
  }
  process.on("exit", () => lock?.release());
  if (config.passphrase === DEV_PASSPHRASE) logger.warn("signing keys are encrypted with the DEVELOPMENT passphrase: set CERTCHAIN_PASSPHRASE for real use");
  if (!config.publicUrl.startsWith("https://") && !isDevelopmentUrl(config.publicUrl)) {
    logger.warn(`PUBLIC_URL ${config.publicUrl} is not https: standard SD-JWT VC verifiers will not fetch issuer keys or type metadata from it`);
  }

  logger.info("compiling contracts…");
  execFileSync(process.execPath, [require.resolve("hardhat/internal/cli/cli"), "compile", "--quiet"], { cwd: path.join(__dirname, ".."), stdio: "inherit" });

  node = await startIssuingNode({
    config,
    logger,
    agencies: DEMO_AGENCIES.map((agency) => ({ slug: agency.slug, operatorAccount: operatorAccountIndex(agency.slug)!, ...("algorithm" in agency ? { algorithm: agency.algorithm } : {}) })),
    prepareChain: (chain, operators) => seedDemo(chain, operators, logger),
    registryName: "certchain 本地开发链 (local dev chain)",
    fault: parseWalletFault(process.env.CERTCHAIN_FAULT),
  });
  const { apiUrl, chain, service, registryId } = node;

  const rootToken = await service.issueToken({ kind: "root", subject: "demo-root-authority" }, 30 * 24 * 3600);
  const agencies = await Promise.all(
    DEMO_AGENCIES.map(async (agency) => ({
      id: agency.slug,
      name: agency.name,
      types: [...agency.types],
      token: await service.issueToken({ kind: "agency", agency: agency.slug, subject: `demo-${agency.slug}` }, 30 * 24 * 3600),
    })),
  );
  const demo = { apiUrl, rpcUrl: chain.rpcUrl, chainId: chain.chainId, registry: chain.deployment.address, registryId, rootToken, agencies };
  // A trust list with this registry, for `certchain verifier --registries` and `certchain verify --registries`.
  const trustList = [{ name: "本地开发链 (local dev chain)", id: registryId, chainId: chain.chainId, address: chain.deployment.address, rpcUrl: chain.rpcUrl }];
  writeFileAtomic(path.join(config.dataDir, "registries.json"), `${JSON.stringify(trustList, null, 2)}\n`);
  // Each written whole (tools and tests poll for them); demo.json last: readers of it then find registries.json.
  writeFileAtomic(path.join(config.dataDir, "demo.json"), JSON.stringify(demo, null, 2));

  // Plain text, not a log entry: people and the README read it.
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
    logger.info(`${signal}: stopping…`);
    await node?.close().catch(() => undefined);
    lock?.release();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch(async (error) => {
  process.stderr.write(`[certchain] failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  await node?.close().catch(() => undefined);
  process.exit(1);
});
