import { CertchainError } from "../errors";

// ISO/IEC 7064 MOD 37,36: the hybrid system for alphanumeric strings. One check character
// from the same 36-character alphabet, so a protected string stays within 0-9A-Z. It detects
// every single substitution but not quite every adjacent transposition (ISO: "all or nearly
// all"): it misses two alphabet neighbours (e.g. 0/1, Z/0) swapped where their running sums S
// are 18 and 19 (the next P are 36 and 1, neighbours mod 36, so the swapped neighbour brings
// the sums back together). That is 36 of the 22,680 (state, pair) cases, about 1 in 630.
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const M = 36;

const valueOf = (char: string): number => (char.length === 1 ? ALPHABET.indexOf(char) : -1);

/** S_j = ||P_j + a_j||_M, where ||x||_M is x mod M but M instead of 0. */
const sumOf = (p: number, value: number): number => (p + value) % M || M;

/** P_{j+1} = 2 S_j mod (M + 1); P_1 = M. */
const next = (p: number, value: number): number => (2 * sumOf(p, value)) % (M + 1);

/** P after every character, or -1 when a character is outside 0-9A-Z. */
function productAfter(input: string): number {
  let p = M;
  for (const char of input) {
    const value = valueOf(char);
    if (value < 0) return -1;
    p = next(p, value);
  }
  return p;
}

/**
 * The MOD 37,36 check character of an uppercase alphanumeric string.
 *
 * @throws CertchainError `CHECK_INPUT_INVALID` for a non-string or a character outside 0-9A-Z.
 * @example
 * computeCheckCharacter("A12425GABC1234002"); // "M"
 */
export function computeCheckCharacter(input: string): string {
  const p = typeof input === "string" ? productAfter(input) : -1;
  if (p < 0) throw new CertchainError("CHECK_INPUT_INVALID", "check input must be a string of 0-9A-Z");
  // The character that brings the final S to 1.
  return ALPHABET[(M + 1 - p) % M];
}

/**
 * Whether the last character is the MOD 37,36 check character of the rest. Checked the ISO way,
 * independently of computeCheckCharacter: running the recurrence over the whole string,
 * check character included, must leave S = 1. Never throws.
 *
 * @example
 * isValidCheckCharacter("A12425GABC1234002M"); // true
 */
export function isValidCheckCharacter(protectedString: unknown): boolean {
  if (typeof protectedString !== "string" || protectedString.length === 0) return false;
  const p = productAfter(protectedString.slice(0, -1));
  const last = valueOf(protectedString.slice(-1));
  return p >= 0 && last >= 0 && sumOf(p, last) === 1;
}
