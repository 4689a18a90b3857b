import { CBORTag, decodeCBOR, encodeCBOR, type CBORType } from "@levischuck/tiny-cbor";
import { deflateSync, Inflate } from "fflate";
import { ENVELOPE_FORMAT, parseEnvelope, type AnchorProof, type Envelope } from "../envelope/envelope";
import { CertchainError } from "../errors";
import { credentialLeaf } from "../credential/leaf";
import { base64urlDecode, base64urlEncode, concatChunks, fromHex, fromUtf8, toHex, utf8, type Hex } from "../lib/bytes";
import { sha256 } from "../lib/hash";
import { sm3 } from "../lib/sm3";
import { processProof } from "../merkle/tree";
import { base45Decode, base45Encode } from "./base45";
import { PAPER_DICTIONARY_V1 } from "./dictionary";
import { jsonTextOf, jsonTreeOf } from "./json-tree";

const ZERO_HASH: Hex = `0x${"0".repeat(64)}`;
/**
 * CBOR tag (unassigned in the IANA registry, private to this layout) for "the digest of
 * disclosure number n": a revealed claim's digest in `_sd` is the hash of its disclosure, which
 * the QR code carries anyway, so it costs 2 bytes instead of 33.
 */
const DIGEST_OF_DISCLOSURE = 6;

/**
 * The digest the tag stands for: the hash of the credential's `_sd_alg` (SM3 for SM2 credentials,
 * else SHA-256, as layout 1 always had it). A reader that knows only SHA-256 gets a wrong digest
 * for an SM3 credential, which it could not verify anyway (its algorithm, SM2, is not allowed there).
 */
const digestFunctionOf = (sdAlg: unknown): ((text: string) => Uint8Array) => (sdAlg === "sm3" ? sm3 : sha256);

/**
 * What every paper payload starts with: "CC" for certchain, "1" for this layout. A later layout
 * gets a new number; a reader refuses numbers it does not know (FORMAT_UNSUPPORTED_VERSION).
 */
export const PAPER_PREFIX = "CC1:";
const ANY_PREFIX = /^CC([0-9]+):/;

/** Longest payload text read (QR version 40 holds 4,296 alphanumeric characters). */
export const MAX_PAPER_TEXT = 4_296;
/** Most bytes a payload may inflate to: far above any certificate, far below a decompression bomb. */
export const MAX_PAPER_INFLATED = 16 * 1024;
const MAX_DISCLOSURES = 256;
const MAX_PROOF_LENGTH = 64;

const malformed = (why: string): never => {
  throw new CertchainError("FORMAT_MALFORMED", `the QR payload is malformed: ${why}`);
};
const notEncodable = (why: string): never => {
  throw new CertchainError("PAPER_NOT_ENCODABLE", `this certificate cannot be put on paper: ${why}`);
};

/** base64url text as bytes, only if encoding them again gives the same text (so decoding rebuilds it exactly). */
function canonicalBytes(text: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = base64urlDecode(text);
  } catch {
    return notEncodable("a part of the credential is not base64url");
  }
  if (base64urlEncode(bytes) !== text) notEncodable("a part of the credential is not canonical base64url");
  return bytes;
}

/** A JSON part of the credential (header, payload, a disclosure): its tree when that gives back its exact bytes, else the bytes. */
function packPart(text: string): CBORType {
  const bytes = canonicalBytes(text);
  let json: string;
  try {
    json = fromUtf8(bytes);
  } catch {
    return bytes;
  }
  const tree = jsonTreeOf(json);
  // Only objects and arrays as trees: a byte string always means raw bytes. And the UTF-8 must be
  // the text's own (a byte-order mark, for one, would not survive).
  const exact = tree !== undefined && (tree instanceof Map || Array.isArray(tree)) && base64urlEncode(utf8(json)) === text;
  return exact ? tree : bytes;
}

/** The tree with each byte string inside a JSON part replaced by `replace(bytes)` (a raw part is left alone). */
function mapBytes(tree: CBORType, replace: (bytes: Uint8Array) => CBORType, depth = 0): CBORType {
  if (depth > 40) return malformed("too deeply nested");
  if (Array.isArray(tree)) return tree.map((v) => mapBytes(v, replace, depth + 1));
  if (tree instanceof Map) return new Map([...tree].map(([k, v]) => [k, mapBytes(v, replace, depth + 1)]));
  return depth > 0 && tree instanceof Uint8Array ? replace(tree) : tree;
}

