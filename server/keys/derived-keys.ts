import { createHash, randomBytes, scryptSync } from "node:crypto";

export type ScryptCost = { N: number; r: number; p: number };

const MAXMEM = 256 * 1024 * 1024;

/**
 * Passphrase-derived keys held in process memory, so that scrypt (~100 ms at N=2^15 on a small
 * VM) runs once per (passphrase, salt, cost, length) in a process, not once per sealed box.
 *
 * Holding them is safe: the process holds the passphrase itself and every key it opened with
 * them (signing keys, operator keys, the token secret) for as long as it runs; a derived key
 * gives an attacker reading this memory nothing those do not. Bounded, least recently used
 * first out; `forgetDerivedKeys` drops them all.
 */
const KEPT = 64;
const derived = new Map<string, Buffer>();
/** The salt this process seals under, by (passphrase, cost, cipher): see `sealingSalt`. */
const sealingSalts = new Map<string, Buffer>();
let derivations = 0;

const idOf = (...parts: (string | number)[]): string => createHash("sha256").update(JSON.stringify(parts)).digest("base64");
const derivedId = (passphrase: string, salt: Buffer, cost: ScryptCost, length: number) => idOf(passphrase.normalize("NFC"), salt.toString("base64"), cost.N, cost.r, cost.p, length);
const saltId = (passphrase: string, cost: ScryptCost, cipher: string) => idOf(passphrase.normalize("NFC"), cost.N, cost.r, cost.p, cipher);

function keep<T>(map: Map<string, T>, id: string, value: T, drop?: (value: T) => void): void {
  map.delete(id);
  map.set(id, value);
  if (map.size <= KEPT) return;
  const [oldest, evicted] = map.entries().next().value!;
  map.delete(oldest);
  drop?.(evicted);
}

/**
 * scrypt of the NFC passphrase, or the key remembered for these inputs. A key is remembered
 * only through `rememberKey`, once a box proved it right: a wrong passphrase derives each time.
 */
export function deriveKey(passphrase: string, salt: Buffer, cost: ScryptCost, length: number): Buffer {
  const id = derivedId(passphrase, salt, cost, length);
  const known = derived.get(id);
  if (known) {
    keep(derived, id, known);
    return known;
  }
  derivations++;
  return scryptSync(passphrase.normalize("NFC"), salt, length, { N: cost.N, r: cost.r, p: cost.p, maxmem: MAXMEM });
}

/**
 * Remembers `key` as the derivation of these inputs (a box's tag or MAC verified under it, or
 * this process sealed with it), and the salt as the one to seal under for this passphrase, cost
 * and cipher if none is chosen yet: a process that opened the boxes of its data directory seals
 * new ones under the salt it already derived, so the directory keeps few salts and a start
 * derives once per salt.
 */
export function rememberKey(passphrase: string, salt: Buffer, cost: ScryptCost, length: number, key: Buffer, cipher: string): void {
  keep(derived, derivedId(passphrase, salt, cost, length), key, (evicted) => evicted.fill(0));
  const id = saltId(passphrase, cost, cipher);
  if (!sealingSalts.has(id)) keep(sealingSalts, id, Buffer.from(salt));
}

/**
 * The salt to seal under: one per (passphrase, cost, cipher) in a process, random when first
 * needed (or adopted from a box opened before, see `rememberKey`), so sealing many boxes derives once.
 */
export function sealingSalt(passphrase: string, cost: ScryptCost, cipher: string): Buffer {
  const id = saltId(passphrase, cost, cipher);
  const salt = sealingSalts.get(id) ?? randomBytes(16);
  keep(sealingSalts, id, salt);
  return salt;
}

/** Drops (and zeroes) every remembered key and sealing salt: the next seal draws a new salt. */
export function forgetDerivedKeys(): void {
  for (const key of derived.values()) key.fill(0);
  derived.clear();
  sealingSalts.clear();
}

/** How many times this process ran scrypt for sealed boxes (what the memory above saves, made observable). */
export const scryptDerivations = (): number => derivations;
