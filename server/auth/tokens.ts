import { randomUUID } from "node:crypto";
import { SignJWT, jwtVerify, errors as joseErrors } from "jose";
import { apiError } from "../errors";
import type { Principal, TokenSubject } from "../domain/principal";

// Only HMAC: the issuing node both mints and checks its tokens. An allow-list rejects `none`
// and any algorithm-confusion attempt before the signature is looked at.
const ALGORITHMS = ["HS256"];
const ISSUER = "certchain-issuing-service";
const DEFAULT_LIFETIME_SECONDS = 30 * 24 * 3600;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Bearer tokens (jose, HS256): one agency, or the root authority. An agency token names the
 * agency only; which types it may issue is the registry's business (accreditations), so a type
 * accredited later is issuable with a token minted earlier. Tokens minted before this release
 * carry a `types` claim, which is ignored. `isRevoked` lets a registry of revoked ids refuse them.
 */
export function createTokenAuthority(secret: Uint8Array, isRevoked: (id: string) => boolean = () => false) {
  if (!(secret instanceof Uint8Array) || secret.length < 32) throw new TypeError("the token secret must be at least 32 bytes");

  return {
    async issue(principal: TokenSubject | Omit<Principal, "tokenId">, expiresInSeconds = DEFAULT_LIFETIME_SECONDS): Promise<string> {
      return (await this.mint(principal, expiresInSeconds)).token;
    },

    /** As `issue`, with the token's id (jti) and expiry, for the token registry. */
    async mint(principal: TokenSubject | Omit<Principal, "tokenId">, expiresInSeconds = DEFAULT_LIFETIME_SECONDS): Promise<{ token: string; id: string; expiresAt: Date }> {
      const p = principal as { kind: string; agency?: unknown };
      if (p.kind === "agency" && typeof p.agency !== "string") throw new TypeError("an agency token needs an agency");
      const claims = p.kind === "agency" ? { kind: "agency", agency: p.agency } : { kind: "root" };
      const id = randomUUID();
      const expiresAt = new Date((Math.floor(Date.now() / 1000) + expiresInSeconds) * 1000);
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(principal.subject)
        .setIssuer(ISSUER)
        .setJti(id)
        .setIssuedAt()
        .setExpirationTime(expiresAt.getTime() / 1000)
        .sign(secret);
      return { token, id, expiresAt };
    },

    /** @throws CertchainError AUTH_EXPIRED, AUTH_REVOKED or AUTH_INVALID (fixed messages: nothing about why a forgery failed). */
    async authenticate(token: string): Promise<Principal> {
      if (typeof token !== "string" || token.length === 0 || token.length > 8192) throw apiError("AUTH_INVALID");
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(token, secret, { algorithms: ALGORITHMS, issuer: ISSUER, requiredClaims: ["sub", "jti", "exp"] }));
      } catch (error) {
        throw error instanceof joseErrors.JWTExpired ? apiError("AUTH_EXPIRED") : apiError("AUTH_INVALID");
      }
      const { sub, jti, kind, agency } = payload;
      if (typeof sub !== "string" || typeof jti !== "string") throw apiError("AUTH_INVALID");
      if (isRevoked(jti)) throw apiError("AUTH_REVOKED");
      if (kind === "root") return { kind: "root", subject: sub, tokenId: jti };
      if (kind === "agency" && typeof agency === "string" && SLUG.test(agency)) return { kind: "agency", agency, subject: sub, tokenId: jti };
      throw apiError("AUTH_INVALID");
    },
  };
}

export type TokenAuthority = ReturnType<typeof createTokenAuthority>;
