import { hkdfSync } from "node:crypto";
import { STATUS_LIST_CAPACITY } from "@certchain/sdk";

const HALF_BITS = 10; // STATUS_LIST_CAPACITY = 2^20: two halves of 10 bits
const HALF = 1 << HALF_BITS;
const ROUNDS = 6;

/**
 * A keyed permutation of a status list's offsets (0 … 2^20 − 1): a balanced Feistel network over
 * two 10-bit halves, each round's function a table drawn from `key` (HKDF-SHA256). Offsets handed
 * out as `permute(0), permute(1), …` never repeat, and to anyone without the key they say
 * nothing of the order or number of certificates issued (draft-ietf-oauth-status-list, privacy
 * considerations: non-sequential indexes).
 */
export function statusIndexPermutation(key: Uint8Array): (n: number) => number {
  if (STATUS_LIST_CAPACITY !== HALF * HALF) throw new Error("status lists are no longer 2^20 entries: the permutation needs other halves");
  const tables = Array.from({ length: ROUNDS }, (_, round) => {
    const bytes = Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), `certchain status index round ${round}`, 2 * HALF));
    return Uint16Array.from({ length: HALF }, (_, i) => bytes.readUInt16BE(2 * i) & (HALF - 1));
  });
  return (n) => {
    let left = n >>> HALF_BITS;
    let right = n & (HALF - 1);
    for (const table of tables) [left, right] = [right, left ^ table[right]];
    return (left << HALF_BITS) | right;
  };
}
