import { isCertchainError } from "../errors";
import { blankResult, type VerificationResult, type Verdict } from "../verify/result";
import { timeoutSignal } from "../lib/abort";
import type { ProofLookupOptions } from "../verify/pending-proof";
import { verifyResolvingPending } from "../verify/verify-resolving-pending";
import type { VerifyOptions } from "../verify/verify";
import { SHARE_CODES, MAX_SHARE_CIPHERTEXT, type ShareCode } from "./codes";
import { decryptShare } from "./crypto";
import { parseShareLink, type ShareLink } from "./link";

/** The part of `fetch` the SDK uses; pass your own to route share-service requests. */
export type FetchLike = (input: string, init?: { method?: string; headers?: Record<string, string>; signal?: AbortSignal }) => Promise<{
  status: number;
  ok: boolean;
  /** The response body, parsed. */
  json(): Promise<unknown>;
}>;

/**
 * The options of {@link verifyShareLink}: {@link VerifyOptions}, a deadline for the share service,
 * and where a pending certificate's proof may be fetched ({@link ProofLookupOptions}).
 */
export interface VerifyShareLinkOptions extends VerifyOptions, ProofLookupOptions {
  /** Give up on the share service (and a proof service) after this long. Default 15 s for the share service. */
  timeoutMs?: number;
}

/**
 * A share link's verification: the certificate's own result, or — when the link itself failed
 * (gone, undecryptable, service unreachable) — the same shape with `reason.check` "share" and
 * a SHARE_* code. `share` says which link was checked and until when it lives.
 */
export type ShareVerificationResult = VerificationResult & {
  share: { apiBase: string; id: string; expiresAt: string | null } | null;
};

const VERDICT_OF_SHARE: Record<ShareCode, Verdict> = {
  SHARE_LINK_INVALID: "invalid",
  SHARE_NOT_FOUND: "invalid",
  SHARE_DECRYPT_FAILED: "invalid",
  // Not the certificate's fault: as CHAIN_UNREACHABLE, nothing is known about it.
  SHARE_UNREACHABLE: "unverifiable",
  SHARE_TOO_LARGE: "invalid",
};

function shareFailure(code: ShareCode, link: ShareLink | null, expiresAt: string | null = null): ShareVerificationResult {
  return {
    ...blankResult(),
    verdict: VERDICT_OF_SHARE[code],
    reason: { check: "share", code, message: SHARE_CODES[code] },
    share: link ? { apiBase: link.apiBase, id: link.id, expiresAt } : null,
  };
}

const isShareRecord = (v: unknown): v is { ciphertext: string; expiresAt?: string } =>
  typeof v === "object" && v !== null && typeof (v as { ciphertext?: unknown }).ciphertext === "string" && (v as { ciphertext: string }).ciphertext.length <= MAX_SHARE_CIPHERTEXT;

/**
 * Verifies a share link `<origin>/s/<id>#<key>`: fetches the ciphertext from the share service
 * (`GET <origin>/v1/shares/<id>`; the key is never sent), decrypts it with the key from the
 * fragment and runs `verify` on the presentation inside. Never throws.
 *
 * @example
 * const result = await verifyShareLink("https://certs.example.gov.cn/s/q2Zk…#Vb7x…", {
 *   registries: [{ chainId: 31337, address, rpcUrl }],
 * });
 * if (result.reason?.code === "SHARE_NOT_FOUND") console.log("link withdrawn or expired");
 */
export async function verifyShareLink(url: string | URL, options: VerifyShareLinkOptions, fetchImpl: FetchLike = globalThis.fetch as unknown as FetchLike): Promise<ShareVerificationResult> {
  let link: ShareLink;
  try {
    link = parseShareLink(url);
  } catch {
    return shareFailure("SHARE_LINK_INVALID", null);
  }

  let record: { ciphertext: string; expiresAt?: string };
  try {
    const timeout = timeoutSignal(options?.timeoutMs ?? 15_000, options?.signal);
    const doFetch = fetchImpl; // called unbound: a browser's fetch refuses any other `this`
    const response = await doFetch(`${link.apiBase}/v1/shares/${encodeURIComponent(link.id)}`, {
      method: "GET",
      headers: { accept: "application/json" },
      ...(timeout ? { signal: timeout } : {}),
    });
    if (response.status === 404 || response.status === 410) return shareFailure("SHARE_NOT_FOUND", link);
    if (!response.ok) return shareFailure("SHARE_UNREACHABLE", link);
    const body = await response.json();
    if (!isShareRecord(body)) return shareFailure("SHARE_UNREACHABLE", link);
    record = body;
  } catch {
    return shareFailure("SHARE_UNREACHABLE", link);
  }
  const expiresAt = typeof record.expiresAt === "string" ? record.expiresAt : null;

  let presentation: unknown;
  try {
    presentation = await decryptShare(record.ciphertext, link.key);
  } catch (error) {
    if (isCertchainError(error, "SHARE_DECRYPT_FAILED")) return shareFailure("SHARE_DECRYPT_FAILED", link, expiresAt);
    // Decrypted, but not text: verify reports it as a format failure.
    presentation = null;
  }
  // The decrypted text goes to verify as it is, so a non-envelope gets verify's own format code.
  // A link made while the certificate was pending gets its proof from an allowed proof service.
  const result = await verifyResolvingPending(presentation, { ...options, fetch: options?.fetch ?? fetchImpl });
  return { ...result, share: { apiBase: link.apiBase, id: link.id, expiresAt } };
}
