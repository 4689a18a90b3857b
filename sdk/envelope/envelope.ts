import { CertchainError, type CertchainErrorCode } from "../errors";
import { base64urlDecode, fromUtf8, isBytes32Hex, type Hex } from "../lib/bytes";
import { hasDuplicateNames } from "../lib/strict-json";

/** The `format` member of every envelope. */
export const ENVELOPE_FORMAT = "certchain-envelope";
/**
 * The newest envelope version, which the service writes. Version 2 (docs/format-v2.md) holds a
 * credential of format v2: `iss` an agency URL, `vct#integrity`, `status`, nested disclosures.
 */
export const ENVELOPE_VERSION = 2;
/** Every envelope version this SDK reads: all it ever wrote, forever. */
export const ENVELOPE_VERSIONS = [1, 2] as const;
/** An envelope version this SDK reads. */
export type EnvelopeVersion = (typeof ENVELOPE_VERSIONS)[number];
/** Far more than a tree of 2^32 leaves needs. */
const MAX_PROOF_LENGTH = 64;
const MAX_ENVELOPE_TEXT = 512 * 1024;

/** The anchor of a certificate whose batch is not on chain yet: it cannot verify until it is. */
export interface PendingAnchor {
  status: "pending";
  chainId: number;
  registry: Hex;
  /**
   * The issuing service's base URL: `GET <service>/v1/proofs/<leaf>` hands out the anchor proof
   * once the batch is anchored. Optional (envelopes written before it existed lack it); a
   * verifier asks it only if it trusts it to answer (the proof is then checked against the chain).
   */
  service?: string;
  /** The registry's id (its `registryId()`); absent in envelopes written before registry ids. */
  registryId?: Hex;
}

/** Where and how a certificate is anchored: the Merkle proof from its leaf to a root on a registry. */
export interface AnchorProof {
  status: "anchored";
  chainId: number;
  registry: Hex;
  /**
   * The registry's id (its `registryId()`, fixed at deployment), which tells apart registries
   * with the same chain id and address. Added in SDK 2.0 without a format version change: envelopes
   * written before lack it and still verify (see `verify` for how they are matched).
   */
  registryId?: Hex;
  root: Hex;
  proof: Hex[];
  transaction: Hex;
  block: number;
  /** ISO 8601, informative: verifiers read the anchor time from the chain. */
  anchoredAt: string;
}

/**
 * The certificate file a holder keeps (version 1). A presentation has the same shape with fewer
 * disclosures in `credential`: the leaf, and so the proof, is unchanged.
 */
export interface Envelope {
  format: typeof ENVELOPE_FORMAT;
  version: EnvelopeVersion;
  /** SD-JWT VC, compact, ending with `~`. */
  credential: string;
  anchor: PendingAnchor | AnchorProof;
}

const V1_ISSUER = "urn:certchain:agency:";

/**
 * The envelope version a credential belongs in: 2 when it has any format v2 feature (an `iss`
 * that is not a v1 URN, `vct#integrity`, `status`, a holder key `cnf`), else 1. Reads the payload only.
 */
export function envelopeVersionOf(credential: string): EnvelopeVersion {
  try {
    const payload = JSON.parse(fromUtf8(base64urlDecode(credential.split("~", 1)[0].split(".")[1] ?? ""))) as Record<string, unknown>;
    const v1 = typeof payload.iss === "string" && payload.iss.startsWith(V1_ISSUER) && !("vct#integrity" in payload) && !("status" in payload) && !("cnf" in payload);
    return v1 ? 1 : 2;
  } catch {
    return ENVELOPE_VERSION;
  }
}

/**
 * The envelope of a credential issued but not anchored yet; `service` names where its proof will
 * be (GET <service>/v1/proofs/<leaf>), `registryId` the registry it will be anchored on. Its
 * version follows the credential unless given.
 */
export const createPendingEnvelope = (credential: string, chainId: number, registry: Hex, service?: string, registryId?: Hex, version: EnvelopeVersion = envelopeVersionOf(credential)): Envelope => ({
  format: ENVELOPE_FORMAT,
  version,
  credential,
  anchor: { status: "pending", chainId, registry, ...(registryId !== undefined ? { registryId } : {}), ...(service !== undefined ? { service } : {}) },
});

/** The envelope of an anchored credential, with its proof (its version follows the credential unless given). */
export const createAnchoredEnvelope = (credential: string, anchor: Omit<AnchorProof, "status">, version: EnvelopeVersion = envelopeVersionOf(credential)): Envelope => {
  const { chainId, registry, registryId, root, proof, transaction, block, anchoredAt } = anchor;
  return {
    format: ENVELOPE_FORMAT,
    version,
    credential,
    // The id is left out, not undefined, when unknown: JSON of an old-style envelope is unchanged.
    anchor: { status: "anchored", chainId, registry, ...(registryId !== undefined ? { registryId } : {}), root, proof, transaction, block, anchoredAt },
  };
};

