import { CertchainError, type CertchainErrorCode } from "../errors";
import { base64urlDecode, fromUtf8, utf8 } from "../lib/bytes";
import { hasDuplicateNames } from "../lib/strict-json";
import { isAllowedAlgorithm, type SignatureAlgorithm } from "./algorithms";

/** Generous for any certificate, small enough that hostile input cannot exhaust memory. */
export const MAX_CREDENTIAL_LENGTH = 256 * 1024;
export const MAX_DISCLOSURES = 512;

/** One decoded SD-JWT disclosure: `[salt, name, value]` (or `[salt, value]` in an array). */
export interface Disclosure {
  /** The base64url text as it appears between `~`. */
  encoded: string;
  salt: string;
  /** Absent for an array element disclosure. */
  name?: string;
  value: unknown;
}

/** A decoded SD-JWT, nothing verified: see {@link parseCredential}. */
export interface ParsedCredential {
  /** The issuer-signed JWT (compact JWS). */
  jwt: string;
  header: Record<string, unknown> & { alg: SignatureAlgorithm };
  payload: Record<string, unknown>;
  signingInput: Uint8Array;
  signature: Uint8Array;
  disclosures: Disclosure[];
}

const fail = (code: CertchainErrorCode, message: string): never => {
  throw new CertchainError(code, message);
};

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

type NodeBuffer = { from(text: string, encoding: "base64url"): Uint8Array };
const NodeBuffer = (globalThis as { Buffer?: NodeBuffer }).Buffer;
const B64URL = /^[A-Za-z0-9_-]*$/;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * base64url text to UTF-8 text, as `fromUtf8(base64urlDecode(part))` (as strict: alphabet,
 * length, fatal UTF-8) without copying the bytes in between (Node's Buffer decodes natively).
 */
function base64urlText(part: string): string {
  if (!NodeBuffer) return fromUtf8(base64urlDecode(part));
  if (!B64URL.test(part) || part.length % 4 === 1) throw new TypeError("invalid base64url");
  return strictUtf8.decode(NodeBuffer.from(part, "base64url"));
}

/**
 * A batch's certificates share a few JWT headers (one per signing key): each distinct header
 * segment is decoded and checked for duplicate names once, then only parsed again (callers get
 * their own object). Bounded, so hostile input cannot grow it.
 */
const headerTexts = new Map<string, string>();
const HEADER_TEXTS_LIMIT = 64;

/** Signed JSON must mean one thing to every reader: a member named twice is refused (I-JSON). */
function decodeJson(part: string, what: string, memo?: Map<string, string>): unknown {
  const known = memo?.get(part);
  if (known !== undefined) return JSON.parse(known);
  let text: string;
  let value: unknown;
  try {
    text = base64urlText(part);
    value = JSON.parse(text);
  } catch {
    return fail("FORMAT_MALFORMED", `${what} is not base64url-encoded JSON`);
  }
  if (hasDuplicateNames(text)) fail("FORMAT_MALFORMED", `${what} names a member twice`);
  if (memo) {
    if (memo.size >= HEADER_TEXTS_LIMIT) memo.clear();
    memo.set(part, text);
  }
  return value;
}

// RFC 9901 §4: a key-binding JWT is a compact JWS whose header says typ "kb+jwt".
function isKeyBindingJwt(part: string): boolean {
  const segments = part.split(".");
  if (segments.length !== 3) return false;
  try {
    const header: unknown = JSON.parse(fromUtf8(base64urlDecode(segments[0])));
    return isPlainObject(header) && header.typ === "kb+jwt";
  } catch {
    return false;
  }
}

function parseDisclosure(encoded: string): Disclosure {
  const decoded = decodeJson(encoded, "a disclosure");
  if (!Array.isArray(decoded) || typeof decoded[0] !== "string") return fail("FORMAT_MALFORMED", "a disclosure is not [salt, name?, value]");
  if (decoded.length === 3 && typeof decoded[1] === "string") return { encoded, salt: decoded[0], name: decoded[1], value: decoded[2] };
  if (decoded.length === 2) return { encoded, salt: decoded[0], value: decoded[1] };
  return fail("FORMAT_MALFORMED", "a disclosure is not [salt, name?, value]");
}

/**
 * Splits and decodes an SD-JWT (`<jwt>~<disclosure>~…~`) without trusting anything in it.
 * Throws `CertchainError` with a FORMAT_* code; checks nothing cryptographic.
 */
export function parseCredential(sdJwt: unknown): ParsedCredential {
  if (typeof sdJwt !== "string" || sdJwt.length === 0) return fail("FORMAT_MALFORMED", "the credential is not a string");
  if (sdJwt.length > MAX_CREDENTIAL_LENGTH) return fail("FORMAT_MALFORMED", "the credential is too large");
  const parts = sdJwt.split("~");
  if (parts.length < 2) return fail("FORMAT_MALFORMED", "the credential has no SD-JWT separator");
  // Something after the last "~" is either a key-binding JWT or a credential cut off in a disclosure.
  const last = parts[parts.length - 1];
  if (last !== "") {
    if (isKeyBindingJwt(last)) return fail("FORMAT_KEY_BINDING_UNSUPPORTED", "a key-binding JWT is checked by verifyPresentation, against the request it answers");
    return fail("FORMAT_MALFORMED", "the credential is cut off or has trailing data after its last disclosure");
  }
  const [jwt, ...rest] = parts;
  const encodedDisclosures = rest.slice(0, -1);
  if (encodedDisclosures.length > MAX_DISCLOSURES) return fail("FORMAT_MALFORMED", "too many disclosures");

  const segments = jwt.split(".");
  if (segments.length !== 3) return fail("FORMAT_MALFORMED", "the issuer-signed JWT is not a compact JWS");
  const header = decodeJson(segments[0], "the JWT header", headerTexts);
  const payload = decodeJson(segments[1], "the JWT payload");
  if (!isPlainObject(header) || !isPlainObject(payload)) return fail("FORMAT_MALFORMED", "the JWT header or payload is not an object");
  if (!isAllowedAlgorithm(header.alg)) return fail("FORMAT_ALGORITHM_NOT_ALLOWED", `algorithm ${JSON.stringify(header.alg)} is not allowed`);
  if (header.typ !== "dc+sd-jwt") return fail("FORMAT_WRONG_MEDIA_TYPE", "typ must be dc+sd-jwt");
  if ("crit" in header) return fail("FORMAT_MALFORMED", "critical header parameters are not supported");
  let signature: Uint8Array;
  try {
    signature = base64urlDecode(segments[2]);
  } catch {
    return fail("FORMAT_MALFORMED", "the signature is not base64url");
  }
  if (signature.length !== 64) return fail("FORMAT_MALFORMED", "the signature has the wrong length");

  return {
    jwt,
    header: header as ParsedCredential["header"],
    payload,
    signingInput: utf8(`${segments[0]}.${segments[1]}`),
    signature,
    disclosures: encodedDisclosures.map(parseDisclosure),
  };
}

export { isPlainObject };
