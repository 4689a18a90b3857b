import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Personal data at rest, one data key per record (envelope encryption): each record's bytes are
 * encrypted under a fresh random data key, and that key is stored beside them wrapped (encrypted)
 * under the node's personal-data key, which is itself sealed under the passphrase (the key store
 * holds it, keys/key-store.ts). Reading needs the passphrase; destroying one record's wrapped key
 * (erasure) leaves its ciphertext unreadable for ever, whoever holds the passphrase. The
 * personal-data key is opened once at start (one scrypt), not per record.
 *
 * Each record names its cipher, so records of either kind open whatever new ones use. The cipher
 * wraps the data key and encrypts the data; both bind the record's id (associated data), so a
 * ciphertext moved to another record does not open there.
 */
export interface AeadCipher {
  keyBytes: number;
  ivBytes: number;
  /** Ciphertext followed by the authentication tag. */
  encrypt(key: Buffer, iv: Buffer, plaintext: Buffer, aad: Buffer): Buffer;
  /** @throws Error when the tag does not verify. */
  decrypt(key: Buffer, iv: Buffer, sealed: Buffer, aad: Buffer): Buffer;
}

const GCM_TAG = 16;
const aes256Gcm: AeadCipher = {
  keyBytes: 32,
  ivBytes: 12,
  encrypt(key, iv, plaintext, aad) {
    const cipher = createCipheriv("aes-256-gcm", key, iv).setAAD(aad);
    return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  },
  decrypt(key, iv, sealed, aad) {
    if (sealed.length < GCM_TAG) throw new Error("ciphertext too short");
    const decipher = createDecipheriv("aes-256-gcm", key, iv).setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - GCM_TAG));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - GCM_TAG)), decipher.final()]);
  },
};

/**
 * SM4-CBC (GB/T 32907) then HMAC-SM3 (GB/T 32905) over the associated data, IV and ciphertext,
 * encrypt-then-MAC, as keys/sealed-box.ts seals with it (Node 20's OpenSSL has no SM4-GCM). The
 * key is 16 bytes for SM4 and 32 for the MAC.
 */
const SM3_TAG = 32;
const sm4CbcHmacSm3: AeadCipher = {
  keyBytes: 48,
  ivBytes: 16,
  encrypt(key, iv, plaintext, aad) {
    const cipher = createCipheriv("sm4-cbc", key.subarray(0, 16), iv);
    const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([data, sm3Tag(key, iv, data, aad)]);
  },
  decrypt(key, iv, sealed, aad) {
    if (sealed.length < SM3_TAG) throw new Error("ciphertext too short");
    const data = sealed.subarray(0, sealed.length - SM3_TAG);
    // Checked before anything is decrypted (no padding oracle).
    if (!timingSafeEqual(sealed.subarray(sealed.length - SM3_TAG), sm3Tag(key, iv, data, aad))) throw new Error("authentication failed");
    const decipher = createDecipheriv("sm4-cbc", key.subarray(0, 16), iv);
    return Buffer.concat([decipher.update(data), decipher.final()]);
  },
};

function sm3Tag(key: Buffer, iv: Buffer, data: Buffer, aad: Buffer): Buffer {
  const length = Buffer.alloc(8);
  length.writeBigUInt64BE(BigInt(aad.length));
  return createHmac("sm3", key.subarray(16, 48)).update(length).update(aad).update(iv).update(data).digest();
}

/**
 * The ciphers personal data can be sealed with, by the name records carry: the names of
 * keys/sealed-box.ts's SEAL_CIPHERS, which SEAL_CIPHER chooses from.
 */
export const DATA_CIPHERS = { "aes-256-gcm": aes256Gcm, "sm4-cbc-hmac-sm3": sm4CbcHmacSm3 } as const satisfies Record<string, AeadCipher>;
export type DataCipherName = keyof typeof DATA_CIPHERS;
export const isDataCipherName = (value: unknown): value is DataCipherName => typeof value === "string" && Object.hasOwn(DATA_CIPHERS, value);

