import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { utf8 } from "./bytes";

// noble is used in both runtimes: synchronous, identical results, and fast enough for
// the small inputs hashed here (disclosures, JWTs, 64-byte Merkle nodes).
export const sha256 = (data: Uint8Array | string): Uint8Array => nobleSha256(typeof data === "string" ? utf8(data) : data);
export const keccak256 = (data: Uint8Array | string): Uint8Array => keccak_256(typeof data === "string" ? utf8(data) : data);
