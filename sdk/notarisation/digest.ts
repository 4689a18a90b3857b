// The one-shot digest goes through lib/hash like every other hash in the SDK; the incremental
// hasher needs noble's streaming interface, which lib/hash does not expose.
import { sha256 as sha256Stream } from "@noble/hashes/sha2.js";
import { CertchainError } from "../errors";
import { toHex } from "../lib/bytes";
import { sha256 } from "../lib/hash";

/** The notarisation type's spelling of a SHA-256 digest: 64 lowercase hex digits, no `0x`. */
export const DOCUMENT_DIGEST_PATTERN = /^[0-9a-f]{64}$/;
export const DOCUMENT_DIGEST_ALGORITHM = "sha-256";

const asBytes = (input: unknown): Uint8Array | undefined =>
  input instanceof Uint8Array ? input : input instanceof ArrayBuffer ? new Uint8Array(input) : undefined;

const hexOf = (digest: Uint8Array): string => toHex(digest).slice(2);

/**
 * The digest a notarisation receipt records for a document: SHA-256, lowercase hex. The same in
 * Node and browsers (noble, no `node:crypto`), so a holder's page and a notary's CLI agree.
 *
 * @throws CertchainError `DOCUMENT_INVALID` when `bytes` is not a Uint8Array or ArrayBuffer.
 * @example
 * const digest = digestOfDocument(new Uint8Array(await file.arrayBuffer()));
 * // "56dc643d…7fa81"
 */
export function digestOfDocument(bytes: Uint8Array | ArrayBuffer): string {
  const data = asBytes(bytes);
  if (!data) throw new CertchainError("DOCUMENT_INVALID", "the document must be given as bytes (Uint8Array or ArrayBuffer)");
  return hexOf(sha256(data));
}

/**
 * Incremental form of {@link digestOfDocument}, for documents read in chunks (a browser
 * `ReadableStream`, a Node file stream) so a large file never sits in memory whole.
 *
 * @example
 * const hasher = createDocumentHasher();
 * for await (const chunk of file.stream()) hasher.update(chunk);
 * hasher.digest(); // same as digestOfDocument(whole file)
 */
export function createDocumentHasher(): {
  /** Adds the next chunk of the document. */
  update(chunk: Uint8Array): void;
  /** The digest of everything added, as {@link digestOfDocument} spells it. */
  digest(): string;
  /** Bytes added so far. */
  readonly size: number;
} {
  const state = sha256Stream.create();
  let size = 0;
  return {
    update(chunk) {
      const data = asBytes(chunk);
      if (!data) throw new CertchainError("DOCUMENT_INVALID", "document chunks must be Uint8Array");
      state.update(data);
      size += data.length;
    },
    digest: () => hexOf(state.digest()),
    get size() {
      return size;
    },
  };
}

/**
 * A digest as given by a caller, in the receipt's spelling: accepts upper case and a `0x`
 * prefix; anything else is `undefined`.
 */
export function normaliseDocumentDigest(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const body = (value.startsWith("0x") || value.startsWith("0X") ? value.slice(2) : value).toLowerCase();
  return DOCUMENT_DIGEST_PATTERN.test(body) ? body : undefined;
}
