/**
 * The signature algorithms a credential may use. Anything else (`none`, HS256, RS256 …) is
 * refused before any key is looked at. The numbers are the contract's `KeyAlgorithm` values.
 * `SM2` is the JOSE `alg` of draft-dang-webauthn-sm2 (SM2 signatures with SM3, GB/T 32918).
 */
export const ALLOWED_ALGORITHMS = { EdDSA: 1, ES256: 2, SM2: 3 } as const;

/** A JWS `alg` a credential may be signed with: `EdDSA` (Ed25519), `ES256` (P-256) or `SM2` (SM2 with SM3, 国密). */
export type SignatureAlgorithm = keyof typeof ALLOWED_ALGORITHMS;

export const isAllowedAlgorithm = (alg: unknown): alg is SignatureAlgorithm =>
  typeof alg === "string" && Object.prototype.hasOwnProperty.call(ALLOWED_ALGORITHMS, alg);

export function algorithmFromChain(value: number): SignatureAlgorithm | undefined {
  return (Object.keys(ALLOWED_ALGORITHMS) as SignatureAlgorithm[]).find((alg) => ALLOWED_ALGORITHMS[alg] === value);
}

/**
 * The SD-JWT disclosure digests (`_sd_alg`) a credential may use: SHA-256, and SM3 for 国密
 * credentials. Verification follows the credential's own `_sd_alg` (it is signed).
 */
export const DISCLOSURE_DIGEST_ALGORITHMS = ["sha-256", "sm3"] as const;
/** An SD-JWT `_sd_alg` a credential may use: `sha-256`, or `sm3` (国密, the digest of SM2 credentials). */
export type DisclosureDigestAlgorithm = (typeof DISCLOSURE_DIGEST_ALGORITHMS)[number];

export const isDisclosureDigestAlgorithm = (alg: unknown): alg is DisclosureDigestAlgorithm =>
  alg === "sha-256" || alg === "sm3";

/** The `_sd_alg` a credential signed with `alg` is issued with: SM3 beside SM2 (one suite), else SHA-256. */
export const disclosureDigestAlgorithmFor = (alg: SignatureAlgorithm): DisclosureDigestAlgorithm => (alg === "SM2" ? "sm3" : "sha-256");
