import { verifyShareLink, type FetchLike } from "../share/verify-share-link";
import type { VerificationResult } from "./result";
import { verify, type VerifyOptions } from "./verify";

// A certificate file is JSON or SD-JWT text, never a URL: anything URL-shaped with /s/ is
// treated as a share link, so a damaged link gets SHARE_LINK_INVALID, not a JSON parse error.
const looksLikeShareLink = (input: unknown): input is string =>
  typeof input === "string" && input.length <= 4096 && /^\s*https?:\/\/[^\s]*\/s\//i.test(input);

/** The options of `verify`: {@link VerifyOptions}, plus how share links are fetched. */
export interface VerifyAnyOptions extends VerifyOptions {
  /** Used for share links only. Default: the global fetch. */
  fetch?: FetchLike;
  /** Share links only: give up on the share service after this long. Default 15 s. */
  timeoutMs?: number;
}

/**
 * Verifies whatever a verifying department was handed: a certificate file or presentation
 * (object or JSON text), or a share link `https://…/s/<id>#<key>` (fetched, decrypted, then
 * verified). Never throws.
 *
 * @example
 * const result = await verifyAny("https://certs.example.gov.cn/s/q2Zk…#Vb7x…", { registries });
 * console.log(result.verdict, result.reason?.code);
 */
export async function verifyAny(input: unknown, options: VerifyAnyOptions): Promise<VerificationResult> {
  if (looksLikeShareLink(input)) {
    const { fetch: fetchImpl, ...verifyOptions } = options ?? ({} as VerifyAnyOptions);
    return fetchImpl ? verifyShareLink(input, verifyOptions, fetchImpl) : verifyShareLink(input, verifyOptions);
  }
  return verify(input, options);
}
