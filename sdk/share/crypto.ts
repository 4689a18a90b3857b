import { CompactEncrypt, compactDecrypt } from "jose";
import { parseEnvelope, type Envelope } from "../envelope/envelope";
import { CertchainError } from "../errors";
import { base64urlDecode, base64urlEncode, fromUtf8, utf8 } from "../lib/bytes";
import { MAX_SHARE_CIPHERTEXT, SHARE_CODES } from "./codes";

/** An encrypted presentation: the ciphertext goes to the share service, the key only into the link's fragment. */
export interface Share {
  /** JWE compact serialisation (alg `dir`, enc `A256GCM`): all the share service ever sees. */
  ciphertext: string;
  /** The 256-bit content key, base64url (43 characters): travels only in the link's fragment. */
  key: string;
}

const KEY_BYTES = 32;
const KEY_TEXT = /^[A-Za-z0-9_-]{43}$/;
// Pinned on both sides: a ciphertext naming another algorithm is refused before any key use.
const HEADER = { alg: "dir", enc: "A256GCM", cty: "certchain-envelope+json" } as const;

const decryptFailed = (cause?: unknown) => new CertchainError("SHARE_DECRYPT_FAILED", SHARE_CODES.SHARE_DECRYPT_FAILED, cause === undefined ? {} : { cause });

/** Decodes a link key; throws SHARE_DECRYPT_FAILED for anything but 32 bytes of base64url. */
export function decodeShareKey(key: string): Uint8Array {
  if (typeof key !== "string" || !KEY_TEXT.test(key)) throw decryptFailed();
  const bytes = base64urlDecode(key);
  // 43 characters hold 258 bits: the 2 spare bits must be zero, or two texts would name one key.
  if (bytes.length !== KEY_BYTES || base64urlEncode(bytes) !== key) throw decryptFailed();
  return bytes;
}

/**
 * Encrypts a presentation for a share link with a fresh random key (Web Crypto: Node and
 * browsers). Only `ciphertext` goes to the share service; `key` goes into the link's fragment.
 *
 * @throws CertchainError `FORMAT_MALFORMED` (not an envelope), `SHARE_TOO_LARGE`.
 * @example
 * const presentation = presentCredential(envelope, ["company_name", "domicile"]);
 * const { ciphertext, key } = await createShare(presentation);
 */
export async function createShare(presentation: Envelope | string): Promise<Share> {
  const envelope = parseEnvelope(presentation);
  const key = globalThis.crypto.getRandomValues(new Uint8Array(KEY_BYTES));
  const ciphertext = await new CompactEncrypt(utf8(JSON.stringify(envelope))).setProtectedHeader(HEADER).encrypt(key);
  if (ciphertext.length > MAX_SHARE_CIPHERTEXT) throw new CertchainError("SHARE_TOO_LARGE", SHARE_CODES.SHARE_TOO_LARGE, { details: { size: ciphertext.length, limit: MAX_SHARE_CIPHERTEXT } });
  return { ciphertext, key: base64urlEncode(key) };
}

/**
 * Decrypts a share's ciphertext with the key from its link and reads the envelope inside.
 *
 * @throws CertchainError `SHARE_DECRYPT_FAILED` (wrong key, altered ciphertext, other algorithms:
 * one fixed message for all), `FORMAT_MALFORMED` / `FORMAT_UNSUPPORTED_VERSION` (decrypted, but
 * not an envelope).
 * @example
 * const envelope = await openShare(ciphertext, key);
 */
export async function openShare(ciphertext: string, key: string): Promise<Envelope> {
  return parseEnvelope(await decryptShare(ciphertext, key));
}

/** The decrypted text of a share (not yet read as an envelope). Throws SHARE_DECRYPT_FAILED, FORMAT_MALFORMED. */
export async function decryptShare(ciphertext: string, key: string): Promise<string> {
  const secret = decodeShareKey(key);
  if (typeof ciphertext !== "string" || ciphertext.length > MAX_SHARE_CIPHERTEXT) throw decryptFailed();
  let plaintext: Uint8Array;
  try {
    ({ plaintext } = await compactDecrypt(ciphertext, secret, { keyManagementAlgorithms: ["dir"], contentEncryptionAlgorithms: ["A256GCM"] }));
  } catch (error) {
    throw decryptFailed(error);
  }
  try {
    return fromUtf8(plaintext);
  } catch {
    throw new CertchainError("FORMAT_MALFORMED", "the shared content is not UTF-8 text");
  }
}
