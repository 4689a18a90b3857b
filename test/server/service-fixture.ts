import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import { takeSnapshot, type SnapshotRestorer } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther, type Provider, type Signer } from "ethers";
import { expect } from "chai";
import { findTypeById, isCertchainError } from "@certchain/sdk";
import { writeDeployment } from "../../server/chain/deploy";
import { createService, type Service, type ServiceConfig } from "../../server/service/create-service";
import type { Principal, RequestContext } from "../../server/domain/principal";
import { deployTrustFixture, type TrustFixture } from "../support/chain-fixture";

export const TOKEN_SECRET = new Uint8Array(32).fill(7);
export const PASSPHRASE = "correct horse battery staple";

export const amrPrincipal: Principal = { kind: "agency", agency: "sh-amr", types: ["business-licence", "production-licence"], subject: "amr-system", tokenId: "t-amr" };
export const mcaPrincipal: Principal = { kind: "agency", agency: "sh-mca", types: ["marriage-certificate"], subject: "mca-system", tokenId: "t-mca" };
export const rootPrincipal: Principal = { kind: "root", subject: "data-bureau", tokenId: "t-root" };

let requests = 0;
export const ctx = (idempotencyKey?: string): RequestContext => ({ requestId: `req-${++requests}`, ...(idempotencyKey ? { idempotencyKey } : {}) });

export const example = (typeId: string): Record<string, unknown> => ({ ...(findTypeById(typeId)!.schema.examples[0] as Record<string, unknown>) });

export interface ServiceFixture {
  chain: TrustFixture;
  dir: string;
  root: Signer;
  /** Starts (or restarts) a service on the same data directory. */
  start(overrides?: Partial<ServiceConfig>): Promise<Service>;
  cleanup(): Promise<void>;
}

/** A chain fixture (deployed here unless given) and an empty data directory. */
export async function serviceFixture(deployed?: TrustFixture): Promise<ServiceFixture> {
  const chain = deployed ?? (await deployTrustFixture());
  const [root] = await hre.ethers.getSigners();
  const dir = await mkdtemp(path.join(tmpdir(), "certchain-service-"));
  return {
    chain,
    dir,
    root,
    start: (overrides = {}) =>
      createService({
        dataDir: dir,
        provider: hre.ethers.provider as unknown as Provider,
        chainId: 31337,
        registryAddress: chain.registry.address,
        rootAuthority: root,
        operators: { "sh-amr": chain.amr.operator, "sh-mca": chain.mca.operator },
        passphrase: PASSPHRASE,
        tokenSecret: TOKEN_SECRET,
        // Tests anchor with flush(); the timer should not race them.
        batch: { maxSize: 1_000, maxDelayMs: 600_000 },
        ...overrides,
      }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * For a describe block whose tests each want a fresh {@link serviceFixture}: the chain fixture is
 * deployed once (a `before` hook) and each call returns it as deployed (evm_revert to a snapshot
 * taken then) with an empty data directory of its own, the same state a new deployment gives,
 * without deploying and registering per test.
 */
export function serviceFixturePerTest(): () => Promise<ServiceFixture> {
  let chain: TrustFixture;
  let asDeployed: SnapshotRestorer;
  before(async function () {
    chain = await deployTrustFixture();
    asDeployed = await takeSnapshot();
  });
  return async () => {
    await asDeployed.restore();
    return serviceFixture(chain);
  };
}

export async function expectCode(promise: Promise<unknown>, code: string): Promise<any> {
  try {
    await promise;
  } catch (error) {
    expect(isCertchainError(error), String(error)).to.equal(true);
    expect((error as { code: string }).code).to.equal(code);
    return error;
  }
  expect.fail(`expected ${code}`);
}

/** RootAnchored events for a root, counted from the chain itself. */
export async function anchorEventsOf(chain: TrustFixture, root: string): Promise<number> {
  const registry = chain.admin.contract;
  return (await registry.queryFilter(registry.filters.RootAnchored(root))).length;
}

/** A node's data directory as an operator keeps it, and the service started on it or on another. */
export interface NodeOnDisk {
  chain: TrustFixture;
  /** This test's data directory: a copy of the one `prepare` left. */
  dir: string;
  /** The running service, if one was started. */
  service: Service | undefined;
  /** Starts a service on `dataDir` [{@link dir}] as `npm start` would: no mnemonic operators, its own token secret, operators funded. */
  start(dataDir?: string, passphrase?: string): Promise<Service>;
  stop(): Promise<void>;
  /** The environment of a `certchain` run on `dataDir` (DATA_DIR, the passphrase), plus `extra`. */
  cliEnv(dataDir: string, extra?: Record<string, string>): Record<string, string>;
  /** A fresh folder, removed after the test. */
  temp(name: string): string;
}

/**
 * Hooks for a describe block whose tests each start from the same stopped node (CLI key backups,
 * passphrase changes). `prepare` runs once, on a data directory holding deployment.json (it starts
 * a service, registers and issues what the tests need, and stops it); each test then gets a copy
 * of that directory and the in-process chain as `prepare` left it (evm_snapshot / evm_revert), so
 * what one test does to its node never reaches the next, without preparing it again per test.
 */
export function nodeOnDiskPerTest(prepare: (node: NodeOnDisk) => Promise<void>): NodeOnDisk {
  let fx: ServiceFixture;
  let prepared: string;
  let chainAsPrepared: SnapshotRestorer;
  const scratch: string[] = [];
  const temp = (name: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), `certchain-${name}-`));
    scratch.push(dir);
    return dir;
  };
  const node: NodeOnDisk = {
    get chain() {
      return fx.chain;
    },
    dir: "",
    service: undefined,
    start: async (dataDir = node.dir, passphrase = PASSPHRASE) =>
      (node.service = await fx.start({ dataDir, passphrase, tokenSecret: undefined, operators: {}, fundOperators: parseEther("10") })),
    async stop() {
      await node.service?.close();
      node.service = undefined;
    },
    cliEnv: (dataDir, extra = {}) => ({ DATA_DIR: dataDir, CERTCHAIN_PASSPHRASE: PASSPHRASE, ...extra }),
    temp,
  };
  const removeScratch = () => {
    for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
  };

  before(async function () {
    fx = await serviceFixture();
    node.dir = fx.dir;
    writeDeployment(path.join(fx.dir, "deployment.json"), { address: fx.chain.registry.address, registryId: fx.chain.registry.id, chainId: 31337 } as never);
    try {
      await prepare(node);
    } finally {
      await node.stop().catch(() => undefined);
    }
    prepared = fx.dir;
    chainAsPrepared = await takeSnapshot();
  });
  beforeEach(async function () {
    await chainAsPrepared.restore();
    node.dir = temp("node");
    cpSync(prepared, node.dir, { recursive: true });
  });
  afterEach(async function () {
    await node.stop().catch(() => undefined);
    removeScratch();
  });
  after(async function () {
    await node.stop().catch(() => undefined);
    removeScratch();
    await fx?.cleanup();
  });
  return node;
}
