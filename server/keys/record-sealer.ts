import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Database } from "../store/database";
import { open, seal, type SealCipher, type SealedBox } from "./sealed-box";

/** Where the answers' key lives: a sealed box in `meta`, beside the token secret (a passphrase change re-seals it with them). */
export const ANSWER_KEY = { sublevel: "meta", key: "presentation-answer-key" } as const;

/** One record sealed: AES-256-GCM under the node's answer key, the record id bound as associated data. */
export interface SealedAnswer {
  iv: string;
  data: string;
}

/**
 * Seals departments' answers (disclosed claims) at rest: a key of 32 random bytes, itself sealed
 * under the passphrase and opened once at start (not one scrypt per record), encrypts each record
 * with a fresh IV and the record's id as associated data (a ciphertext moved to another record
 * does not open there).
 */
export async function loadRecordSealer(db: Database, passphrase: string, cipher?: SealCipher) {
  const meta = db.sublevel<SealedBox>(ANSWER_KEY.sublevel);
  let box = await meta.get(ANSWER_KEY.key);
  if (box === undefined) {
    box = seal(randomBytes(32), passphrase, { cipher });
    await db.write([{ type: "put", sublevel: meta, key: ANSWER_KEY.key, value: box }]);
  }
  const key = open(box, passphrase);
  return {
    seal(recordId: string, plaintext: string): SealedAnswer {
      const iv = randomBytes(12);
      const encrypt = createCipheriv("aes-256-gcm", key, iv).setAAD(Buffer.from(recordId, "utf8"));
      const data = Buffer.concat([encrypt.update(plaintext, "utf8"), encrypt.final(), encrypt.getAuthTag()]);
      return { iv: iv.toString("base64"), data: data.toString("base64") };
    },
    open(recordId: string, sealed: unknown): string {
      const { iv, data } = sealed as SealedAnswer;
      const bytes = Buffer.from(data, "base64");
      const decrypt = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64")).setAAD(Buffer.from(recordId, "utf8"));
      decrypt.setAuthTag(bytes.subarray(bytes.length - 16));
      return Buffer.concat([decrypt.update(bytes.subarray(0, bytes.length - 16)), decrypt.final()]).toString("utf8");
    },
  };
}
