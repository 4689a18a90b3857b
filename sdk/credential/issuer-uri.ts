/**
 * Credentials name their issuer as `urn:certchain:agency:<slug>`; the registry stores the slug and
 * keys the agency by keccak256(slug).
 */
const PREFIX = "urn:certchain:agency:";

/** The `iss` of an agency's credentials: `urn:certchain:agency:<slug>`. */
export const issuerUriOf = (slug: string): string => PREFIX + slug;

/** The agency slug an `iss` names, or undefined when it is not a certchain agency URI. */
export function agencySlugOf(iss: unknown): string | undefined {
  if (typeof iss !== "string" || !iss.startsWith(PREFIX)) return undefined;
  const slug = iss.slice(PREFIX.length);
  return /^[a-z0-9][a-z0-9-]{0,63}$/.test(slug) ? slug : undefined;
}
