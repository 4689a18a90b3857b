import { randomUUID } from "node:crypto";
import { SignJWT, jwtVerify, errors as joseErrors } from "jose";
import { apiError } from "../errors";
import type { Principal, TokenSubject } from "../service/types";

// Only HMAC: the issuing node both mints and checks its tokens. An allow-list rejects `none`
// and any algorithm-confusion attempt before the signature is looked at.
const ALGORITHMS = ["HS256"];
const ISSUER = "certchain-issuing-service";
const DEFAULT_LIFETIME_SECONDS = 30 * 24 * 3600;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Bearer tokens (jose, HS256): one agency and its issuable types, or the root authority. */
export function createTokenAuthority(secret: Uint8Array) {
  if (!(secret instanceof Uint8Array) || secret.length < 32) throw new TypeError("the token secret must be at least 32 bytes");

  return {
    async issue(principal: TokenSubject | Omit<Principal, "tokenId">, expiresInSeconds = DEFAULT_LIFETIME_SECONDS): Promise<string> {
      const p = principal as { kind: string; agency?: unknown; types?: unknown };
      if (p.kind === "agency" && (typeof p.agency !== "string" || !Array.isArray(p.types))) throw new TypeError("an agency token needs agency and types");
      const claims = p.kind === "agency" ? { kind: "agency", agency: p.agency, types: [...(p.types as string[])] } : { kind: "root" };
      return new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(principal.subject)
        .setIssuer(ISSUER)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds)
        .sign(secret);
    },

    /** @throws CertchainError AUTH_EXPIRED or AUTH_INVALID (fixed messages: nothing about why a forgery failed). */
    async authenticate(token: string): Promise<Principal> {
      if (typeof token !== "string" || token.length === 0 || token.length > 8192) throw apiError("AUTH_INVALID");
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(token, secret, { algorithms: ALGORITHMS, issuer: ISSUER, requiredClaims: ["sub", "jti", "exp"] }));
      } catch (error) {
        throw error instanceof joseErrors.JWTExpired ? apiError("AUTH_EXPIRED") : apiError("AUTH_INVALID");
      }
      const { sub, jti, kind, agency, types } = payload;
      if (typeof sub !== "string" || typeof jti !== "string") throw apiError("AUTH_INVALID");
      if (kind === "root") return { kind: "root", subject: sub, tokenId: jti };
      if (kind === "agency" && typeof agency === "string" && SLUG.test(agency) && Array.isArray(types) && types.every((t) => typeof t === "string")) {
        return { kind: "agency", agency, types: types as string[], subject: sub, tokenId: jti };
      }
      throw apiError("AUTH_INVALID");
    },
  };
}

export type TokenAuthority = ReturnType<typeof createTokenAuthority>;
