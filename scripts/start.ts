/**
 * `npm start`: everything a newcomer needs in one command — a local Hardhat node (unless
 * CHAIN_RPC_URL is set), the registry deployed once, demo agencies added, the API served,
 * tokens printed and written to <data dir>/demo.json. Ctrl-C stops it all.
 *
 * In production (NODE_ENV=production or --production) there is no demo: it refuses published
 * secrets and a data directory others can read, starts with no agencies, and writes the root
 * authority's token once to <data dir>/root-token, readable by its owner only.
 */
import path from "node:path";
import { HELP, DEV_PASSPHRASE, isDevelopmentUrl, loadConfig, registryNameOf, productionProblems, type Config } from "../server/config";
import { parseWalletFault } from "../server/chain/chain-wallet";
import { startIssuingNode, type IssuingNode } from "../server/issuing-node";
import { acquireDataDirLock, DataDirLockedError, type DataDirLock } from "../server/lib/data-dir-lock";
import { limitHeapGrowth } from "../server/lib/heap-growth";
import { createLogger } from "../server/lib/logger";
import { PRIVATE_UMASK, ensurePrivateDir, openToOthers, writePrivateOnce } from "../server/lib/private-files";
import { compileContractsIfChanged } from "./lib/compiled-contracts";
import { seedDemo } from "./lib/seed-demo";
import { writeFileAtomic } from "./cli/files";
import { DEMO_AGENCIES } from "./lib/demo-agencies";

let lock: DataDirLock | undefined;
let node: IssuingNode | undefined;

/** The root token of a production node lasts a year; `certchain token root` mints another. */
const ROOT_TOKEN_SECONDS = 365 * 24 * 3600;
const DEMO_TOKEN_SECONDS = 30 * 24 * 3600;

function refuse(lines: string[]): never {
  process.stderr.write(`[certchain] not started: production mode (NODE_ENV=production or --production) refuses to start:\n${lines.map((line) => `  - ${line}\n`).join("")}`);
  process.exit(1);
}

async function main() {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    process.stdout.write(HELP);
    return;
  }
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  limitHeapGrowth(config.heapGrowingPercent);
  // Published secrets and an open data directory stop a production start before anything is written.
  if (config.production) {
    const problems = productionProblems(config, openToOthers(config.dataDir));
    if (problems.length > 0) refuse(problems);
  }
  // The data directory is the owner's alone (0700, files 0600), in every mode.
  if (ensurePrivateDir(config.dataDir)) logger.warn(`${config.dataDir} was open to other users: now 0700 (it holds sealed keys and tokens)`);
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
  if (config.passphrase === DEV_PASSPHRASE) logger.warn("signing keys are sealed with the DEVELOPMENT passphrase: set CERTCHAIN_PASSPHRASE_FILE (or CERTCHAIN_PASSPHRASE) for real use");
  if (!config.publicUrl.startsWith("https://") && !isDevelopmentUrl(config.publicUrl)) {
    logger.warn(`PUBLIC_URL ${config.publicUrl} is not https: standard SD-JWT VC verifiers will not fetch issuer keys or type metadata from it`);
  }

  compileContractsIfChanged(() => logger.info("compiling contracts…"));
  // From here on everything the service, LevelDB and the dev node create is 0600 (the compiled contracts above are not the data directory's).
  process.umask(PRIVATE_UMASK);

  node = await startIssuingNode({
    config,
    logger,
    prepare: config.production ? undefined : ({ service }) => seedDemo(service, logger),
    registryName: config.registryName?.trim() || (config.production ? "certchain" : "certchain 本地开发链 (local dev chain)"),
    fault: parseWalletFault(process.env.CERTCHAIN_FAULT),
  });
  const { apiUrl, chain, registryId } = node;

  // A trust list with this registry, for `certchain verifier --registries` and `certchain verify --registries`.
  // Named after this registry (or REGISTRY_NAME): two sites' or cities' lists merge without clashing names.
  const trustList = [{ name: registryNameOf(config, chain.chainId, chain.deployment.address), id: registryId, chainId: chain.chainId, address: chain.deployment.address, rpcUrl: chain.rpcUrl }];
  writeFileAtomic(path.join(config.dataDir, "registries.json"), `${JSON.stringify(trustList, null, 2)}\n`);

  const served = node.service.servedAgencies();
  const header = `
certchain is running${config.production ? " (production)" : ""}
  API          ${apiUrl}          (OpenAPI: ${apiUrl}/openapi.json, docs: ${apiUrl}/docs)
  wallet       ${apiUrl}/wallet   verify: ${apiUrl}/verify
  chain        ${chain.rpcUrl} (chain id ${chain.chainId}), registry ${chain.deployment.address}
               registry id ${registryId ?? "(none: deployed before registry ids)"}
`;
  // Plain text, not a log entry: people and the README read it.
  if (config.production) process.stdout.write(`${header}${await productionBanner(config, node, served)}\nPress Ctrl-C to stop.\n`);
  else process.stdout.write(`${header}${await demoBanner(config, node)}\n  try:  curl -s ${apiUrl}/v1/types | head -c 300\nPress Ctrl-C to stop.\n`);

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

