import { createHash, randomBytes } from "node:crypto";
import { creditCodeCheckCharacter } from "@certchain/sdk";

/**
 * Certificate ids: opaque and URL-safe, but starting with the time in base 36 so that LevelDB's
 * key order (the pending index) is roughly acceptance order. The random part is unguessable.
 */
export const newCertificateId = (at: number): string => `${at.toString(36).padStart(9, "0")}${randomPart()}`;

const RANDOM_BYTES = 12;
const POOL_BYTES = RANDOM_BYTES * 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

// One randomBytes call per 4,096 ids: a call per id cost more than the rest of the id. Each
// byte is used once, so ids stay as unguessable as before.
function randomPart(): string {
  if (poolOffset + RANDOM_BYTES > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  return pool.toString("base64url", poolOffset, (poolOffset += RANDOM_BYTES));
}

const CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/**
 * A unified social credit code for a demo agency, derived from its slug: well formed, with a
 * right check character, and recognisable as made up ("Y1" other registration authority,
 * division 000000). Real agencies register their real code.
 *
 * @example
 * derivedCreditCode("sh-amr"); // "Y1000000…" (18 characters)
 */
export function derivedCreditCode(slug: string): string {
  const digest = createHash("sha256").update(`certchain-credit-code:${slug}`, "utf8").digest();
  const first17 = `Y1000000${Array.from(digest.subarray(0, 9), (byte) => CREDIT_CODE_ALPHABET[byte % 31]).join("")}`;
  return first17 + creditCodeCheckCharacter(first17);
}

/** Certificate-number serials are zero-padded so they sort and read alike. */
export const formatSerial = (n: number): string => String(n).padStart(10, "0");
