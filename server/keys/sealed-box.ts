import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { isSealCipher, type SealCipher } from "../domain/seal-cipher";
import { deriveKey, rememberKey, sealingSalt, type ScryptCost } from "./derived-keys";

export { SEAL_CIPHERS, isSealCipher, type SealCipher } from "../domain/seal-cipher";
export { forgetDerivedKeys, scryptDerivations } from "./derived-keys";

/**
 * Secret bytes encrypted at rest under a key derived from the passphrase with scrypt, with a
 * fresh IV per record, so equal secrets never look alike on disk.
 *
 * The salt is recorded per box, but a process seals all its boxes under one salt per
 * (passphrase, cost, cipher) (derived-keys.ts: random, or that of a box it opened), so sealing N
 * keys, and opening them at the next start, runs scrypt once. That costs an attacker nothing: every box of a data directory is under
 * the same passphrase, so one broken box breaks them all whatever their salts, and a guess costs
 * one scrypt either way. One key for many boxes is safe: AES-256-GCM with random 96-bit IVs
 * stays within NIST's bound (2^32 messages per key) for far more boxes than a node holds, and
 * SM4-CBC with random IVs plus HMAC-SM3 (encrypt-then-MAC) has no per-key limit near that.
 * Boxes from before (a salt each) open as ever; the format is the same.
 */
export interface SealedBox {
  v: 1;
  /** Absent in boxes written before the SM4 option: AES-256-GCM. */
  cipher?: SealCipher;
  kdf: "scrypt";
  N: number;
  r: number;
  p: number;
  salt: string; // base64
  iv: string;
  /** The GCM tag, or the HMAC-SM3. */
  tag: string;
  data: string;
}

// scrypt at N=2^15 takes ~50-100 ms here: run once per salt in a process (derived-keys.ts),
// costly for anyone guessing passphrases against a stolen data directory.
const DEFAULT_COST = { N: 1 << 15, r: 8, p: 1 };

/** What the HMAC covers besides IV and ciphertext: every field that decides how the box opens. */
const macInput = (box: Omit<SealedBox, "tag">): Buffer =>
  Buffer.concat([Buffer.from(`certchain-sealed-box|${box.cipher}|${box.kdf}|${box.N}|${box.r}|${box.p}|${box.salt}|`), Buffer.from(box.iv, "base64"), Buffer.from(box.data, "base64")]);

/**
 * Encrypts `secret` under `passphrase`. `cipher` chooses for this box (configuration:
 * `SEAL_CIPHER`); opening follows the box's own record.
 */
export function seal(secret: Uint8Array, passphrase: string, options: { cipher?: SealCipher; cost?: ScryptCost } = {}): SealedBox {
  const cipher = options.cipher ?? "aes-256-gcm";
  const cost = options.cost ?? DEFAULT_COST;
  const salt = sealingSalt(passphrase, cost, cipher);
  if (cipher === "sm4-cbc-hmac-sm3") {
    // One derivation, two keys: 16 bytes for SM4, 32 for HMAC-SM3.
    const keys = deriveKey(passphrase, salt, cost, 48);
    rememberKey(passphrase, salt, cost, 48, keys, cipher);
    const iv = randomBytes(16);
    const encrypt = createCipheriv("sm4-cbc", keys.subarray(0, 16), iv);
    const data = Buffer.concat([encrypt.update(secret), encrypt.final()]);
    const box = { v: 1 as const, cipher, kdf: "scrypt" as const, ...cost, salt: salt.toString("base64"), iv: iv.toString("base64"), data: data.toString("base64") };
    return { ...box, tag: createHmac("sm3", keys.subarray(16)).update(macInput(box)).digest("base64") };
  }
  const key = deriveKey(passphrase, salt, cost, 32);
  rememberKey(passphrase, salt, cost, 32, key, cipher);
  const iv = randomBytes(12);
  const encrypt = createCipheriv("aes-256-gcm", key, iv);
  const data = Buffer.concat([encrypt.update(secret), encrypt.final()]);
  return { v: 1, cipher, kdf: "scrypt", ...cost, salt: salt.toString("base64"), iv: iv.toString("base64"), tag: encrypt.getAuthTag().toString("base64"), data: data.toString("base64") };
}

const damaged = (cause?: unknown) => new Error("cannot decrypt a stored key: wrong passphrase or damaged key store", { cause });

/** @throws Error when the passphrase is wrong or the record was altered (tag or MAC mismatch). */
export function open(box: SealedBox, passphrase: string): Buffer {
  const cipher = box.cipher ?? "aes-256-gcm";
  if (!isSealCipher(cipher)) throw new Error(`a stored key is sealed with ${JSON.stringify(cipher)}, which this version cannot open`);
  const salt = Buffer.from(box.salt, "base64");
  if (cipher === "sm4-cbc-hmac-sm3") {
    const keys = deriveKey(passphrase, salt, box, 48);
    const expected = createHmac("sm3", keys.subarray(16)).update(macInput({ ...box, cipher })).digest();
    const tag = Buffer.from(box.tag, "base64");
    // Checked before anything is decrypted (no padding oracle).
    if (tag.length !== expected.length || !timingSafeEqual(tag, expected)) throw damaged();
    const decrypt = createDecipheriv("sm4-cbc", keys.subarray(0, 16), Buffer.from(box.iv, "base64"));
    let secret: Buffer;
    try {
      secret = Buffer.concat([decrypt.update(Buffer.from(box.data, "base64")), decrypt.final()]);
    } catch (cause) {
      throw damaged(cause);
    }
    // Remembered only once the MAC proved the passphrase right.
    rememberKey(passphrase, salt, box, 48, keys, cipher);
    return secret;
  }
  let key: Buffer;
  let secret: Buffer;
  try {
    key = deriveKey(passphrase, salt, box, 32);
    const decrypt = createDecipheriv("aes-256-gcm", key, Buffer.from(box.iv, "base64"));
    decrypt.setAuthTag(Buffer.from(box.tag, "base64"));
    secret = Buffer.concat([decrypt.update(Buffer.from(box.data, "base64")), decrypt.final()]);
  } catch (cause) {
    throw damaged(cause);
  }
  rememberKey(passphrase, salt, box, 32, key, cipher);
  return secret;
}