/** Development: tokens for the root authority and each demo agency, printed and written to demo.json. */
async function demoBanner(config: Config, { apiUrl, chain, service, registryId }: IssuingNode): Promise<string> {
  const rootToken = await service.issueToken({ kind: "root", subject: "demo-root-authority" }, DEMO_TOKEN_SECONDS);
  const agencies = await Promise.all(
    DEMO_AGENCIES.filter((agency) => service.servedAgencies().includes(agency.slug)).map(async (agency) => ({
      id: agency.slug,
      name: agency.name,
      types: [...agency.types],
      token: await service.issueToken({ kind: "agency", agency: agency.slug, subject: `demo-${agency.slug}` }, DEMO_TOKEN_SECONDS),
    })),
  );
  const demo = { apiUrl, rpcUrl: chain.rpcUrl, chainId: chain.chainId, registry: chain.deployment.address, registryId, rootToken, agencies };
  // Written whole (tools and tests poll for it), after registries.json: readers of it then find that too.
  writeFileAtomic(path.join(config.dataDir, "demo.json"), JSON.stringify(demo, null, 2));
  return `  data         ${config.dataDir} (demo.json holds everything below)

  root authority token:
    ${rootToken}
${agencies.map((a) => `  ${a.name} (${a.id}; ${a.types.join(", ")}):\n    ${a.token}`).join("\n")}
`;
}

/** Production: the root token once, to a file only the owner reads; never printed. */
async function productionBanner(config: Config, { service }: IssuingNode, served: string[]): Promise<string> {
  const file = path.join(config.dataDir, "root-token");
  let rootLine: string;
  if (!(await service.rootTokenWritten())) {
    const token = await service.issueToken({ kind: "root", subject: "root-authority" }, ROOT_TOKEN_SECONDS);
    if (!writePrivateOnce(file, `${token}\n`)) throw new Error(`${file} already exists: move it away (it is not this node's first root token) and start again`);
    await service.markRootTokenWritten();
    rootLine = `the root authority's token is in ${file} (readable by you only, valid 365 days): keep it somewhere safe, then delete the file`;
  } else {
    rootLine = `the root authority's token was written to ${file} at the first start${openToOthers(file) ? " (that file is open to other users!)" : ""}; \`certchain token root\` mints another (service stopped)`;
  }
  return `  data         ${config.dataDir}
  agencies     ${served.length === 0 ? "none yet: the root authority adds them (POST /v1/agencies, certchain agency add)" : served.join(", ")}
  root token   ${rootLine}
`;
}

main().catch(async (error) => {
  process.stderr.write(`[certchain] failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  await node?.close().catch(() => undefined);
  process.exit(1);
});
