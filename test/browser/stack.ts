import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseEther } from "ethers";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../server/app";
import { DEV_MNEMONIC } from "../../server/config";
import { silentLogger } from "../../server/lib/logger";
import { createService, type Service } from "../../server/service/create-service";
import { createShareStore, type ShareStore } from "../../server/store/share-store";
import { openChain, type ChainSession } from "../../server/chain/open-chain";
import { seedDemo } from "../../scripts/lib/seed-demo";
import { freePort } from "../support/ports";
import { sharedFixture } from "../support/shared";

export interface ShareStack {
  baseUrl: string;
  app: FastifyInstance;
  service: Service;
  shares: ShareStore;
  chain: ChainSession;
  dataDir: string;
  tokens: { amr: string };
  /** The HTTP API with the AMR agency's token (or another agency's). */
  api(method: string, url: string, body?: unknown, token?: string): Promise<{ status: number; body: any }>;
  /** Anchors every pending certificate now (the shared stack anchors only when asked). */
  anchorNow(): Promise<void>;
  stop(): Promise<void>;
  /** Synchronously: the node killed, the data directory removed (at process exit). */
  kill(): void;
}

/**
 * What `npm start` runs, in this process: a Hardhat node as its own process (output to a log
 * file in the data directory), the registry deployed, the demo agencies seeded, the issuing
 * service and its HTTP app listening on a free port, with the share, RPC-proxy and page routes
 * registered (unless the app already has them).
 */
export async function startShareStack(options: { batchDelayMs?: number } = {}): Promise<ShareStack> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "certchain-browser-"));
  const chain = await openChain({ dataDir, devChainPort: await freePort(), mnemonic: DEV_MNEMONIC });
  let service: Service | undefined;
  let app: FastifyInstance | undefined;
  try {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    service = await createService({
      dataDir,
      provider: chain.provider,
      chainId: chain.chainId,
      registryAddress: chain.deployment.address,
      rootAuthority: chain.rootAuthority,
      walletFor: chain.walletFor,
      fundOperators: parseEther("10"),
      passphrase: "browser-test-passphrase",
      batch: { maxSize: 1000, maxDelayMs: options.batchDelayMs ?? 100 },
      confirmations: 1,
      publicUrl: baseUrl,
    });
    // The demo agencies, as npm start adds them (the civil-affairs bureau signs SM2, 国密: the pages verify both suites).
    await service.registerBuiltInTypes();
    await seedDemo(service, silentLogger);
    const registry = { chainId: chain.chainId, address: chain.deployment.address, name: "certchain 测试链 (test chain)" };
    const shares = createShareStore(service.db.sublevel("shares"));
    app = await buildApp(service, {
      rateLimit: false,
      shares,
      // Every page of every browser test in this process reads the chain through this one /rpc, from
      // one address: its per-client limit (60 a minute) would turn later pages' verdicts into
      // "cannot verify". The limit has its own tests (test/server/rpc-proxy.test.ts).
      web: { registry, upstreamRpcUrl: chain.rpcUrl, rpcRateLimit: false },
    });
    await app.listen({ port, host: "127.0.0.1" });
    const amr = await service.issueToken({ kind: "agency", agency: "sh-amr", types: ["business-licence", "production-licence"], subject: "browser-test" }, 3600);

    const api = async (method: string, url: string, body?: unknown, token = amr) => {
      const response = await fetch(`${baseUrl}${url}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    };

    const running = { app, service };
    return {
      baseUrl,
      app,
      service,
      shares,
      chain,
      dataDir,
      tokens: { amr },
      api,
      anchorNow: () => running.service.flush(),
      async stop() {
        await running.app.close().catch(() => undefined);
        await running.service.close().catch(() => undefined);
        await chain.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
      kill() {
        const node = chain.dev?.supervisor.pid;
        if (node !== undefined) {
          try {
            process.kill(node, "SIGKILL");
          } catch {
            // gone already
          }
        }
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await service?.close().catch(() => undefined);
    await chain.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The browser stack of this mocha process, shared by every browser test file (each issues its
 * own certificates). Anchoring happens only when a test asks (`anchorNow`, `issueAnchored`): a
 * certificate stays pending exactly as long as the test needs.
 */
export const sharedShareStack = sharedFixture<ShareStack>("browser stack", {
  start: () => startShareStack({ batchDelayMs: 3_600_000 }),
  stop: (stack) => stack.stop(),
  kill: (stack) => stack.kill(),
});

/** Issues a certificate over HTTP (with the AMR agency's token, or `token`), anchors it and returns its anchored envelope. */
export async function issueAnchored(stack: ShareStack, type: string, claims: Record<string, unknown>, token?: string): Promise<{ id: string; envelope: any }> {
  const issued = await stack.api("POST", "/v1/certificates", { type, claims }, token);
  if (issued.status !== 201) throw new Error(`issue failed: ${issued.status} ${JSON.stringify(issued.body)}`);
  await stack.anchorNow();
  const { status, body } = await stack.api("GET", `/v1/certificates/${issued.body.id}`, undefined, token);
  if (body?.envelope?.anchor?.status !== "anchored") throw new Error(`certificate ${issued.body.id} not anchored after a flush: ${status} ${JSON.stringify(body)}`);
  return { id: issued.body.id, envelope: body.envelope };
}
