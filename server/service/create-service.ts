import { mkdir } from "node:fs/promises";
import type { Provider, Signer } from "ethers";
import type { Hex, SignatureAlgorithm } from "@certchain/sdk";
import type { ChainGate } from "../chain/chain-gate";
import { createRegistryAdmin } from "../chain/registry-admin";
import { createKeyStore, type KeyStore } from "../keys/key-store";
import type { SealCipher } from "../keys/sealed-box";
import type { Finality } from "../domain/finality";
import type { Logger } from "../lib/logger";
import { openDatabase, type Database } from "../store/database";
import { createIssuingService, type LocalIssuingService } from "./issuing-service";
import type { PresentationOptions } from "./presentations";

export interface ServiceConfig {
  /** LevelDB lives in `<dataDir>/db`. */
  dataDir: string;
  provider: Provider;
  chainId: number;
  registryAddress: Hex;
  rootAuthority: Signer;
  /**
   * Agencies served with operator accounts held elsewhere (tools, tests). The node serves every
   * agency in its own store besides (registered through POST /v1/agencies), with operator
   * accounts whose keys it holds.
   */
  operators?: Record<string, Signer>;
  /** A signer for an operator key held here (npm start: a journaled wallet of its chain session); default a plain ethers Wallet. */
  walletFor?: (privateKey: string) => Signer;
  /** Dev chain only: what the root authority gives each new operator account (wei), and tops it up with. */
  fundOperators?: bigint;
  /** Where the node reports what needs an operator's attention (funds, registrations). */
  logger?: Logger;
  /** Encrypts the keys at rest. */
  passphrase: string;
  /** How new keys and the token secret are sealed (SEAL_CIPHER). Default AES-256-GCM. */
  sealCipher?: SealCipher;
  /** The suite of the first key of each agency in `operators` (agencies registered through the API choose theirs). Default Ed25519. */
  keyAlgorithms?: Record<string, SignatureAlgorithm>;
  /** HS256 secret for bearer tokens; default: one generated on first start and kept (encrypted) in the database. */
  tokenSecret?: Uint8Array;
  batch?: { maxSize?: number; maxDelayMs?: number; finishSlice?: number };
  /** Worker threads signing batch requests (default 0: the main thread). */
  signingWorkers?: number;
  confirmations?: number;
  /** When an anchor counts (FINALITY); default "confirmations". */
  finality?: Finality;
  /** Blocks behind the head in which reorganisations are followed (REORG_WINDOW); default 64. */
  reorgWindow?: number;
  /** Test hooks: how often the depth of a mined anchor, and the chain's recent anchors, are looked at (default 1 s). */
  anchorPollMs?: number;
  registryName?: string;
  /** Where the service is reachable; written into credentials (`iss`), type `vct`s and pending envelopes (where their proofs are). Default http://127.0.0.1:3000. */
  publicUrl?: string;
  /** The supervised chain's gate (npm start); default: the chain is always considered ready. */
  chainGate?: ChainGate;
  /** Deadline of chain reads such as verification (default 4 s). */
  chainTimeoutMs?: number;
  /** An already opened database at `<dataDir>/db` (server/issuing-node.ts opens it first to decide whether the registry may be deployed); closed with the service. */
  database?: Database;
  /** Departments' webhooks (consented use): private addresses only when allowed; how retries wait. */
  webhooks?: PresentationOptions["webhooks"];
  /** The service's clock (ms); tests move it to expire requests. Default Date.now. */
  now?: () => number;
  /** Test hooks only. */
  faults?: { crashAt?: "prepared" | "sent" | "finishing"; signingWorkerCrashOnRequest?: number; registrationCrashAfter?: string };
}

export type Service = LocalIssuingService & { readonly db: Database; readonly keys: KeyStore; readonly tokenSecret: Uint8Array };

/**
 * Wires an issuing node from its configuration: database, keys (provisioned on chain on first
 * start), token secret, issuing service and its running batcher. `close()` stops anchoring and
 * closes the database.
 *
 * @example
 * const service = await createService({ dataDir: "./data", provider, chainId: 31337, registryAddress,
 *   rootAuthority, operators: { "sh-amr": operator }, passphrase: process.env.CERTCHAIN_PASSPHRASE! });
 */
export async function createService(config: ServiceConfig): Promise<Service> {
  await mkdir(config.dataDir, { recursive: true });
  const db = config.database ?? (await openDatabase(`${config.dataDir}/db`));
  try {
    const admin = createRegistryAdmin(config.registryAddress, config.rootAuthority);
    const keys = createKeyStore({ db, passphrase: config.passphrase, admin, sealCipher: config.sealCipher });
    for (const agency of Object.keys(config.operators ?? {})) {
      const algorithm = config.keyAlgorithms?.[agency];
      // An agency's suite is chosen once; later starts leave a later choice (a rotation's) alone.
      if (algorithm !== undefined && (await keys.keys(agency)).length === 0) await keys.chooseAlgorithm(agency, algorithm);
      // A wrong passphrase fails here; without a chain, a missing key is provisioned on first issue instead.
      if ((await keys.loadSigningKey(agency)) === undefined) await keys.ensureSigningKey(agency).catch(() => undefined);
    }
    // A wrong passphrase fails here too (the token secret is sealed like every key).
    const tokenSecret = config.tokenSecret ?? (await keys.tokenSecret());
    const service = await createIssuingService({
      db,
      chain: {
        provider: config.provider,
        registryAddress: config.registryAddress,
        chainId: config.chainId,
        rootAuthority: config.rootAuthority,
        operators: config.operators,
        walletFor: config.walletFor,
        fundOperators: config.fundOperators,
        registryName: config.registryName,
        gate: config.chainGate,
        timeoutMs: config.chainTimeoutMs,
      },
      keys,
      tokenSecret,
      logger: config.logger,
      batch: config.batch,
      signingWorkers: config.signingWorkers,
      confirmations: config.confirmations,
      finality: config.finality,
      reorgWindow: config.reorgWindow,
      anchorPollMs: config.anchorPollMs,
      publicUrl: config.publicUrl,
      consent: { webhooks: config.webhooks },
      ...(config.now ? { now: config.now } : {}),
      faults: config.faults,
    });
    // Warm the accreditation cache while the chain is (probably) up, so issuing can go on
    // through a later outage. Best effort.
    // Registrations and operator rotations a previous run left unfinished are finished first.
    if (config.chainGate === undefined || config.chainGate.status().phase === "ready") await service.resumeAgencies();
    for (const agency of service.servedAgencies()) await keys.loadSigningKey(agency);
    await Promise.allSettled(service.servedAgencies().map((agency) => service.primeAccreditations(agency)));
    const close = service.close;
    return Object.assign(service, {
      db,
      keys,
      tokenSecret,
      async close() {
        await close();
        await db.close();
      },
    });
  } catch (error) {
    await db.close();
    throw error;
  }
}
