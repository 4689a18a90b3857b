import { createCipheriv, createDecipheriv, createHmac, randomBytes, scryptSync, timingSafeEqual } from "node:crypto";
import { isSealCipher, type SealCipher } from "../domain/seal-cipher";

export { SEAL_CIPHERS, isSealCipher, type SealCipher } from "../domain/seal-cipher";

/**
 * Secret bytes encrypted at rest under a key derived from the passphrase with scrypt, fresh
 * salt and IV per record, so equal secrets never look alike on disk and one record's key says
 * nothing about another's.
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

// scrypt at N=2^15 takes ~50 ms here: negligible for a handful of keys read at start-up,
// costly for anyone guessing passphrases against a stolen data directory.
const DEFAULT_COST = { N: 1 << 15, r: 8, p: 1 };
const MAXMEM = 256 * 1024 * 1024;
type Cost = { N: number; r: number; p: number };

const derive = (passphrase: string, salt: Buffer, cost: Cost, length: number): Buffer =>
  scryptSync(passphrase.normalize("NFC"), salt, length, { ...cost, maxmem: MAXMEM });

/** What the HMAC covers besides IV and ciphertext: every field that decides how the box opens. */
const macInput = (box: Omit<SealedBox, "tag">): Buffer =>
  Buffer.concat([Buffer.from(`certchain-sealed-box|${box.cipher}|${box.kdf}|${box.N}|${box.r}|${box.p}|${box.salt}|`), Buffer.from(box.iv, "base64"), Buffer.from(box.data, "base64")]);

/**
 * Encrypts `secret` under `passphrase`. `cipher` chooses for this box (configuration:
 * `SEAL_CIPHER`); opening follows the box's own record.
 */
export function seal(secret: Uint8Array, passphrase: string, options: { cipher?: SealCipher; cost?: Cost } = {}): SealedBox {
  const cipher = options.cipher ?? "aes-256-gcm";
  const cost = options.cost ?? DEFAULT_COST;
  const salt = randomBytes(16);
  if (cipher === "sm4-cbc-hmac-sm3") {
    // One derivation, two keys: 16 bytes for SM4, 32 for HMAC-SM3.
    const keys = derive(passphrase, salt, cost, 48);
    const iv = randomBytes(16);
    const encrypt = createCipheriv("sm4-cbc", keys.subarray(0, 16), iv);
    const data = Buffer.concat([encrypt.update(secret), encrypt.final()]);
    const box = { v: 1 as const, cipher, kdf: "scrypt" as const, ...cost, salt: salt.toString("base64"), iv: iv.toString("base64"), data: data.toString("base64") };
    return { ...box, tag: createHmac("sm3", keys.subarray(16)).update(macInput(box)).digest("base64") };
  }
  const iv = randomBytes(12);
  const encrypt = createCipheriv("aes-256-gcm", derive(passphrase, salt, cost, 32), iv);
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
    const keys = derive(passphrase, salt, box, 48);
    const expected = createHmac("sm3", keys.subarray(16)).update(macInput({ ...box, cipher })).digest();
    const tag = Buffer.from(box.tag, "base64");
    // Checked before anything is decrypted (no padding oracle).
    if (tag.length !== expected.length || !timingSafeEqual(tag, expected)) throw damaged();
    const decrypt = createDecipheriv("sm4-cbc", keys.subarray(0, 16), Buffer.from(box.iv, "base64"));
    try {
      return Buffer.concat([decrypt.update(Buffer.from(box.data, "base64")), decrypt.final()]);
    } catch (cause) {
      throw damaged(cause);
    }
  }
  try {
    const decrypt = createDecipheriv("aes-256-gcm", derive(passphrase, salt, box, 32), Buffer.from(box.iv, "base64"));
    decrypt.setAuthTag(Buffer.from(box.tag, "base64"));
    return Buffer.concat([decrypt.update(Buffer.from(box.data, "base64")), decrypt.final()]);
  } catch (cause) {
    throw damaged(cause);
  }
}