/** One record's personal data as stored: its cipher, its data key wrapped under the node's key, and the ciphertext (base64). */
export interface SealedData {
  c: DataCipherName;
  /** The data key: IV, then the key encrypted under the node's key with its tag. */
  k: string;
  iv: string;
  d: string;
}

export interface PersonalDataCipher {
  /** Encrypts `plaintext` for the record `recordId` under a data key of its own. */
  seal(recordId: string, plaintext: string): SealedData;
  /** @throws Error when the record was altered, moved to another id, or sealed under another node's key. */
  open(recordId: string, sealed: SealedData): string;
  /** A keyed hash (HMAC-SHA256, hex) for values that must be compared but not read back (request bodies). */
  digest(purpose: string, data: string): string;
  /** A key of its own for `purpose`, derived from the node's key (HKDF-SHA256). */
  derivedKey(purpose: string, bytes?: number): Buffer;
}

const derive = (nodeKey: Uint8Array, purpose: string, bytes: number): Buffer => Buffer.from(hkdfSync("sha256", nodeKey, Buffer.alloc(0), `certchain ${purpose}`, bytes));

/**
 * A cipher over the node's personal-data key (32 random bytes). `cipher` chooses for new records;
 * any record opens with the cipher it names.
 */
export function createPersonalDataCipher(nodeKey: Uint8Array, cipher: DataCipherName = "aes-256-gcm"): PersonalDataCipher {
  if (!isDataCipherName(cipher)) throw new Error(`unknown personal-data cipher ${JSON.stringify(cipher)}`);
  // The key that wraps data keys, one per cipher (a key is never used by two algorithms).
  const wrappingKeys = new Map<DataCipherName, Buffer>();
  const wrappingKeyOf = (name: DataCipherName): Buffer => {
    let key = wrappingKeys.get(name);
    if (key === undefined) wrappingKeys.set(name, (key = derive(nodeKey, `personal data key wrapping ${name}`, DATA_CIPHERS[name].keyBytes)));
    return key;
  };
  const hmacKeys = new Map<string, Buffer>();

  return {
    seal(recordId, plaintext) {
      const aead = DATA_CIPHERS[cipher];
      const aad = Buffer.from(recordId, "utf8");
      // One call for the data key and both IVs.
      const random = randomBytes(aead.keyBytes + 2 * aead.ivBytes);
      const dataKey = random.subarray(0, aead.keyBytes);
      const keyIv = random.subarray(aead.keyBytes, aead.keyBytes + aead.ivBytes);
      const iv = random.subarray(aead.keyBytes + aead.ivBytes);
      const wrapped = Buffer.concat([keyIv, aead.encrypt(wrappingKeyOf(cipher), keyIv, dataKey, aad)]);
      const data = aead.encrypt(dataKey, iv, Buffer.from(plaintext, "utf8"), aad);
      dataKey.fill(0);
      return { c: cipher, k: wrapped.toString("base64"), iv: iv.toString("base64"), d: data.toString("base64") };
    },

    open(recordId, sealed) {
      if (!isDataCipherName(sealed?.c)) throw new Error(`a record is sealed with ${JSON.stringify(sealed?.c)}, which this version cannot open`);
      const aead = DATA_CIPHERS[sealed.c];
      const aad = Buffer.from(recordId, "utf8");
      const wrapped = Buffer.from(sealed.k, "base64");
      const dataKey = aead.decrypt(wrappingKeyOf(sealed.c), wrapped.subarray(0, aead.ivBytes), wrapped.subarray(aead.ivBytes), aad);
      try {
        return aead.decrypt(dataKey, Buffer.from(sealed.iv, "base64"), Buffer.from(sealed.d, "base64"), aad).toString("utf8");
      } finally {
        dataKey.fill(0);
      }
    },

    digest(purpose, data) {
      let key = hmacKeys.get(purpose);
      if (key === undefined) hmacKeys.set(purpose, (key = derive(nodeKey, `digest ${purpose}`, 32)));
      return createHmac("sha256", key).update(data, "utf8").digest("hex");
    },

    derivedKey: (purpose, bytes = 32) => derive(nodeKey, purpose, bytes),
  };
}
