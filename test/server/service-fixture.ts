import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import type { Provider, Signer } from "ethers";
import { expect } from "chai";
import { findTypeById, isCertchainError } from "@certchain/sdk";
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

export async function serviceFixture(): Promise<ServiceFixture> {
  const chain = await deployTrustFixture();
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
