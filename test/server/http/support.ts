import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import { expect } from "chai";
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";
import { buildApp, type BuildAppOptions } from "../../../server/app";
import { createService, type ServiceConfig } from "../../../server/service/create-service";
import type { IssuingService } from "../../../server/service/issuing-service";
import { findTypeById, type Hex } from "@certchain/sdk";
import { DEMO_AGENCIES } from "../../../scripts/lib/demo-agencies";
import { deployTestRegistry } from "../../support/test-registry";

/** The agencies every HTTP test registry holds: the demo's (as `npm start` seeds them) but the notary office. */
export const AGENCIES = DEMO_AGENCIES.filter((agency) => agency.slug !== "sh-notary");

export interface TestApp {
  app: FastifyInstance;
  service: IssuingService;
  registry: Hex;
  /** The registry's id (its registryId()), which envelopes name. */
  registryId: Hex;
  tokens: { root: string; amr: string; mca: string };
  /** The service's data directory (removed by close). */
  dataDir: string;
  /** Another app over the same service (e.g. with a tight rate limit); closed with the rest. */
  appWith(options: BuildAppOptions): Promise<FastifyInstance>;
  close(): Promise<void>;
}

/**
 * The real issuing service over a registry freshly deployed on the in-process Hardhat network,
 * with the demo agencies registered, accredited and given operators, behind `buildApp`.
 * Rate limiting is off unless asked for; anchoring batches close after 50 ms.
 */
export async function buildTestApp(options: BuildAppOptions = {}, serviceOptions: { publicUrl?: string; maxDelayMs?: number; now?: () => number; webhooks?: ServiceConfig["webhooks"] } = {}): Promise<TestApp> {
  const [root, ...operatorSigners] = await hre.ethers.getSigners();
  // The service makes and registers the agencies' signing keys itself.
  const deployment = await deployTestRegistry(root, AGENCIES.map((agency, i) => ({ ...agency, operator: operatorSigners[i] })));
  const operators = Object.fromEntries(deployment.agencies.map((agency) => [agency.slug, agency.operator]));

  const dataDir = mkdtempSync(path.join(tmpdir(), "certchain-http-"));
  const service = await createService({
    dataDir,
    provider: hre.ethers.provider,
    chainId: 31337,
    registryAddress: deployment.address,
    rootAuthority: root,
    operators,
    passphrase: "http-test-passphrase",
    batch: { maxSize: 1000, maxDelayMs: serviceOptions.maxDelayMs ?? 50 },
    confirmations: 1,
    publicUrl: serviceOptions.publicUrl,
    now: serviceOptions.now,
    webhooks: serviceOptions.webhooks,
  });

  const apps: FastifyInstance[] = [];
  async function appWith(appOptions: BuildAppOptions): Promise<FastifyInstance> {
    const app = await buildApp(service, appOptions);
    apps.push(app);
    return app;
  }
  const app = await appWith({ rateLimit: false, ...options });
  const tokens = {
    root: await mintToken(service, { kind: "root", subject: "test-root" }, 3600),
    amr: await mintToken(service, { kind: "agency", agency: "sh-amr", types: [...AGENCIES[0].types], subject: "test-amr" }, 3600),
    mca: await mintToken(service, { kind: "agency", agency: "sh-mca", types: [...AGENCIES[1].types], subject: "test-mca" }, 3600),
  };

  return {
    app,
    service,
    registry: deployment.address,
    registryId: deployment.registryId,
    tokens,
    dataDir,
    appWith,
    async close() {
      for (const a of apps) await a.close();
      await service.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** service.issueToken, typed from the interface (root or agency claims, no tokenId). */
export const mintToken = (service: IssuingService, principal: Parameters<IssuingService["issueToken"]>[0], expiresInSeconds?: number): Promise<string> =>
  service.issueToken(principal, expiresInSeconds);

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The first (complete) example claims of a type. */
export const exampleClaims = (typeId: string): Record<string, unknown> => structuredClone(findTypeById(typeId)!.schema.examples[0]) as Record<string, unknown>;

/** Asserts our error shape and code, and returns the error. */
export function expectError(res: LightMyRequestResponse, status: number, code: string): { code: string; message: string; details?: any } {
  expect(res.statusCode, res.body).to.equal(status);
  expect(res.headers["content-type"]).to.match(/^application\/json/);
  const body = res.json();
  expect(body).to.have.property("error");
  expect(body.error.code, res.body).to.equal(code);
  expect(body.error.message).to.be.a("string").that.is.not.empty;
  return body.error;
}

/** Polls GET /v1/certificates/:id until it has `status` (anchoring runs in the background). */
export async function waitForStatus(app: FastifyInstance, token: string, id: string, status: string, timeoutMs = 20_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await app.inject({ method: "GET", url: `/v1/certificates/${id}`, headers: bearer(token) });
    expect(res.statusCode, res.body).to.equal(200);
    if (res.json().status === status) return res.json();
    if (Date.now() > deadline) throw new Error(`certificate ${id} still ${res.json().status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export type { InjectOptions };
