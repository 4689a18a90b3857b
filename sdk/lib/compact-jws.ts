import { base64urlDecode, base64urlEncode, base64urlOfUtf8, fromUtf8, utf8 } from "./bytes";
import { hasDuplicateNames } from "./strict-json";

/** A compact JWS taken apart, nothing verified. */
export interface DecodedJws {
  /** The JWS exactly as given. */
  text: string;
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** `<header>.<payload>` as bytes: what the signature covers. */
  signingInput: Uint8Array;
  signature: Uint8Array;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function decodeObject(segment: string): Record<string, unknown> | undefined {
  try {
    const text = fromUtf8(base64urlDecode(segment));
    const value: unknown = JSON.parse(text);
    // I-JSON: a member named twice could mean one thing to us and another to the signer's library.
    return isObject(value) && !hasDuplicateNames(text) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Splits a compact JWS (`<header>.<payload>.<signature>`, JSON header and payload) without
 * trusting any of it; undefined when it is not one, is longer than `maxLength`, or names a JSON
 * member twice. Never throws.
 */
export function decodeCompactJws(text: unknown, maxLength: number): DecodedJws | undefined {
  if (typeof text !== "string" || text.length === 0 || text.length > maxLength) return undefined;
  const segments = text.split(".");
  if (segments.length !== 3) return undefined;
  const header = decodeObject(segments[0]);
  const payload = decodeObject(segments[1]);
  if (!header || !payload) return undefined;
  let signature: Uint8Array;
  try {
    signature = base64urlDecode(segments[2]);
  } catch {
    return undefined;
  }
  return { text, header, payload, signingInput: utf8(`${segments[0]}.${segments[1]}`), signature };
}

/** Signs `header`.`payload` (JSON, base64url) with `sign`, which returns the raw JWS signature. */
export async function signCompactJws(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  sign: (input: Uint8Array) => Uint8Array | Promise<Uint8Array>,
): Promise<string> {
  const signingInput = `${base64urlOfUtf8(JSON.stringify(header))}.${base64urlOfUtf8(JSON.stringify(payload))}`;
  const signature = await sign(utf8(signingInput));
  return `${signingInput}.${base64urlEncode(signature)}`;
}
