import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { base64urlEncode, toHex, utf8, type Hex } from "./bytes";

type NodeCrypto = {
  createHash(alg: string): { update(data: Uint8Array | string): { digest(): Uint8Array } };
  hash?(alg: string, data: string, encoding: "base64url" | "hex"): string;
};

// In Node, SHA-256 from node:crypto is about four times faster than pure JS, and issuing hashes
// every disclosure. `process.getBuiltinModule` reaches it without an import a browser bundler
// would have to resolve; browsers get noble, with identical results.
const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.("node:crypto") as
  | NodeCrypto
  | undefined;

export const sha256: (data: Uint8Array | string) => Uint8Array = nodeCrypto
  ? (data) => nodeCrypto.createHash("sha256").update(data).digest()
  : (data) => nobleSha256(typeof data === "string" ? utf8(data) : data);

export const keccak256 = (data: Uint8Array | string): Uint8Array => keccak_256(typeof data === "string" ? utf8(data) : data);

/** base64url(SHA-256(UTF-8 text)): an SD-JWT disclosure digest. One native call in Node. */
export const sha256Base64url: (text: string) => string = nodeCrypto?.hash
  ? (text) => nodeCrypto.hash!("sha256", text, "base64url")
  : (text) => base64urlEncode(sha256(text));

/** 0x-hex SHA-256 of UTF-8 text: a credential's Merkle leaf. One native call in Node. */
export const sha256Hex: (text: string) => Hex = nodeCrypto?.hash
  ? (text) => `0x${nodeCrypto.hash!("sha256", text, "hex")}` as Hex
  : (text) => toHex(sha256(text));
