/**
 * Format v1 credentials name their issuer `urn:certchain:agency:<slug>`; format v2 credentials
 * an https URL ending `/agencies/<slug>` under the service's public URL, so that a standard SD-JWT
 * VC verifier finds the keys at `/.well-known/jwt-vc-issuer` (docs/format-v2.md). Either way the
 * registry keys the agency by keccak256(slug), and our SDK trusts the registry, not the origin.
 */
const PREFIX = "urn:certchain:agency:";
const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;
const AGENCY_URL = /^https?:\/\/[^/?#@\s]+(?:\/[^?#\s]*)?\/agencies\/([a-z0-9][a-z0-9-]{0,63})$/;

/** The `iss` of an agency's format v1 credentials: `urn:certchain:agency:<slug>`. */
export const issuerUriOf = (slug: string): string => PREFIX + slug;

/**
 * The `iss` of an agency's format v2 credentials: `<publicUrl>/agencies/<slug>`.
 *
 * @example
 * agencyIssuerUrl("https://certs.example.gov.cn", "sh-amr"); // "https://certs.example.gov.cn/agencies/sh-amr"
 */
export const agencyIssuerUrl = (publicUrl: string, slug: string): string => `${publicUrl.replace(/\/+$/, "")}/agencies/${slug}`;

/** The agency slug an `iss` names (a v1 URN or a v2 agency URL), or undefined when it is neither. */
export function agencySlugOf(iss: unknown): string | undefined {
  if (typeof iss !== "string" || iss.length > 2048) return undefined;
  if (iss.startsWith(PREFIX)) {
    const slug = iss.slice(PREFIX.length);
    return SLUG.test(slug) ? slug : undefined;
  }
  return AGENCY_URL.exec(iss)?.[1];
}

/**
 * Where JWT VC Issuer Metadata lives for an https `iss` (draft-ietf-oauth-sd-jwt-vc): the
 * well-known segment goes between host and path, after dropping a trailing `/`.
 *
 * @example
 * jwtVcIssuerMetadataUrl("https://certs.example.gov.cn/agencies/sh-amr");
 * // "https://certs.example.gov.cn/.well-known/jwt-vc-issuer/agencies/sh-amr"
 */
export function jwtVcIssuerMetadataUrl(iss: string): string {
  const url = new URL(iss);
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.origin}/.well-known/jwt-vc-issuer${path}`;
}
