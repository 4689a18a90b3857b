import { credentialLeaf } from "../credential/leaf";
import { anchorPendingEnvelope, parseEnvelope, type Envelope } from "../envelope/envelope";
import { timeoutSignal } from "../lib/abort";
import { isBytes32Hex, type Hex } from "../lib/bytes";
import type { FetchLike } from "../share/verify-share-link";

/** Longest wait for a proof service, unless the caller says otherwise. */
export const PROOF_TIMEOUT_MS = 5_000;

/**
 * Where and how `verify` may fetch the anchor proof of a pending certificate (and, for share
 * links, how the share service is fetched).
 */
export interface ProofLookupOptions {
  /**
   * Issuing services this verifier lets it ask for the anchor proof of a pending certificate,
   * as origins or base URLs (`https://certs.example.gov.cn`). A pending envelope names its
   * service; it is asked only if its origin is listed here. An envelope that names none (written
   * before the field existed) is looked up at each listed service in turn. Default: none, so a
   * pending certificate stays pending and nothing is fetched.
   */
  proofServices?: readonly string[];
  /** Give up on a proof service (and share links) after this long. Default 5 s for proofs. */
  timeoutMs?: number;
  /** Aborts the proof lookup (and share-link fetches). */
  signal?: AbortSignal;
  /** Default: the global fetch. */
  fetch?: FetchLike;
}

/** The body of `GET <service>/v1/proofs/<leaf>` (200): everything an anchored envelope adds. */
export interface ProofRecord {
  root: Hex;
  proof: Hex[];
  registry: Hex;
  chainId: number;
  anchoredAt: string;
  transaction: Hex;
  block: number;
}

/** What a proof service said about a leaf: its proof, or that it is pending, unknown there, or could not be asked. */
export type ProofLookup = { state: "anchored"; proof: ProofRecord } | { state: "pending" | "unknown" | "unreachable" };

const MAX_PROOF_LENGTH = 64;

function isProofRecord(v: unknown): v is ProofRecord {
  if (typeof v !== "object" || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    isBytes32Hex(r.root) &&
    Array.isArray(r.proof) &&
    r.proof.length <= MAX_PROOF_LENGTH &&
    r.proof.every(isBytes32Hex) &&
    typeof r.registry === "string" &&
    /^0x[0-9a-fA-F]{40}$/.test(r.registry) &&
    Number.isSafeInteger(r.chainId) &&
    isBytes32Hex(r.transaction) &&
    Number.isSafeInteger(r.block) &&
    (r.block as number) >= 0 &&
    typeof r.anchoredAt === "string" &&
    r.anchoredAt.length <= 64
  );
}

const originOf = (url: string): string | undefined => {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
};

/** `GET <service>/v1/proofs/<leaf>`, answered as anchored / pending / unknown / unreachable. Never throws. */
export async function fetchAnchorProof(service: string, leaf: Hex, options: Omit<ProofLookupOptions, "proofServices"> = {}): Promise<ProofLookup> {
  const doFetch = options.fetch ?? (globalThis.fetch as unknown as FetchLike | undefined);
  if (typeof doFetch !== "function") return { state: "unreachable" };
  const signal = timeoutSignal(options.timeoutMs ?? PROOF_TIMEOUT_MS, options.signal);
  try {
    const url = `${service.replace(/\/+$/, "")}/v1/proofs/${leaf.replace(/^0x/, "")}`;
    const response = await doFetch(url, { method: "GET", headers: { accept: "application/json" }, ...(signal ? { signal } : {}) });
    if (response.status === 202) return { state: "pending" };
    if (response.status === 404) return { state: "unknown" };
    if (response.status !== 200) return { state: "unreachable" };
    const body = await response.json();
    return isProofRecord(body) ? { state: "anchored", proof: body } : { state: "unreachable" };
  } catch {
    return { state: "unreachable" };
  }
}

/**
 * For a pending envelope (or presentation), asks the allowed proof services for its anchor proof
 * and returns the anchored envelope built from it, or undefined (not pending, no allowed service,
 * still pending, unreachable). The proof is not trusted: the caller verifies the result against
 * the chain, where a wrong proof fails the anchor check. A proof naming another chain or registry
 * than the envelope is ignored (the service must not move a certificate to a registry of its choosing).
 */
export async function resolvePendingEnvelope(input: unknown, options: ProofLookupOptions): Promise<Envelope | undefined> {
  const allowed = (options?.proofServices ?? []).filter((s) => typeof s === "string" && originOf(s) !== undefined);
  if (allowed.length === 0) return undefined;
  let envelope: Envelope;
  try {
    envelope = parseEnvelope(input);
  } catch {
    return undefined;
  }
  const anchor = envelope.anchor;
  if (anchor.status !== "pending") return undefined;
  const allowedOrigins = new Set(allowed.map(originOf));
  const services = anchor.service !== undefined ? (allowedOrigins.has(originOf(anchor.service)) ? [anchor.service] : []) : allowed;
  let leaf: Hex;
  try {
    leaf = credentialLeaf(envelope.credential);
  } catch {
    return undefined;
  }
  for (const service of services) {
    const found = await fetchAnchorProof(service, leaf, options);
    if (found.state !== "anchored") continue;
    const { proof } = found;
    if (proof.chainId !== anchor.chainId || proof.registry.toLowerCase() !== anchor.registry.toLowerCase()) continue;
    return anchorPendingEnvelope(envelope, proof);
  }
  return undefined;
}
