import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { HDNodeWallet, Wallet } from "ethers";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../server/app";
import { deployRegistry } from "../../server/chain/deploy";
import { devProvider, startDevNode, type DevNode } from "../../server/chain/dev-node";
import { createRegistryAdmin } from "../../server/chain/registry-admin";
import { DEV_MNEMONIC } from "../../server/config";
import { createShareStore } from "../../server/store/share-store";
import { createService, type Service } from "../../server/service/create-service";
import { findTypeById, type Hex, type TrustedRegistry } from "@certchain/sdk";
import { freePort } from "../support/ports";
import { derivedCreditCode } from "../../server/service/identifiers";
import { DEMO_AGENCIES } from "../../scripts/lib/demo-agencies";

/** As `npm start` seeds them. */
export const AGENCIES = DEMO_AGENCIES;

export interface CliEnvironment {
  apiUrl: string;
  rpcUrl: string;
  registry: TrustedRegistry & { address: Hex; id: Hex };
  /** A demo.json as `npm start` writes it, for --demo. */
  demoFile: string;
  tokens: { root: string } & Record<(typeof AGENCIES)[number]["slug"], string>;
  service: Service;
  app: FastifyInstance;
  close(): Promise<void>;
  /** At process exit, where nothing can be awaited: the node killed, the folder removed. */
  abandon(): void;
}

const accountOf = (index: number, provider: ReturnType<typeof devProvider>) =>
  new Wallet(HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).privateKey, provider);

/**
 * A Hardhat node as its own process, a freshly deployed and seeded registry, the issuing
 * service and its HTTP API (with the notarisation route) listening on a free port.
 */
export async function startCliEnvironment(options: { batchDelayMs?: number } = {}): Promise<CliEnvironment> {
  const dir = mkdtempSync(path.join(tmpdir(), "certchain-cli-"));
  let node: DevNode | undefined;
  let service: Service | undefined;
  let app: FastifyInstance | undefined;
  try {
    node = await startDevNode({ port: await freePort(), logFile: "/dev/null" });
    const provider = devProvider(node.rpcUrl);
    const root = accountOf(0, provider);
    const deployment = await deployRegistry(root);
    const admin = createRegistryAdmin(deployment.address, root);
    const operators: Record<string, Wallet> = {};
    for (const [i, agency] of AGENCIES.entries()) {
      await admin.registerAgency(agency.slug, agency.name, derivedCreditCode(agency.slug));
      for (const type of agency.types) await admin.setAccreditation(agency.slug, findTypeById(type)!.vct);
      operators[agency.slug] = accountOf(i + 1, provider);
      await admin.addOperator(agency.slug, operators[agency.slug].address);
    }

    const port = await freePort();
    const apiUrl = `http://127.0.0.1:${port}`;
    service = await createService({
      dataDir: path.join(dir, "service"),
      provider,
      chainId: 31337,
      registryAddress: deployment.address,
      rootAuthority: root,
      operators,
      passphrase: "cli-test-passphrase",
      batch: { maxSize: 5_000, maxDelayMs: options.batchDelayMs ?? 200 },
      confirmations: 1,
      publicUrl: apiUrl,
    });
    app = await buildApp(service, {
      rateLimit: false,
      shares: createShareStore(service.db.sublevel("shares")),
      web: { registry: { chainId: 31337, address: deployment.address, name: "cli test registry" }, upstreamRpcUrl: node.rpcUrl },
    });
    await app.listen({ port, host: "127.0.0.1" });

    const tokens = { root: await service.issueToken({ kind: "root", subject: "cli-test-root" }, 3600) } as CliEnvironment["tokens"];
    for (const agency of AGENCIES) {
      tokens[agency.slug] = await service.issueToken({ kind: "agency", agency: agency.slug, types: [...agency.types], subject: `cli-test-${agency.slug}` } as never, 3600);
    }
    const demoFile = path.join(dir, "demo.json");
    writeFileSync(
      demoFile,
      JSON.stringify({
        apiUrl,
        rpcUrl: node.rpcUrl,
        chainId: 31337,
        registry: deployment.address,
        registryId: deployment.registryId,
        rootToken: tokens.root,
        agencies: AGENCIES.map((a) => ({ id: a.slug, name: a.name, token: tokens[a.slug], types: [...a.types] })),
      }),
    );

    const started = { node, service, app };
    return {
      apiUrl,
      rpcUrl: node.rpcUrl,
      registry: { chainId: 31337, address: deployment.address, id: deployment.registryId, rpcUrl: node.rpcUrl, name: "cli test registry" },
      demoFile,
      tokens,
      service,
      app,
      async close() {
        await started.app.close().catch(() => undefined);
        await started.service.close().catch(() => undefined);
        await started.node.stop();
        rmSync(dir, { recursive: true, force: true });
      },
      abandon() {
        started.node.process.kill("SIGKILL");
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await service?.close().catch(() => undefined);
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

let shared: Promise<CliEnvironment> | undefined;

/**
 * The CLI environment of this mocha process, started by the first test file that asks and shared
 * by the others (an environment takes seconds to start). Tests keep to their own files
 * ({@link testFolder}) and certificates: agencies, types and tokens are the seed's, and what a
 * test adds to them (an agency, a type, a rotated key) is new for it and harmless to the others.
 *
 * Closed after the whole run by a root `after` hook added on first use. In a worker of `mocha
 * --parallel` (MOCHA_WORKER_ID) each file is a run of its own: the environment is kept for the
 * worker's next files instead, and abandoned when the worker exits (its node killed, its folder
 * removed), as it is on any exit.
 */
export function sharedCliEnvironment(hook: Mocha.Context): Promise<CliEnvironment> {
  if (shared) return shared;
  const starting = startCliEnvironment();
  shared = starting;
  starting.then(
    (env) => process.once("exit", () => shared === starting && env.abandon()),
    () => shared === starting && (shared = undefined), // the next file tries again
  );
  if (process.env.MOCHA_WORKER_ID === undefined) {
    let root = hook.test?.parent;
    while (root?.parent) root = root.parent;
    root?.afterAll("close the shared CLI environment", async function () {
      if (shared !== starting) return;
      shared = undefined;
      await (await starting.catch(() => undefined))?.close();
    });
  }
  return starting;
}

/** A fresh folder for one test file's files (CSV, envelopes, PDFs), under the system's temp dir. */
export const testFolder = (name: string): string => mkdtempSync(path.join(tmpdir(), `certchain-cli-${name}-`));

/** Removes a {@link testFolder}. */
export const removeTestFolder = (dir: string | undefined): void => void (dir && rmSync(dir, { recursive: true, force: true }));

export { runCli, runCliProcess, spawnCli, type CliOptions, type CliRun } from "./run-cli";

/** The CLI's connection and registry flags for this environment (explicit, not --demo). */
export const flagsFor = (env: CliEnvironment, token: string) => ["--api", env.apiUrl, "--token", token];
export const registryFlags = (env: CliEnvironment) => ["--rpc", env.rpcUrl, "--registry", env.registry.address, "--chain-id", "31337"];
