/**
 * `npm start`: everything a newcomer needs in one command — a local Hardhat node (unless
 * CHAIN_RPC_URL is set), the registry deployed once, demo agencies seeded, the API served,
 * tokens printed and written to <data dir>/demo.json. Ctrl-C stops it all.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { HELP, DEV_PASSPHRASE, isDevelopmentUrl, loadConfig } from "../server/config";
import { openChain } from "./lib/dev-chain";
import { seedDemo } from "./lib/seed-demo";
import { createService } from "../server/service/create-service";
import { buildApp } from "../server/app";
import { createShareStore } from "../server/store/share-store";
import { DEMO_AGENCIES } from "./lib/demo-agencies";

const log = (line: string) => process.stdout.write(`[certchain] ${line}\n`);

async function main() {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    process.stdout.write(HELP);
    return;
  }
  const config = loadConfig();
  mkdirSync(config.dataDir, { recursive: true });
  if (config.passphrase === DEV_PASSPHRASE) log("signing keys are encrypted with the DEVELOPMENT passphrase: set CERTCHAIN_PASSPHRASE for real use");
  if (!config.publicUrl.startsWith("https://") && !isDevelopmentUrl(config.publicUrl)) {
    log(`PUBLIC_URL ${config.publicUrl} is not https: standard SD-JWT VC verifiers will not fetch issuer keys or type metadata from it`);
  }

  log("compiling contracts…");
  execFileSync(process.execPath, [require.resolve("hardhat/internal/cli/cli"), "compile", "--quiet"], { cwd: path.join(__dirname, ".."), stdio: "inherit" });

  const chain = await openChain({ dataDir: config.dataDir, chainRpcUrl: config.chainRpcUrl, devChainPort: config.devChainPort, mnemonic: config.chainMnemonic, log });
  const operators = Object.fromEntries(DEMO_AGENCIES.map((agency, i) => [agency.slug, chain.operator(i)]));
  await seedDemo(chain, operators, log);

  const apiUrl = `http://${config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${config.port}`;
  const service = await createService({
    dataDir: config.dataDir,
    provider: chain.provider,
    chainId: chain.chainId,
    registryAddress: chain.deployment.address,
    rootAuthority: chain.rootAuthority,
    operators,
    passphrase: config.passphrase,
    batch: { maxSize: config.batchSize, maxDelayMs: config.batchDelayMs },
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
  const demo = { apiUrl, rpcUrl: chain.rpcUrl, chainId: chain.chainId, registry: chain.deployment.address, rootToken, agencies };
  writeFileSync(path.join(config.dataDir, "demo.json"), JSON.stringify(demo, null, 2));

  process.stdout.write(`
certchain is running
  API          ${apiUrl}          (OpenAPI: ${apiUrl}/openapi.json, docs: ${apiUrl}/docs)
  wallet       ${apiUrl}/wallet   verify: ${apiUrl}/verify
  chain        ${chain.rpcUrl} (chain id ${chain.chainId}), registry ${chain.deployment.address}
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
    await chain.node?.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error) => {
  process.stderr.write(`[certchain] failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
