import { disclosurePathsOf } from "../credential/disclosed-paths";
import { credentialLeaf } from "../credential/leaf";
import { parseCredential } from "../credential/parse";
import { parseEnvelope } from "../envelope/envelope";
import { CertchainError } from "../errors";
import { isBytes32Hex, type Hex } from "../lib/bytes";
import { canonicalJson } from "../lib/canonical-json";
import { CONSENT_RECEIPT_ERRORS } from "./codes";
import { decodeCompactJws } from "../lib/compact-jws";
import { sha256Hex } from "../lib/hash";
import { MAX_KEY_BINDING_JWT_LENGTH, parseVpToken, splitKeyBinding, type VpTokenEntry } from "../presentation/vp-token";

/** The `format` member of every consent receipt. */
export const CONSENT_RECEIPT_FORMAT = "certchain-consent-receipt";
/** The receipt version this SDK writes and reads. */
export const CONSENT_RECEIPT_VERSION = 1;

/** One credential a department received under the consent: which, for which query, with which key binding, disclosing what. */
export interface ConsentReceiptCredential {
  /** The credential query id it answered (null for a presentation outside a DCQL response). */
  query: string | null;
  /** The credential's Merkle leaf (`credentialLeaf`): which certificate. */
  credential: Hex;
  /** SHA-256 (hex) of the key-binding JWT's text, exactly as presented; null without one. */
  key_binding: Hex | null;
  /** The claim paths of the disclosures presented (array positions as presented). */
  claims: (string | number)[][];
}

/**
 * A record that a department used a citizen's certificates with consent (用证记录): the request
 * it made, the answer's key bindings, the time, and what was disclosed. Both sides compute the
 * same receipt from the same request object and vp_token (see {@link consentReceiptOf}); its
 * canonical encoding is documented at {@link encodeConsentReceipt}.
 */
export interface ConsentReceipt {
  format: typeof CONSENT_RECEIPT_FORMAT;
  version: typeof CONSENT_RECEIPT_VERSION;
  /** SHA-256 (hex) of the request object's text, exactly as the verifier served it (the signed JWT). */
  request: Hex;
  /** When the holder consented: seconds since the epoch (by default the latest key-binding JWT's `iat`). */
  time: number;
  credentials: ConsentReceiptCredential[];
}

const MAX_RECEIPT_CREDENTIALS = 32;
const MAX_RECEIPT_CLAIMS = 512;
const MAX_PATH_LENGTH = 16;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const fail = (code: keyof typeof CONSENT_RECEIPT_ERRORS, detail?: string): never => {
  throw new CertchainError(code, detail ? `${CONSENT_RECEIPT_ERRORS[code]} (${detail})` : CONSENT_RECEIPT_ERRORS[code]);
};

function claimPathOf(value: unknown): (string | number)[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_PATH_LENGTH) return fail("CONSENT_RECEIPT_INVALID", "a claim path is not a non-empty array");
  return value.map((segment) => {
    if (typeof segment === "string" || (Number.isSafeInteger(segment) && (segment as number) >= 0)) return segment as string | number;
    return fail("CONSENT_RECEIPT_INVALID", "a claim path step is neither a name nor an array position");
  });
}

