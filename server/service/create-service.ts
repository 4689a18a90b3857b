import { mkdir } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import type { Provider, Signer } from "ethers";
import { certificateTypes, type Hex, type SignatureAlgorithm } from "@certchain/sdk";
import type { ChainGate } from "../chain/chain-gate";
import { createRegistryAdmin } from "../chain/registry-admin";
import { createKeyStore, type KeyStore } from "../keys/key-store";
import { open, seal, type SealCipher, type SealedBox } from "../keys/sealed-box";
import { openDatabase, type Database } from "../store/database";
import { createIssuingService, type LocalIssuingService } from "./issuing-service";

export interface ServiceConfig {
  /** LevelDB lives in `<dataDir>/db`. */
  dataDir: string;
  provider: Provider;
  chainId: number;
  registryAddress: Hex;
  rootAuthority: Signer;
  /** The agencies this node serves, each with the operator account that anchors for it. */
  operators: Record<string, Signer>;
  /** Encrypts the keys at rest. */
  passphrase: string;
  /** How new keys and the token secret are sealed (SEAL_CIPHER). Default AES-256-GCM. */
  sealCipher?: SealCipher;
  /** The suite of each served agency's first key (npm start: the civil-affairs bureau signs SM2). Default Ed25519. */
  keyAlgorithms?: Record<string, SignatureAlgorithm>;
  /** HS256 secret for bearer tokens; default: one generated on first start and kept (encrypted) in the database. */
  tokenSecret?: Uint8Array;
  batch?: { maxSize?: number; maxDelayMs?: number; finishSlice?: number };
  /** Worker threads signing batch requests (default 0: the main thread). */
  signingWorkers?: number;
  confirmations?: number;
  registryName?: string;
  /** Where the service is reachable; written into credentials (`iss`), type `vct`s and pending envelopes (where their proofs are). Default http://127.0.0.1:3000. */
  publicUrl?: string;
  /** The supervised chain's gate (npm start); default: the chain is always considered ready. */
  chainGate?: ChainGate;
  /** Deadline of chain reads such as verification (default 4 s). */
  chainTimeoutMs?: number;
  /** An already opened database at `<dataDir>/db` (server/issuing-node.ts opens it first to decide whether the registry may be deployed); closed with the service. */
  database?: Database;
  /** Test hooks only. */
  faults?: { crashAt?: "prepared" | "sent" | "finishing"; signingWorkerCrashOnRequest?: number };
}

export type Service = LocalIssuingService & { readonly db: Database; readonly keys: KeyStore; readonly tokenSecret: Uint8Array };

/** Kept across restarts so tokens handed out before a restart stay valid. */
async function loadTokenSecret(db: Database, passphrase: string, cipher?: SealCipher): Promise<Uint8Array> {
  const meta = db.sublevel<SealedBox>("meta");
  const stored = await meta.get("token-secret");
  if (stored) return new Uint8Array(open(stored, passphrase));
  const secret = randomBytes(32);
  await db.write([{ type: "put", sublevel: meta, key: "token-secret", value: seal(secret, passphrase, { cipher }) }]);
  return new Uint8Array(secret);
}

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
    for (const agency of Object.keys(config.operators)) {
      const algorithm = config.keyAlgorithms?.[agency];
      // An agency's suite is chosen once; later starts leave a later choice (a rotation's) alone.
      if (algorithm !== undefined && (await keys.keys(agency)).length === 0) await keys.chooseAlgorithm(agency, algorithm);
      // A wrong passphrase fails here; without a chain, a missing key is provisioned on first issue instead.
      if ((await keys.loadSigningKey(agency)) === undefined) await keys.ensureSigningKey(agency).catch(() => undefined);
    }
    const tokenSecret = config.tokenSecret ?? (await loadTokenSecret(db, config.passphrase, config.sealCipher));
    const service = await createIssuingService({
      db,
      chain: {
        provider: config.provider,
        registryAddress: config.registryAddress,
        chainId: config.chainId,
        rootAuthority: config.rootAuthority,
        operatorSignerFor: config.operators,
        registryName: config.registryName,
        gate: config.chainGate,
        timeoutMs: config.chainTimeoutMs,
      },
      keys,
      tokenSecret,
      batch: config.batch,
      signingWorkers: config.signingWorkers,
      confirmations: config.confirmations,
      publicUrl: config.publicUrl,
      faults: config.faults,
    });
    // Warm the accreditation cache while the chain is (probably) up, so issuing can go on
    // through a later outage. Best effort.
    await Promise.allSettled(Object.keys(config.operators).map((agency) => service.primeAccreditations(agency)));
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
