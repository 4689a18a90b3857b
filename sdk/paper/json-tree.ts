// JSON text ⇄ a CBOR tree that gives back the very same text. The signature and the disclosure
// digests cover exact bytes, so a part is only packed as a tree when serialising the tree gives
// the original text again (checked at encoding); otherwise it travels as raw bytes.
//
// Why trees at all: a credential is mostly base64url hashes (digests in `_sd`, the key id, the
// salts). As text each 32-byte hash costs 43 characters; as a CBOR byte string 33 bytes.
import type { CBORType } from "@levischuck/tiny-cbor";
import { base64urlDecode, base64urlEncode } from "../lib/bytes";

/** Deep enough for any certificate (nested disclosures are two or three levels). */
const MAX_DEPTH = 32;
const B64URL = /^[A-Za-z0-9_-]{16,}$/;

/** A string that is canonical base64url (of at least 12 bytes) travels as its bytes: lossless, since the text is rebuilt by encoding them again. */
function packString(text: string): CBORType {
  if (!B64URL.test(text) || text.length % 4 === 1) return text;
  const bytes = base64urlDecode(text);
  return base64urlEncode(bytes) === text ? bytes : text;
}

function pack(value: unknown, depth: number): CBORType {
  if (depth > MAX_DEPTH) throw new TypeError("too deep");
  if (typeof value === "string") return packString(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => pack(v, depth + 1));
  if (typeof value === "object") {
    const map = new Map<string, CBORType>();
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) map.set(key, pack(v, depth + 1));
    return map;
  }
  throw new TypeError("not JSON");
}

/**
 * The JSON text a tree stands for. Byte strings become base64url strings; anything JSON cannot
 * hold (tags, undefined, non-finite numbers, bigints, non-string keys) is refused.
 */
export function jsonTextOf(tree: unknown, depth = 0): string {
  if (depth > MAX_DEPTH) throw new TypeError("too deep");
  if (typeof tree === "string" || typeof tree === "boolean" || tree === null) return JSON.stringify(tree);
  if (typeof tree === "number") {
    if (!Number.isFinite(tree)) throw new TypeError("not a JSON number");
    return JSON.stringify(tree);
  }
  if (tree instanceof Uint8Array) return `"${base64urlEncode(tree)}"`;
  if (Array.isArray(tree)) return `[${tree.map((v) => jsonTextOf(v, depth + 1)).join(",")}]`;
  if (tree instanceof Map) {
    const members: string[] = [];
    for (const [key, v] of tree) {
      if (typeof key !== "string") throw new TypeError("not a JSON member name");
      members.push(`${JSON.stringify(key)}:${jsonTextOf(v, depth + 1)}`);
    }
    return `{${members.join(",")}}`;
  }
  throw new TypeError("not JSON");
}

/** The tree of JSON text, or undefined when the text is not JSON or its tree would not give it back exactly. */
export function jsonTreeOf(text: string): CBORType | undefined {
  try {
    const tree = pack(JSON.parse(text), 0);
    return jsonTextOf(tree) === text ? tree : undefined;
  } catch {
    return undefined;
  }
}