/** Tags of the layout inside a JSON part, back to the bytes they stand for; anything else tagged is refused. */
function resolveTags(tree: CBORType, digestOf: (index: number) => Uint8Array, depth = 0): CBORType {
  if (depth > 40) return malformed("too deeply nested");
  if (tree instanceof CBORTag) {
    const index = tree.value;
    if (tree.tag !== DIGEST_OF_DISCLOSURE || !isCount(index)) return malformed("unexpected tag");
    return digestOf(index);
  }
  if (Array.isArray(tree)) return tree.map((v) => resolveTags(v, digestOf, depth + 1));
  if (tree instanceof Map) return new Map([...tree].map(([k, v]) => [k, resolveTags(v, digestOf, depth + 1)]));
  return tree;
}

function unpackPart(part: unknown): string {
  if (part instanceof Uint8Array) return base64urlEncode(part);
  if (part instanceof Map || Array.isArray(part)) return base64urlEncode(utf8(jsonTextOf(part)));
  return malformed("unexpected credential part");
}

/**
 * The compact binary form of a presentation (layout 1, docs/paper.md): CBOR of the credential's
 * parts (JSON parts as CBOR trees whose base64url hashes are bytes; the signature as bytes) and
 * of the anchor reference (chain id, registry address, Merkle proof, registry id when known),
 * raw-deflated with the frozen dictionary of layout 1, then base45 after the prefix "CC1:". The
 * credential comes back byte for byte; the root is recomputed from the leaf and the proof, and
 * the transaction, block and anchor time (read from the chain by verify) are left out. Only
 * anchored envelopes go on paper: a pending one could never verify from a printout.
 *
 * @throws CertchainError `PAPER_NOT_ENCODABLE` (pending, key binding, non-canonical parts), or the
 *   envelope's own FORMAT_MALFORMED.
 * @example
 * const text = encodePaperPayload(presentCredential(envelope, ["company_name"])); // "CC1:6BF…"
 */
export function encodePaperPayload(input: Envelope | string): string {
  const envelope = parseEnvelope(input);
  if (envelope.anchor.status !== "anchored") return notEncodable("it is not anchored yet");
  const parts = envelope.credential.split("~");
  if (parts.length < 2 || parts[parts.length - 1] !== "") notEncodable("the presentation carries a key-binding JWT");
  const jws = parts[0].split(".");
  if (jws.length !== 3) notEncodable("the credential is not a compact JWS");
  const anchor = envelope.anchor;
  const registryId = (anchor as { registryId?: Hex }).registryId;
  const disclosures = parts.slice(1, -1);
  let sdAlg: unknown;
  try {
    sdAlg = (JSON.parse(fromUtf8(base64urlDecode(jws[1]))) as { _sd_alg?: unknown })?._sd_alg;
  } catch {
    // not JSON: packed as bytes below, and no digest in it is referred to
  }
  const digestOf = digestFunctionOf(sdAlg);
  const digests = new Map(disclosures.map((d, i) => [base64urlEncode(digestOf(d)), i]));
  const refer = (tree: CBORType, self = -1): CBORType =>
    mapBytes(tree, (bytes) => {
      const index = bytes.length === 32 ? digests.get(base64urlEncode(bytes)) : undefined;
      return index === undefined || index === self ? bytes : new CBORTag(DIGEST_OF_DISCLOSURE, index);
    });
  const value: CBORType = [
    envelope.version,
    packPart(jws[0]),
    refer(packPart(jws[1])),
    canonicalBytes(jws[2]),
    disclosures.map((d, i) => refer(packPart(d), i)),
    [anchor.chainId, fromHex(anchor.registry), anchor.proof.map((p) => fromHex(p)), ...(registryId !== undefined ? [fromHex(registryId)] : [])],
  ];
  const packed = deflateSync(encodeCBOR(value), { level: 9, mem: 8, dictionary: PAPER_DICTIONARY_V1 });
  return PAPER_PREFIX + base45Encode(packed);
}

/** Whether `input` is paper payload text (by its prefix; `decodePaperPayload` is the judge). */
export function isPaperPayload(input: unknown): input is string {
  return typeof input === "string" && ANY_PREFIX.test(input.trimStart());
}

/** Raw inflate that stops as soon as the output passes the cap (a bomb never gets to allocate). */
function inflateBounded(data: Uint8Array): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  const inflater = new Inflate({ dictionary: PAPER_DICTIONARY_V1 }, (chunk, final) => {
    total += chunk.length;
    if (total > MAX_PAPER_INFLATED) throw new CertchainError("FORMAT_MALFORMED", "the QR payload is malformed: it inflates beyond the limit");
    chunks.push(chunk);
    if (final) ended = true;
  });
  try {
    for (let i = 0; i < data.length; i += 64) inflater.push(data.subarray(i, i + 64), i + 64 >= data.length);
  } catch (error) {
    if (error instanceof CertchainError) throw error;
    malformed("not deflate data");
  }
  if (!ended) malformed("the deflate data is cut short");
  return concatChunks(chunks, total);
}

