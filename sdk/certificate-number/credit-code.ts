/**
 * The unified social credit code (统一社会信用代码, GB 32100-2015) of a legal entity: 18
 * characters — registration authority, entity category, six-digit administrative division code,
 * nine-character organisation code, and a check character. An agency's code is the issuer segment
 * of its certificate numbers, and the registry holds it.
 */

// GB 32100's alphabet: digits and capitals without I, O, S, V and Z, valued 0 to 30.
const ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
// Weight of position i is 3^i mod 31.
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const STRUCTURE = /^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

/** What {@link checkCreditCode} found: fine, or why not (a stable code and a fixed message). */
export type CheckCreditCodeResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: "CREDIT_CODE_MALFORMED" | "CREDIT_CODE_CHECK_FAILED"; readonly message: string };

/**
 * The check character for the first 17 characters of a code: the character of value
 * 31 − (Σ value_i × weight_i mod 31), where 31 stands for 0.
 *
 * @example
 * creditCodeCheckCharacter("91310115MA1H7Q2K3"); // "R"
 */
export function creditCodeCheckCharacter(first17: string): string {
  if (typeof first17 !== "string" || first17.length !== 17 || !STRUCTURE.test(`${first17}0`)) throw new TypeError("17 characters of a unified social credit code expected");
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += ALPHABET.indexOf(first17[i]) * WEIGHTS[i];
  return ALPHABET[(31 - (sum % 31)) % 31];
}

/**
 * Whether a unified social credit code is well formed and its check character right. Never
 * throws; messages never echo the input.
 *
 * @example
 * checkCreditCode("91310115MA1H7Q2K3R"); // { ok: true }
 * checkCreditCode("91310115MA1H7Q2K3X").ok; // false: CREDIT_CODE_CHECK_FAILED
 */
export function checkCreditCode(input: unknown): CheckCreditCodeResult {
  if (typeof input !== "string" || !STRUCTURE.test(input)) {
    return { ok: false, code: "CREDIT_CODE_MALFORMED", message: "a unified social credit code is 18 characters of 0-9 and A-Y without I, O, S and V, the 3rd to 8th digits" };
  }
  if (creditCodeCheckCharacter(input.slice(0, 17)) !== input[17]) {
    return { ok: false, code: "CREDIT_CODE_CHECK_FAILED", message: "the check character (the 18th) of the unified social credit code is wrong" };
  }
  return { ok: true };
}

/** The registry's `bytes18` form of a code (its ASCII bytes). */
export const creditCodeToBytes18 = (code: string): `0x${string}` => {
  if (typeof code !== "string" || !/^[\x21-\x7e]{18}$/.test(code)) throw new TypeError("18 ASCII characters expected");
  return `0x${Array.from(code, (c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("")}`;
};

/** A code read from the registry's `bytes18`; "" for none (all zero). */
export function creditCodeFromBytes18(hex: string): string {
  const body = typeof hex === "string" ? hex.replace(/^0x/, "") : "";
  if (!/^[0-9a-fA-F]{36}$/.test(body) || /^0+$/.test(body)) return "";
  let out = "";
  for (let i = 0; i < 36; i += 2) out += String.fromCharCode(parseInt(body.slice(i, i + 2), 16));
  return out;
}
