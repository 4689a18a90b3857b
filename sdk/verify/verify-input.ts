import { verifyShareLink, type FetchLike, type VerifyShareLinkOptions } from "../share/verify-share-link";
import type { ProofLookupOptions } from "./pending-proof";
import type { VerificationResult } from "./result";
import type { VerifyOptions } from "./verify";
import { verifyResolvingPending } from "./verify-resolving-pending";

// A certificate file is JSON or SD-JWT text, never a URL: anything URL-shaped with /s/ is
// treated as a share link, so a damaged link gets SHARE_LINK_INVALID, not a JSON parse error.
const looksLikeShareLink = (input: unknown): input is string =>
  typeof input === "string" && input.length <= 4096 && /^\s*https?:\/\/[^\s]*\/s\//i.test(input);

/**
 * The options of `verify`: {@link VerifyOptions}, plus which share links are opened and how
 * (`shareServices`, `readShare`), and how share links and pending certificates' proofs are
 * fetched ({@link ProofLookupOptions}: `fetch`, `timeoutMs`, `signal`, `proofServices`).
 */
export interface VerifyAnyOptions extends VerifyOptions, ProofLookupOptions, Pick<VerifyShareLinkOptions, "shareServices" | "readShare"> {}

/**
 * Verifies whatever a verifying department was handed: a certificate file or presentation
 * (object or JSON text), or a share link `https://…/s/<id>#<key>` (fetched from a host in
 * `shareServices` only, within `timeoutMs`, decrypted, then verified). A pending certificate's
 * proof is fetched from `proofServices` the caller allows (see ProofLookupOptions); everything
 * else comes from the chain. Never throws.
 *
 * @example
 * const result = await verifyAny("https://certs.example.gov.cn/s/q2Zk…#Vb7x…", { registries, shareServices: ["https://certs.example.gov.cn"] });
 * console.log(result.verdict, result.reason?.code);
 */
export async function verifyAny(input: unknown, options: VerifyAnyOptions): Promise<VerificationResult> {
  if (looksLikeShareLink(input)) {
    let fetchImpl: FetchLike | undefined;
    try {
      fetchImpl = typeof options?.fetch === "function" ? options.fetch : undefined;
    } catch {
      fetchImpl = undefined;
    }
    // verifyShareLink reads the other options itself, each read guarded.
    return fetchImpl ? verifyShareLink(input, options, fetchImpl) : verifyShareLink(input, options);
  }
  return verifyResolvingPending(input, options);
}