const byCanonicalText = <T>(items: readonly T[]): T[] =>
  items
    .map((item) => [canonicalJson(item), item] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .filter(([text], i, all) => i === 0 || all[i - 1][0] !== text)
    .map(([, item]) => item);

/**
 * Reads a consent receipt (object, e.g. from JSON) strictly and returns it in canonical order:
 * credentials, and the claim paths of each, sorted by their canonical JSON text, duplicates
 * dropped; hex lowercase.
 *
 * @throws CertchainError `CONSENT_RECEIPT_INVALID`.
 */
export function parseConsentReceipt(value: unknown): ConsentReceipt {
  if (!isObject(value) || value.format !== CONSENT_RECEIPT_FORMAT || value.version !== CONSENT_RECEIPT_VERSION) return fail("CONSENT_RECEIPT_INVALID", "not a version 1 consent receipt");
  if (!isBytes32Hex(value.request)) return fail("CONSENT_RECEIPT_INVALID", "request is not 32 bytes of hex");
  if (!Number.isSafeInteger(value.time) || (value.time as number) < 0) return fail("CONSENT_RECEIPT_INVALID", "time is not whole seconds since the epoch");
  if (!Array.isArray(value.credentials) || value.credentials.length === 0 || value.credentials.length > MAX_RECEIPT_CREDENTIALS) return fail("CONSENT_RECEIPT_INVALID", "credentials is not a non-empty array");
  const credentials = value.credentials.map((entry): ConsentReceiptCredential => {
    if (!isObject(entry)) return fail("CONSENT_RECEIPT_INVALID", "a credential entry is not an object");
    if (entry.query !== null && (typeof entry.query !== "string" || entry.query.length === 0 || entry.query.length > 64)) return fail("CONSENT_RECEIPT_INVALID", "query is neither a credential query id nor null");
    if (!isBytes32Hex(entry.credential)) return fail("CONSENT_RECEIPT_INVALID", "credential is not a 32-byte leaf");
    if (entry.key_binding !== null && !isBytes32Hex(entry.key_binding)) return fail("CONSENT_RECEIPT_INVALID", "key_binding is neither 32 bytes of hex nor null");
    if (!Array.isArray(entry.claims) || entry.claims.length > MAX_RECEIPT_CLAIMS) return fail("CONSENT_RECEIPT_INVALID", "claims is not an array of claim paths");
    return {
      query: entry.query as string | null,
      credential: entry.credential.toLowerCase() as Hex,
      key_binding: entry.key_binding === null ? null : (entry.key_binding.toLowerCase() as Hex),
      claims: byCanonicalText(entry.claims.map(claimPathOf)),
    };
  });
  return { format: CONSENT_RECEIPT_FORMAT, version: CONSENT_RECEIPT_VERSION, request: value.request.toLowerCase() as Hex, time: value.time as number, credentials: byCanonicalText(credentials) };
}

/**
 * The canonical encoding of a receipt, what its leaf hashes: the RFC 8785 (JCS) serialization,
 * as UTF-8, of the receipt in canonical order ({@link parseConsentReceipt}): members sorted by
 * name, no whitespace, hex in lowercase, integers in decimal, credentials and each one's claim
 * paths sorted by their own canonical text with duplicates dropped. For example:
 *
 * `{"credentials":[{"claims":[["company_name"],["unified_social_credit_code"]],"credential":"0x…","key_binding":"0x…","query":"licence"}],"format":"certchain-consent-receipt","request":"0x…","time":1767225600,"version":1}`
 *
 * @throws CertchainError `CONSENT_RECEIPT_INVALID`.
 */
export function encodeConsentReceipt(receipt: ConsentReceipt): string {
  return canonicalJson(parseConsentReceipt(receipt));
}

/**
 * A receipt's Merkle leaf: SHA-256 of its canonical encoding ({@link encodeConsentReceipt}), 32
 * bytes of hex, as `credentialLeaf` is for certificates. Trees of receipts are built by
 * `buildMerkleTree` (OpenZeppelin's sorted-pair keccak256), so `MerkleProof.verify` on chain
 * accepts their proofs as well.
 *
 * @throws CertchainError `CONSENT_RECEIPT_INVALID`.
 */
export const consentReceiptLeaf = (receipt: ConsentReceipt): Hex => sha256Hex(encodeConsentReceipt(receipt));

/** What {@link consentReceiptOf} builds a receipt from. */
export interface ConsentReceiptInput {
  /** The request object's text exactly as the verifier served it at `request_uri` (the signed JWT). */
  requestObject: string;
  /** The vp_token answered (object or JSON text, as `verifyPresentation` takes it). */
  vpToken: unknown;
  /** Seconds since the epoch. Default: the latest `iat` of the key-binding JWTs (required when there are none). */
  time?: number;
}

/**
 * The consent receipt of an answered request, from the request object and the vp_token alone:
 * the wallet and the department compute the same receipt, and so the same leaf, without sending
 * it to each other. It records, it does not verify: build it from a vp_token `verifyPresentation`
 * accepted (its result carries this receipt when given `requestObject`).
 *
 * @throws CertchainError `CONSENT_RECEIPT_INPUT_INVALID`.
 * @example
 * const receipt = consentReceiptOf({ requestObject, vpToken });
 * const leaf = consentReceiptLeaf(receipt); // look it up in the department's published tree later
 */
export function consentReceiptOf(input: ConsentReceiptInput): ConsentReceipt {
  if (typeof input?.requestObject !== "string" || input.requestObject.length === 0) return fail("CONSENT_RECEIPT_INPUT_INVALID", "requestObject");
  const entries = parseVpToken(input.vpToken);
  if (!entries) return fail("CONSENT_RECEIPT_INPUT_INVALID", "vpToken");
  return consentReceiptOfEntries(input.requestObject, entries, input.time);
}

/** {@link consentReceiptOf} over a vp_token already read (verifyPresentation reads its input once). */
export function consentReceiptOfEntries(requestObject: string, entries: readonly VpTokenEntry[], givenTime?: number): ConsentReceipt {
  let latest: number | undefined;
  const credentials = entries.map(({ queryId, presentation }): ConsentReceiptCredential => {
    let text: string;
    try {
      text = typeof presentation === "string" && !presentation.trimStart().startsWith("{") ? presentation : parseEnvelope(presentation).credential;
    } catch {
      return fail("CONSENT_RECEIPT_INPUT_INVALID", "a presentation is neither an SD-JWT nor an envelope");
    }
    const split = splitKeyBinding(text);
    if (!split) return fail("CONSENT_RECEIPT_INPUT_INVALID", "a presentation is not an SD-JWT");
    let claims: (string | number)[][];
    try {
      claims = disclosurePathsOf(parseCredential(split.sdJwt)).map(({ presented }) => presented);
    } catch {
      return fail("CONSENT_RECEIPT_INPUT_INVALID", "a presentation cannot be read");
    }
    if (split.kbJwt !== undefined) {
      const iat = decodeCompactJws(split.kbJwt, MAX_KEY_BINDING_JWT_LENGTH)?.payload.iat;
      if (Number.isSafeInteger(iat) && (latest === undefined || (iat as number) > latest)) latest = iat as number;
    }
    return { query: queryId, credential: credentialLeaf(split.sdJwt), key_binding: split.kbJwt === undefined ? null : sha256Hex(split.kbJwt), claims };
  });
  const time = givenTime ?? latest;
  if (time === undefined) return fail("CONSENT_RECEIPT_INPUT_INVALID", "time: no key-binding JWT says when");
  try {
    return parseConsentReceipt({ format: CONSENT_RECEIPT_FORMAT, version: CONSENT_RECEIPT_VERSION, request: sha256Hex(requestObject), time, credentials });
  } catch (error) {
    return fail("CONSENT_RECEIPT_INPUT_INVALID", error instanceof Error ? error.message : undefined);
  }
}
