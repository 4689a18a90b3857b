// Base45 (RFC 9285): bytes as characters of the QR code's alphanumeric set, so a payload
// survives every scanner that returns text. Written here rather than taken from a package: the
// whole algorithm is the 20 lines below, checked against the RFC's own examples in tests, and
// the decoder must be strict in ways the small packages on npm are not (it is fed scanned input).

/** The 45 characters of QR alphanumeric mode, in RFC 9285's order. */
export const BASE45_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE45_ALPHABET.length; i++) VALUE[BASE45_ALPHABET.charCodeAt(i)] = i;

/**
 * Base45 (RFC 9285) of `bytes`: two bytes become three characters, a last odd byte two.
 *
 * @example
 * base45Encode(new TextEncoder().encode("AB")); // "BB8"
 */
export function base45Encode(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    let n = bytes[i] * 256 + bytes[i + 1];
    const c = n % 45;
    n = (n - c) / 45;
    out += BASE45_ALPHABET[c] + BASE45_ALPHABET[n % 45] + BASE45_ALPHABET[(n - (n % 45)) / 45];
  }
  if (bytes.length % 2 === 1) {
    const n = bytes[bytes.length - 1];
    out += BASE45_ALPHABET[n % 45] + BASE45_ALPHABET[(n - (n % 45)) / 45];
  }
  return out;
}

/**
 * The bytes of base45 text (RFC 9285). Strict: a character outside the alphabet, a length of 3k+1, or a group whose value does not
 * fit its bytes (RFC 9285 §4.2: "ZZZ" is 91,124 > 65,535) is refused with a TypeError.
 *
 * @example
 * new TextDecoder().decode(base45Decode("QED8WEX0")); // "ietf!"
 */
export function base45Decode(text: string): Uint8Array {
  if (text.length % 3 === 1) throw new TypeError("base45: invalid length");
  const out = new Uint8Array(Math.floor(text.length / 3) * 2 + (text.length % 3 === 2 ? 1 : 0));
  let o = 0;
  for (let i = 0; i < text.length; i += 3) {
    const group = text.slice(i, i + 3);
    let n = 0;
    for (let j = group.length - 1; j >= 0; j--) {
      const code = group.charCodeAt(j);
      const v = code < 128 ? VALUE[code] : -1;
      if (v < 0) throw new TypeError("base45: character outside the alphabet");
      n = n * 45 + v;
    }
    if (group.length === 3) {
      if (n > 0xffff) throw new TypeError("base45: group out of range");
      out[o++] = n >> 8;
      out[o++] = n & 0xff;
    } else {
      if (n > 0xff) throw new TypeError("base45: group out of range");
      out[o++] = n;
    }
  }
  return out;
}
