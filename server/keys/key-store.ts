import { createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import { Wallet } from "ethers";
import { keyIdOf, type CredentialSigner, type Hex, type SignatureAlgorithm } from "@certchain/sdk";
import type { RegistryAdmin } from "../chain/registry-admin";
import type { Database, WriteOp } from "../store/database";
import { createNodeSigner, rawPublicKeyOf } from "./node-signer";
import { open, seal, type SealCipher, type SealedBox } from "./sealed-box";

interface StoredSigningKey {
  agency: string;
  keyId: Hex;
  state: "active" | "retired";
  createdAt: string;
  retiredAt?: string;
  privateKey: SealedBox; // PKCS#8 DER
}

/** An operator account's key, keyed by its address (lowercase): an agency may have had several. */
interface StoredWallet {
  agency: string;
  address: string;
  createdAt?: string;
  privateKey: SealedBox; // 32 bytes
}

/** `privateKey` goes to the signing pool's worker threads (same process), never elsewhere. */
export type ActiveSigner = CredentialSigner & { alg: SignatureAlgorithm; keyId: Hex; privateKey: KeyObject };

export interface KeyStoreOptions {
  db: Database;
  passphrase: string;
  /** How new keys and wallets are sealed (old ones open either way). Default AES-256-GCM. */
  sealCipher?: SealCipher;
  /** Root-authority writes; needed to provision and rotate keys, not to sign. */
  admin?: RegistryAdmin;
  now?: () => number;
}

/** Where the personal-data key is kept: a sealed box in the `meta` sublevel, beside the token secret. */
export const PERSONAL_DATA_KEY = { sublevel: "meta", key: "personal-data-key" } as const;

/**
 * A fresh private key of a suite: Ed25519, P-256, or SM2 (stored, like the others, as PKCS#8: the
 * SM2 curve's OID inside; it signs through the SDK, see node-signer.ts).
 */
export function generateSigningKey(algorithm: SignatureAlgorithm): KeyObject {
  if (algorithm === "EdDSA") return generateKeyPairSync("ed25519").privateKey;
  return generateKeyPairSync("ec", { namedCurve: algorithm === "SM2" ? "SM2" : "P-256" }).privateKey;
}

/**
 * Per-agency credential signing keys and operator wallets, generated here and stored encrypted
 * at rest, and the node's personal-data key (lib/personal-data-cipher.ts). Keys are decrypted
 * once into memory (signing is the issuing hot path).
 *
 * What is sealed under the passphrase (what a passphrase change seals again and a key backup
 * carries: keys/sealed-records.ts finds every sealed box in SEALED_SUBLEVELS): every
 * `signing-keys` record's `privateKey`, every `operator-wallets` record's `privateKey`, and in
 * `meta` the `token-secret` and `personal-data-key` boxes. Certificates' data keys are wrapped
 * under the personal-data key, not the passphrase: they need no re-sealing.
 */
export function createKeyStore(options: KeyStoreOptions) {
  const { db, passphrase, admin } = options;
  const sealing = { cipher: options.sealCipher };
  const now = options.now ?? Date.now;
  const signingKeys = db.sublevel<StoredSigningKey>("signing-keys");
  const wallets = db.sublevel<StoredWallet>("operator-wallets");
  // The bearer tokens' secret and the personal-data key.
  const meta = db.sublevel<SealedBox>(PERSONAL_DATA_KEY.sublevel);
  let personalDataKey: Promise<Uint8Array> | undefined;
  // The suite an agency's keys are made in, as its registration (or last rotation) chose.
  const algorithms = db.sublevel<SignatureAlgorithm>("key-algorithms");
  const chosenAlgorithm = async (agency: string): Promise<SignatureAlgorithm> => (await algorithms.get(agency)) ?? "EdDSA";
  const active = new Map<string, ActiveSigner>();

  const signerOf = (privateKey: KeyObject): ActiveSigner => {
    const signer = createNodeSigner(privateKey);
    return { ...signer, keyId: keyIdOf(rawPublicKeyOf(privateKey)).keyId, privateKey };
  };

  async function storedKeys(agency: string): Promise<StoredSigningKey[]> {
    return signingKeys.values({ gt: `${agency}!`, lt: `${agency}!\xff` }).all();
  }

  /** A new key of `algorithm` and the write that stores it (sealed, active). */
  function generateKey(agency: string, algorithm: SignatureAlgorithm): { signer: ActiveSigner; ops: WriteOp[] } {
    const privateKey = generateSigningKey(algorithm);
    const signer = signerOf(privateKey);
    const record: StoredSigningKey = {
      agency,
      keyId: signer.keyId,
      state: "active",
      createdAt: new Date(now()).toISOString(),
      privateKey: seal(privateKey.export({ format: "der", type: "pkcs8" }), passphrase, sealing),
    };
    return { signer, ops: [{ type: "put", sublevel: signingKeys, key: `${agency}!${signer.keyId}`, value: record }] };
  }

  /** Generates a key, registers it on chain, then stores it. A crash in between leaves only an unused public key on chain. */
  async function createKey(agency: string, algorithm: SignatureAlgorithm): Promise<ActiveSigner> {
    if (admin === undefined) throw new Error("the key store needs the registry admin to register keys");
    const { signer, ops } = generateKey(agency, algorithm);
    await admin.addSigningKey(agency, rawPublicKeyOf(signer.privateKey));
    await db.write(ops);
    return signer;
  }

  return {
    /** The signer new certificates of `agency` use, if it has a key. */
    activeSigner: (agency: string): ActiveSigner | undefined => active.get(agency),

    /** Loads the agency's stored active key, if any. @throws Error on a wrong passphrase. */
    async loadSigningKey(agency: string): Promise<ActiveSigner | undefined> {
      const loaded = active.get(agency);
      if (loaded) return loaded;
      const current = (await storedKeys(agency)).filter((k) => k.state === "active").sort((a, b) => a.createdAt.localeCompare(b.createdAt)).pop();
      if (current === undefined) return undefined;
      const signer = signerOf(createPrivateKey({ key: open(current.privateKey, passphrase), format: "der", type: "pkcs8" }));
      active.set(agency, signer);
      return signer;
    },

    /** Records the suite the agency's keys are made in from now on (its first key, rotations). */
    async chooseAlgorithm(agency: string, algorithm: SignatureAlgorithm): Promise<void> {
      await db.write([{ type: "put", sublevel: algorithms, key: agency, value: algorithm }]);
    },

    /** The suite the agency's next key will be made in: as chosen, else Ed25519. */
    algorithmOf: chosenAlgorithm,

    /** Loads the agency's active key, or provisions one (chain needed then) of `algorithm`, else of the chosen suite. */
    async ensureSigningKey(agency: string, algorithm?: SignatureAlgorithm): Promise<ActiveSigner> {
      const loaded = await this.loadSigningKey(agency);
      if (loaded) return loaded;
      const signer = await createKey(agency, algorithm ?? (await chosenAlgorithm(agency)));
      active.set(agency, signer);
      return signer;
    },

    /**
     * Step one of a rotation: a new key is registered and used from now on. The caller retires
     * the old ones (`retire`) once every certificate they signed is anchored.
     */
    async replaceSigningKey(agency: string, algorithm?: SignatureAlgorithm): Promise<{ signer: ActiveSigner; previous: Hex[] }> {
      const previous = (await storedKeys(agency)).filter((k) => k.state === "active").map((k) => k.keyId);
      // Without a choice, the new key keeps the suite of the one in use.
      const suite = algorithm ?? (await this.loadSigningKey(agency))?.alg ?? (await chosenAlgorithm(agency));
      const signer = await createKey(agency, suite);
      if (algorithm !== undefined) await db.write([{ type: "put", sublevel: algorithms, key: agency, value: algorithm }]);
      active.set(agency, signer);
      return { signer, previous: previous.filter((id) => id !== signer.keyId) };
    },

    /** Step two: retire on chain from `validUntil` (seconds) and mark retired here. */
    async retire(agency: string, keyIds: readonly Hex[], validUntil: number): Promise<void> {
      if (admin === undefined) throw new Error("the key store needs the registry admin to retire keys");
      for (const keyId of keyIds) {
        await admin.retireSigningKey(keyId, validUntil);
        const stored = await signingKeys.get(`${agency}!${keyId}`);
        if (stored) {
          await db.write([{ type: "put", sublevel: signingKeys, key: `${agency}!${keyId}`, value: { ...stored, state: "retired", retiredAt: new Date(now()).toISOString() } }]);
        }
      }
    },

    /** Every key the agency ever had, with its public key (to register them again on a redeployed registry). */
    async publicKeys(agency: string): Promise<{ keyId: Hex; state: "active" | "retired"; createdAt: string; publicKey: ReturnType<typeof rawPublicKeyOf> }[]> {
      return (await storedKeys(agency)).map((k) => ({
        keyId: k.keyId,
        state: k.state,
        createdAt: k.createdAt,
        publicKey: rawPublicKeyOf(createPrivateKey({ key: open(k.privateKey, passphrase), format: "der", type: "pkcs8" })),
      }));
    },

    async keys(agency: string): Promise<{ keyId: Hex; state: string; createdAt: string }[]> {
      return (await storedKeys(agency)).map(({ keyId, state, createdAt }) => ({ keyId, state, createdAt }));
    },

    /** How new secrets are sealed (SEAL_CIPHER); personal data is encrypted with the same cipher. */
    sealCipher: options.sealCipher ?? ("aes-256-gcm" as SealCipher),

    /**
     * The node's personal-data key (32 bytes): opened once, created (random) and stored sealed
     * on first use. Every certificate's data key is wrapped under it. @throws Error on a wrong passphrase.
     */
    personalDataKey(): Promise<Uint8Array> {
      personalDataKey ??= (async () => {
        const stored = await meta.get(PERSONAL_DATA_KEY.key);
        if (stored) return new Uint8Array(open(stored, passphrase));
        const key = randomBytes(32);
        await db.write([{ type: "put", sublevel: meta, key: PERSONAL_DATA_KEY.key, value: seal(key, passphrase, sealing) }]);
        return new Uint8Array(key);
      })();
      personalDataKey.catch(() => (personalDataKey = undefined));
      return personalDataKey;
    },

    /**
     * A first signing key for an agency being registered, not on chain yet: the caller writes
     * `ops` with its own record, then registers the key (`registerActiveKey`).
     */
    newSigningKey(agency: string, algorithm: SignatureAlgorithm = "EdDSA"): { keyId: Hex; ops: WriteOp[] } {
      const { signer, ops } = generateKey(agency, algorithm);
      return { keyId: signer.keyId, ops: [...ops, { type: "put", sublevel: algorithms, key: agency, value: algorithm }] };
    },

    /** The public key of the agency's active key, for the registry. */
    async activePublicKey(agency: string): Promise<ReturnType<typeof rawPublicKeyOf> | undefined> {
      return (await this.loadSigningKey(agency)) ? rawPublicKeyOf(active.get(agency)!.privateKey) : undefined;
    },

    /** The agencies that have signing keys here (a data directory of an earlier release knows its agencies only so). */
    async agenciesWithKeys(): Promise<string[]> {
      return [...new Set((await signingKeys.values().all()).map((k) => k.agency))];
    },

    /**
     * A fresh operator account for an agency: a random key, sealed, stored by address. Nothing
     * is written until the caller writes `ops` (with the record that names the account).
     */
    newOperatorKey(agency: string): { address: string; ops: WriteOp[] } {
      const wallet = Wallet.createRandom();
      const address = wallet.address;
      const record: StoredWallet = { agency, address, createdAt: new Date(now()).toISOString(), privateKey: seal(Buffer.from(wallet.privateKey.slice(2), "hex"), passphrase, sealing) };
      return { address, ops: [{ type: "put", sublevel: wallets, key: address.toLowerCase(), value: record }] };
    },

    /** The writes that delete an agency's signing keys and the given operator accounts' keys (a registration undone: none was ever registered). */
    async deleteAgencyKeysOps(agency: string, operators: readonly string[]): Promise<WriteOp[]> {
      active.delete(agency);
      const signing: WriteOp[] = (await storedKeys(agency)).map((k) => ({ type: "del", sublevel: signingKeys, key: `${agency}!${k.keyId}` }));
      return [...signing, ...operators.map((address): WriteOp => ({ type: "del", sublevel: wallets, key: address.toLowerCase() }))];
    },

    /** The private key (0x hex) of an operator account held here; undefined for any other. */
    async operatorKey(address: string): Promise<string | undefined> {
      const stored = await wallets.get(address.toLowerCase());
      return stored ? `0x${open(stored.privateKey, passphrase).toString("hex")}` : undefined;
    },

    /**
     * The HS256 secret of bearer tokens: generated on first use and kept sealed, so tokens
     * handed out before a restart stay valid. @throws Error on a wrong passphrase.
     */
    async tokenSecret(): Promise<Uint8Array> {
      const stored = await meta.get("token-secret");
      if (stored) return new Uint8Array(open(stored, passphrase));
      const secret = randomBytes(32);
      await db.write([{ type: "put", sublevel: meta, key: "token-secret", value: seal(secret, passphrase, sealing) }]);
      return new Uint8Array(secret);
    },
  };
}

export type KeyStore = ReturnType<typeof createKeyStore>;
