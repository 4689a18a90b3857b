// Byte helpers that behave the same in Node and in browsers (no Buffer).

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** A 0x-prefixed hexadecimal string: addresses, hashes, Merkle roots and proofs. */
export type Hex = `0x${string}`;

export const utf8 = (text: string): Uint8Array => encoder.encode(text);

/** Throws on invalid UTF-8: callers turn that into a format failure. */
export const fromUtf8 = (bytes: Uint8Array): string => decoder.decode(bytes);

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

type NodeBuffer = {
  from(data: Uint8Array | string, encoding?: string): Uint8Array & { toString(encoding: string): string };
  from(data: ArrayBufferLike, byteOffset: number, length: number): Uint8Array & { toString(encoding: string): string };
};
// Node's Buffer codes hex and base64url natively (several times faster than loops; Merkle trees
// and proofs turn every node into hex); browsers use the portable paths. Decoders stay strict
// about the alphabet through the checks below.
const NodeBuffer = (globalThis as { Buffer?: NodeBuffer }).Buffer;

// One join builds a flat string: appending byte by byte leaves V8 a rope of 64 pieces per value
// (about 1.5 KB of heap for a 32-byte hash, and seconds of GC over a 100,000-certificate batch).
export function toHex(bytes: Uint8Array): Hex {
  if (NodeBuffer) return `0x${NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}` as Hex;
  const out = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = HEX_BYTE[bytes[i]];
  return `0x${out.join("")}` as Hex;
}

const HEX_32 = /^0x[0-9a-fA-F]{64}$/;
export const isBytes32Hex = (value: unknown): value is Hex => typeof value === "string" && HEX_32.test(value);

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUE["0123456789abcdef".charCodeAt(i)] = i;
  HEX_VALUE["0123456789ABCDEF".charCodeAt(i)] = i;
}

export function fromHex(hex: string): Uint8Array {
  const start = hex.startsWith("0x") ? 2 : 0;
  if ((hex.length - start) % 2 !== 0) throw new TypeError("invalid hex");
  const out = new Uint8Array((hex.length - start) / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = HEX_VALUE[hex.charCodeAt(start + 2 * i)] ?? -1;
    const lo = HEX_VALUE[hex.charCodeAt(start + 2 * i + 1)] ?? -1;
    if (hi < 0 || lo < 0) throw new TypeError("invalid hex");
    out[i] = (hi << 4) | lo;
  }
  return out;
}

const B64URL = /^[A-Za-z0-9_-]*$/;

export function base64urlEncode(bytes: Uint8Array): string {
  // A view, not a copy, of the caller's bytes.
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * base64url of the UTF-8 bytes of `text`: JWT segments and SD-JWT disclosures. Node encodes the
 * string in one pass into its pooled buffer memory; the portable path is `utf8` then encode.
 */
export const base64urlOfUtf8: (text: string) => string = NodeBuffer
  ? (text) => NodeBuffer.from(text, "utf8").toString("base64url")
  : (text) => base64urlEncode(utf8(text));

/** Standard base64 with padding (RFC 4648 §4), as W3C Subresource Integrity writes digests. */
export const base64Encode = (bytes: Uint8Array): string => {
  const url = base64urlEncode(bytes);
  return url.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((url.length + 3) % 4);
};

/** Strict: rejects padding and characters outside the base64url alphabet. */
export function base64urlDecode(text: string): Uint8Array {
  if (!B64URL.test(text) || text.length % 4 === 1) throw new TypeError("invalid base64url");
  if (NodeBuffer) return new Uint8Array(NodeBuffer.from(text, "base64url"));
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** The chunks a stream gave, as one array (`length`: their total, when the reader counted it). */
export function concatChunks(chunks: readonly Uint8Array[], length = chunks.reduce((sum, chunk) => sum + chunk.length, 0)): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
