import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto";

/**
 * Secret bytes encrypted at rest: AES-256-GCM under a key derived from the passphrase with
 * scrypt, fresh salt and IV per record, so equal secrets never look alike on disk and one
 * record's key says nothing about another's.
 */
export interface SealedBox {
  v: 1;
  kdf: "scrypt";
  N: number;
  r: number;
  p: number;
  salt: string; // base64
  iv: string;
  tag: string;
  data: string;
}

// scrypt at N=2^15 takes ~50 ms here: negligible for a handful of keys read at start-up,
// costly for anyone guessing passphrases against a stolen data directory.
const DEFAULT_COST = { N: 1 << 15, r: 8, p: 1 };
const MAXMEM = 256 * 1024 * 1024;

const derive = (passphrase: string, salt: Buffer, cost: { N: number; r: number; p: number }): Buffer =>
  scryptSync(passphrase.normalize("NFC"), salt, 32, { ...cost, maxmem: MAXMEM });

export function seal(secret: Uint8Array, passphrase: string, cost = DEFAULT_COST): SealedBox {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", derive(passphrase, salt, cost), iv);
  const data = Buffer.concat([cipher.update(secret), cipher.final()]);
  return { v: 1, kdf: "scrypt", ...cost, salt: salt.toString("base64"), iv: iv.toString("base64"), tag: cipher.getAuthTag().toString("base64"), data: data.toString("base64") };
}

/** @throws Error when the passphrase is wrong or the record was altered (GCM tag mismatch). */
export function open(box: SealedBox, passphrase: string): Buffer {
  const decipher = createDecipheriv("aes-256-gcm", derive(passphrase, Buffer.from(box.salt, "base64"), box), Buffer.from(box.iv, "base64"));
  decipher.setAuthTag(Buffer.from(box.tag, "base64"));
  try {
    return Buffer.concat([decipher.update(Buffer.from(box.data, "base64")), decipher.final()]);
  } catch (cause) {
    throw new Error("cannot decrypt a stored key: wrong passphrase or damaged key store", { cause });
  }
}
