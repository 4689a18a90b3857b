import { sha256Base64url } from "../lib/hash";
import { sm3Base64url } from "../lib/sm3";
import { isDisclosureDigestAlgorithm, type DisclosureDigestAlgorithm } from "./algorithms";

/**
 * The hash functions of `_sd_alg` (RFC 9901 §4.1.1, IANA "Named Information Hash Algorithm"
 * names), each as base64url(hash(ASCII text)): disclosure digests and a key-binding JWT's
 * `sd_hash` are computed with the credential's `_sd_alg`. SM3 is the 国密 suite's (SM2 credentials).
 */
export const SD_HASH_ALGORITHMS: Readonly<Record<DisclosureDigestAlgorithm, (text: string) => string>> = {
  "sha-256": sha256Base64url,
  sm3: sm3Base64url,
};

/** The credential's `_sd_alg` (absent means sha-256, RFC 9901 §4.1.1), or undefined when this SDK has no such hash. */
export function sdHashFunctionOf(payload: Record<string, unknown>): ((text: string) => string) | undefined {
  const alg = payload._sd_alg ?? "sha-256";
  return isDisclosureDigestAlgorithm(alg) ? SD_HASH_ALGORITHMS[alg] : undefined;
}
