/**
 * The signature algorithms a credential may use. Anything else (`none`, HS256, RS256 …) is
 * refused before any key is looked at. The numbers are the contract's `KeyAlgorithm` values.
 */
export const ALLOWED_ALGORITHMS = { EdDSA: 1, ES256: 2 } as const;

/** A JWS `alg` a credential may be signed with: `EdDSA` (Ed25519) or `ES256` (P-256). */
export type SignatureAlgorithm = keyof typeof ALLOWED_ALGORITHMS;

export const isAllowedAlgorithm = (alg: unknown): alg is SignatureAlgorithm =>
  typeof alg === "string" && Object.prototype.hasOwnProperty.call(ALLOWED_ALGORITHMS, alg);

export function algorithmFromChain(value: number): SignatureAlgorithm | undefined {
  return (Object.keys(ALLOWED_ALGORITHMS) as SignatureAlgorithm[]).find((alg) => ALLOWED_ALGORITHMS[alg] === value);
}