const isBytes = (v: unknown, length?: number): v is Uint8Array => v instanceof Uint8Array && (length === undefined || v.length === length);
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/**
 * Reads paper payload text (from a QR code) back into the envelope it was made from, strictly:
 * the prefix and layout number, base45, a raw-deflate stream that must end and inflate to at
 * most 16 KiB, and CBOR of exactly the layout's shape. The envelope then goes through `verify`
 * like any file (`verify` accepts the text itself, too).
 *
 * @throws CertchainError `FORMAT_MALFORMED` (with what is wrong), `FORMAT_UNSUPPORTED_VERSION`
 *   (a later layout, "CC2:").
 * @example
 * const envelope = decodePaperPayload(scannedText);
 */
export function decodePaperPayload(text: string): Envelope {
  if (typeof text !== "string") return malformed("not text");
  const trimmed = text.trim();
  if (trimmed.length > MAX_PAPER_TEXT + PAPER_PREFIX.length) malformed("it is longer than any QR code holds");
  const prefix = ANY_PREFIX.exec(trimmed);
  if (!prefix) return malformed("it does not start with CC1:");
  if (prefix[0] !== PAPER_PREFIX) throw new CertchainError("FORMAT_UNSUPPORTED_VERSION", `QR payload layout ${prefix[1]} is not supported by this SDK`);
  let packed: Uint8Array;
  try {
    packed = base45Decode(trimmed.slice(PAPER_PREFIX.length));
  } catch {
    return malformed("it is not base45");
  }
  let value: unknown;
  try {
    value = decodeCBOR(inflateBounded(packed));
  } catch (error) {
    if (error instanceof CertchainError) throw error;
    return malformed("it is not CBOR");
  }
  if (!Array.isArray(value) || value.length !== 6) return malformed("unexpected structure");
  const [version, header, payload, signature, disclosures, anchor] = value as unknown[];
  if (!isCount(version) || !isBytes(signature)) return malformed("unexpected credential parts");
  if (!Array.isArray(disclosures) || disclosures.length > MAX_DISCLOSURES) return malformed("unexpected disclosures");
  if (!Array.isArray(anchor) || (anchor.length !== 3 && anchor.length !== 4)) return malformed("unexpected anchor");
  const [chainId, registry, proof, registryId] = anchor as unknown[];
  const wellFormed =
    isCount(chainId) &&
    chainId > 0 &&
    isBytes(registry, 20) &&
    Array.isArray(proof) &&
    proof.length <= MAX_PROOF_LENGTH &&
    proof.every((p) => isBytes(p, 32)) &&
    (registryId === undefined || isBytes(registryId, 32));
  if (!wellFormed) return malformed("unexpected anchor fields");
  let credential: string;
  try {
    // Disclosures first (a nested one may name another's digest), each once; a loop of
    // references (impossible with real hashes) is malformed.
    const texts: (string | null | undefined)[] = new Array(disclosures.length);
    const textOf = (i: number): string => {
      if (i >= disclosures.length) return malformed("a reference to a missing disclosure");
      const known = texts[i];
      if (known === null) return malformed("disclosures refer to each other in a loop");
      if (known !== undefined) return known;
      texts[i] = null;
      return (texts[i] = unpackPart(resolveTags(disclosures[i] as CBORType, digestOf)));
    };
    const hash = digestFunctionOf(payload instanceof Map ? payload.get("_sd_alg") : undefined);
    const digestOf = (i: number): Uint8Array => hash(textOf(i));
    const disclosed = disclosures.map((_, i) => textOf(i));
    credential = `${unpackPart(header)}.${unpackPart(resolveTags(payload as CBORType, digestOf))}.${base64urlEncode(signature)}~${disclosed.map((d) => `${d}~`).join("")}`;
  } catch (error) {
    if (error instanceof CertchainError) throw error;
    return malformed("a credential part is not JSON");
  }
  const path = (proof as Uint8Array[]).map(toHex);
  const anchorProof: AnchorProof & { registryId?: Hex } = {
    status: "anchored",
    chainId,
    registry: toHex(registry),
    ...(registryId !== undefined ? { registryId: toHex(registryId as Uint8Array) } : {}),
    // The root the proof leads to: the chain says whether that root is anchored (a changed
    // proof leads to a root it never saw: ANCHOR_ROOT_NOT_FOUND).
    root: processProof(credentialLeaf(credential), path),
    proof: path,
    // Not on paper (verify reads the block and the anchor time from the chain): the zero hash,
    // block 0 and an empty time say so rather than invent values.
    transaction: ZERO_HASH,
    block: 0,
    anchoredAt: "",
  };
  // The envelope's own reader judges the version and the rest, as for a file.
  return parseEnvelope({ format: ENVELOPE_FORMAT, version, credential, anchor: anchorProof });
}
