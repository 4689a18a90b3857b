import { isCertchainError } from "../errors";
import { timeoutSignal } from "../lib/abort";
import type { ProofLookupOptions } from "../verify/pending-proof";
import { blankResult, type VerificationResult, type Verdict } from "../verify/result";
import type { VerifyOptions } from "../verify/verify";
import { verifyResolvingPending } from "../verify/verify-resolving-pending";
import { SHARE_CODES, MAX_SHARE_CIPHERTEXT, type ShareCode } from "./codes";
import { decryptShare } from "./crypto";
import { parseShareLink, type ShareLink } from "./link";

/** The part of `fetch` the SDK uses; pass your own to route share-service requests. */
export type FetchLike = (input: string, init?: { method?: string; headers?: Record<string, string>; signal?: AbortSignal }) => Promise<{
  status: number;
  ok: boolean;
  headers?: { get(name: string): string | null };
  /** The response body, parsed. */
  json(): Promise<unknown>;
}>;

/** What a share service holds for a link: the ciphertext and its expiry. */
export interface ShareRecord {
  ciphertext: string;
  expiresAt?: string;
}

/**
 * Reads a link's share without HTTP (the share service verifying its own links from its store).
 * Resolves `undefined` for an unknown, expired or withdrawn share.
 */
export type ShareReader = (link: ShareLink) => Promise<ShareRecord | undefined>;

/** How long `verifyShareLink` waits for a share service unless told otherwise: 5 s. */
export const DEFAULT_SHARE_TIMEOUT_MS = 5_000;

/**
 * The options of {@link verifyShareLink}: {@link VerifyOptions}, which share services may be
 * asked, and (through {@link ProofLookupOptions}) the deadline (`timeoutMs`, default 5 s), an
 * `AbortSignal` and where a pending certificate's proof may be fetched.
 */
export interface VerifyShareLinkOptions extends VerifyOptions, ProofLookupOptions {
  /**
   * Origins whose share links may be opened, e.g. `["https://certs.example.gov.cn"]`. There is no
   * default: a link of any other host is SHARE_HOST_NOT_ALLOWED and nothing is fetched, so a
   * verifier cannot be made to call an arbitrary URL by the text it is handed.
   */
  shareServices?: readonly string[];
  /** Read the share directly instead of over HTTP (still only for links of `shareServices`). */
  readShare?: ShareReader;
}

/**
 * A share link's verification: the certificate's own result, or — when the link itself failed
 * (gone, undecryptable, service unreachable, host not allowed) — the same shape with
 * `reason.check` "share" and a SHARE_* code. `share` says which link was checked and until when it lives.
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
  SHARE_HOST_NOT_ALLOWED: "unverifiable",
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

const isShareRecord = (v: unknown): v is ShareRecord =>
  typeof v === "object" && v !== null && typeof (v as { ciphertext?: unknown }).ciphertext === "string" && (v as { ciphertext: string }).ciphertext.length <= MAX_SHARE_CIPHERTEXT;

const originOf = (url: string): string | undefined => {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
};

/** Whether the link's host is one the caller allows (origins compared: scheme, host and port). */
export function isAllowedShareService(link: ShareLink, shareServices: unknown): boolean {
  const origin = originOf(link.apiBase);
  return origin !== undefined && Array.isArray(shareServices) && shareServices.some((service) => typeof service === "string" && originOf(service) === origin);
}

/** Settles with `work`, or rejects when `signal` aborts: a fetch that ignores its signal cannot hold us. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) return Promise.reject(new Error("aborted"));
  return new Promise<T>((resolve, reject) => {
    signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
    work.then(resolve, reject);
  });
}

/** GET <apiBase>/v1/shares/<id>: the record, undefined when gone, or a failure code. */
async function fetchShare(link: ShareLink, fetchImpl: FetchLike, signal: AbortSignal | undefined): Promise<ShareRecord | undefined | ShareCode> {
  const doFetch = fetchImpl; // called unbound: a browser's fetch refuses any other `this`
  const init = { method: "GET", headers: { accept: "application/json" }, ...(signal ? { signal } : {}) };
  const response = await untilAborted(doFetch(`${link.apiBase}/v1/shares/${encodeURIComponent(link.id)}`, init), signal);
  if (response.status === 404 || response.status === 410) return undefined;
  if (!response.ok) return "SHARE_UNREACHABLE";
  const length = Number(response.headers?.get("content-length") ?? NaN);
  if (length > MAX_SHARE_CIPHERTEXT + 4096) return "SHARE_UNREACHABLE";
  const body = await untilAborted(response.json(), signal);
  return isShareRecord(body) ? body : "SHARE_UNREACHABLE";
}

/** The caller's options with the share fetch as the proof fetch too; a hostile options object trusts nothing. */
function withFetch(options: VerifyShareLinkOptions, fetchImpl: FetchLike): VerifyShareLinkOptions {
  try {
    return { ...options, fetch: options?.fetch ?? fetchImpl };
  } catch {
    return { registries: [] };
  }
}

/**
 * Verifies a share link `<origin>/s/<id>#<key>`: fetches the ciphertext from the share service
 * (`GET <origin>/v1/shares/<id>`; the key is never sent) — only when the origin is one of
 * `options.shareServices`, within `timeoutMs` (5 s) — decrypts it with the key from the fragment
 * and runs `verify` on the presentation inside. Never throws.
 *
 * @example
 * const result = await verifyShareLink("https://certs.example.gov.cn/s/q2Zk…#Vb7x…", {
 *   registries: [{ chainId: 31337, address, rpcUrl }],
 *   shareServices: ["https://certs.example.gov.cn"],
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

  let record: ShareRecord;
  try {
    if (!isAllowedShareService(link, options?.shareServices)) return shareFailure("SHARE_HOST_NOT_ALLOWED", link);
    const timeoutMs = typeof options?.timeoutMs === "number" && options.timeoutMs > 0 ? options.timeoutMs : DEFAULT_SHARE_TIMEOUT_MS;
    const caller = typeof AbortSignal !== "undefined" && options?.signal instanceof AbortSignal ? options.signal : undefined;
    const signal = timeoutSignal(timeoutMs, caller);
    const read = typeof options?.readShare === "function" ? await untilAborted(options.readShare(link), signal) : await fetchShare(link, fetchImpl, signal);
    if (read === undefined) return shareFailure("SHARE_NOT_FOUND", link);
    if (typeof read === "string") return shareFailure(read, link);
    if (!isShareRecord(read)) return shareFailure("SHARE_UNREACHABLE", link);
    record = read;
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
  const result = await verifyResolvingPending(presentation, withFetch(options, fetchImpl));
  return { ...result, share: { apiBase: link.apiBase, id: link.id, expiresAt } };
}
