import { ALLOWED_ALGORITHMS, agencyIssuerUrl, kidFromKeyId, publicJwkOf, type SignatureAlgorithm } from "@certchain/sdk/internal";
import type { RegistryReads } from "../chain/registry-reads";
import { apiError } from "../errors";

/** JWT VC Issuer Metadata (draft-ietf-oauth-sd-jwt-vc): the issuer and its keys as a JWK Set. */
export interface IssuerMetadata {
  issuer: string;
  jwks: { keys: Record<string, string>[] };
}

// A verifier flood must not become a chain flood; keys change rarely (rotation, revocation).
const CACHE_MS = 5_000;

const algorithmOf = (value: number): SignatureAlgorithm | undefined =>
  (Object.keys(ALLOWED_ALGORITHMS) as SignatureAlgorithm[]).find((alg) => ALLOWED_ALGORITHMS[alg] === value);

/**
 * The keys a standard SD-JWT VC verifier resolves from an agency's `iss`, read from the registry
 * (not from this service's key store: the registry is what our SDK trusts too). Retired keys stay
 * listed, so certificates signed before a rotation keep verifying; revoked keys are left out,
 * since a verifier without anchor times cannot tell what was signed before the compromise.
 */
export function createIssuerMetadataReader(options: { registry: RegistryReads; publicUrl: string; now?: () => number }) {
  const { registry } = options;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; value: Promise<IssuerMetadata> }>();

  async function read(slug: string): Promise<IssuerMetadata> {
    let agency, keys;
    try {
      [agency, keys] = await Promise.all([registry.agency(slug), registry.signingKeys(slug)]);
    } catch {
      throw apiError("CHAIN_UNAVAILABLE");
    }
    if (!agency.registered) throw apiError("AGENCY_NOT_FOUND");
    return {
      issuer: agencyIssuerUrl(options.publicUrl, slug),
      jwks: {
        keys: keys.flatMap((key) => {
          const alg = algorithmOf(key.alg);
          if (!alg || key.revoked) return [];
          return [{ ...publicJwkOf({ alg, publicKey: key.publicKey }), kid: kidFromKeyId(key.keyId), alg, use: "sig" }];
        }),
      },
    };
  }

  return {
    metadataOf(slug: string): Promise<IssuerMetadata> {
      const cached = cache.get(slug);
      if (cached && now() - cached.at < CACHE_MS) return cached.value;
      const value = read(slug);
      cache.set(slug, { at: now(), value });
      value.catch(() => cache.delete(slug));
      return value;
    },
    /** Drops cached keys, after this service rotated them. */
    forget: (slug: string) => void cache.delete(slug),
  };
}

export type IssuerMetadataReader = ReturnType<typeof createIssuerMetadataReader>;
