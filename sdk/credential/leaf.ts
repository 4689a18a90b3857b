import type { Hex } from "../lib/bytes";
import { sha256Hex } from "../lib/hash";

/** The issuer-signed JWT: everything before the first `~`. */
export const issuerSignedJwtOf = (sdJwt: string): string => {
  const end = sdJwt.indexOf("~");
  return end === -1 ? sdJwt : sdJwt.slice(0, end);
};

/**
 * The Merkle leaf of a credential: SHA-256 of its issuer-signed JWT. Presentations keep that part
 * unchanged whatever they disclose, so one anchor proof serves every presentation.
 *
 * @example
 * const leaf = credentialLeaf(sdJwt); // "0x…" (32 bytes)
 */
export const credentialLeaf = (sdJwt: string): Hex => sha256Hex(issuerSignedJwtOf(sdJwt));