/**
 * The anchored envelope of a pending one, once its batch is anchored: the same credential (a
 * presentation keeps its disclosures), the pending anchor's chain and registry, and the proof.
 * Nothing here is trusted: verify checks the proof against the chain like any other.
 */
export function anchorPendingEnvelope(envelope: Envelope, proof: Pick<AnchorProof, "root" | "proof" | "transaction" | "block" | "anchoredAt" | "registryId">): Envelope {
  const { chainId, registry } = envelope.anchor;
  const registryId = envelope.anchor.registryId ?? proof.registryId;
  return createAnchoredEnvelope(envelope.credential, {
    chainId,
    registry,
    ...(registryId !== undefined ? { registryId } : {}),
    root: proof.root,
    proof: [...proof.proof],
    transaction: proof.transaction,
    block: proof.block,
    anchoredAt: proof.anchoredAt,
  }, envelope.version);
}

const fail = (code: CertchainErrorCode, message: string): never => {
  throw new CertchainError(code, message);
};
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isAddress = (v: unknown): v is Hex => typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v);
const isChainId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;
const MAX_SERVICE_URL = 2048;

/** An http(s) base URL without credentials, query or fragment: what a pending anchor may name. */
export function isServiceUrl(v: unknown): v is string {
  if (typeof v !== "string" || v.length > MAX_SERVICE_URL) return false;
  try {
    const url = new URL(v);
    return (url.protocol === "https:" || url.protocol === "http:") && !url.username && !url.password && !url.search && !url.hash;
  } catch {
    return false;
  }
}

/**
 * The value of an envelope's JSON text, which must be I-JSON: a member named twice at any level
 * is refused, as readers could disagree on which value counts.
 * Throws `CertchainError` FORMAT_MALFORMED.
 */
export function envelopeValueOf(text: string): unknown {
  if (text.length > MAX_ENVELOPE_TEXT) fail("FORMAT_MALFORMED", "the envelope is too large");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail("FORMAT_MALFORMED", "the envelope is not JSON");
  }
  if (hasDuplicateNames(text)) fail("FORMAT_MALFORMED", "the envelope names a member twice");
  return value;
}

/**
 * Reads an envelope from JSON text or a parsed object, checking its shape strictly.
 * Throws `CertchainError` (FORMAT_MALFORMED, FORMAT_UNSUPPORTED_VERSION).
 */
export function parseEnvelope(input: unknown): Envelope {
  const value = typeof input === "string" ? envelopeValueOf(input) : input;
  if (!isObject(value) || value.format !== ENVELOPE_FORMAT) return fail("FORMAT_MALFORMED", "not a certchain envelope");
  const version = value.version as EnvelopeVersion;
  if (!(ENVELOPE_VERSIONS as readonly unknown[]).includes(version)) return fail("FORMAT_UNSUPPORTED_VERSION", `envelope version ${String(value.version)} is not supported`);
  if (typeof value.credential !== "string") return fail("FORMAT_MALFORMED", "the envelope has no credential");
  const anchor = value.anchor;
  if (!isObject(anchor) || !isChainId(anchor.chainId) || !isAddress(anchor.registry)) return fail("FORMAT_MALFORMED", "the envelope's anchor is malformed");
  if (anchor.registryId !== undefined && !isBytes32Hex(anchor.registryId)) return fail("FORMAT_MALFORMED", "the anchor's registryId is not 32 bytes of hex");
  const registryId = anchor.registryId as Hex | undefined;
  if (anchor.status === "pending") {
    if (anchor.service !== undefined && !isServiceUrl(anchor.service)) return fail("FORMAT_MALFORMED", "the pending anchor's service is not an http(s) URL");
    return createPendingEnvelope(value.credential, anchor.chainId, anchor.registry, anchor.service as string | undefined, registryId, version);
  }
  if (anchor.status !== "anchored") return fail("FORMAT_MALFORMED", "the anchor status is neither pending nor anchored");
  const { root, proof, transaction, block, anchoredAt } = anchor;
  const wellFormed =
    isBytes32Hex(root) &&
    Array.isArray(proof) &&
    proof.length <= MAX_PROOF_LENGTH &&
    proof.every(isBytes32Hex) &&
    isBytes32Hex(transaction) &&
    Number.isSafeInteger(block) &&
    (block as number) >= 0 &&
    typeof anchoredAt === "string";
  if (!wellFormed) return fail("FORMAT_MALFORMED", "the anchor proof is malformed");
  return createAnchoredEnvelope(value.credential, {
    chainId: anchor.chainId,
    registry: anchor.registry,
    ...(registryId !== undefined ? { registryId } : {}),
    root: root as Hex,
    proof: proof as Hex[],
    transaction: transaction as Hex,
    block: block as number,
    anchoredAt: anchoredAt as string,
  }, version);
}
