import { getMinHashLength, mapHashToField } from "@noble/curves/abstract/modular.js";
import { weierstrass } from "@noble/curves/abstract/weierstrass.js";
import { bytesToNumberBE, concatBytes, numberToBytesBE } from "@noble/curves/utils.js";
import { utf8 } from "../lib/bytes";
import { sm3 } from "../lib/sm3";

// SM2 signatures with SM3 (GB/T 32918.2-2016, ISO/IEC 14888-3:2018), on @noble/curves' audited
// generic short-Weierstrass arithmetic; only the scheme's equations are written here.
//
// Why not node:crypto: Node 20's OpenSSL 3.0 signs SM2 only with an *empty* user id (it has no
// way to pass `distid`), and a key from `generateKeyPairSync("ec", { namedCurve: "SM2" })` even
// signs ECDSA-with-SM3, not SM2. Neither verifies as GB/T 32918 with the default id elsewhere
// (GmSSL, BouncyCastle, sm-crypto, `openssl pkeyutl -pkeyopt distid:1234567812345678`). OpenSSL's
// SM2 (~1,000 verifications/s here) is not faster than this code either. Why not sm-crypto-v2:
// it bundles @noble/curves 1 and SM4, adding 57 KB (21 KB gzipped) to the browser SDK against
// 26 KB (9.5 KB) for this file; tests use it as the independent implementation.

/** The recommended curve sm2p256v1 (GB/T 32918.5-2017). */
export const SM2_CURVE = {
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  h: 1n,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  Gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  Gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
} as const;
const CURVE = SM2_CURVE;
const Point = /* @__PURE__ */ weierstrass(CURVE);
const N = CURVE.n;

/**
 * The distinguishing identifier every SM2 signature here is made and checked with: the default of
 * GM/T 0009-2012 §10 (and of GmSSL, BouncyCastle and sm-crypto), so that any of them verifies
 * certchain's signatures without configuration.
 */
export const SM2_USER_ID = "1234567812345678";

const CURVE_BYTES = concatBytes(...[CURVE.a, CURVE.b, CURVE.Gx, CURVE.Gy].map((v) => numberToBytesBE(v, 32)));
const mod = (value: bigint) => ((value % N) + N) % N;

/** ENTL_A || ID_A || a || b || x_G || y_G: what Z_A hashes before the public key. */
function zPrefix(userId: string): Uint8Array {
  const id = utf8(userId);
  const bits = id.length * 8;
  if (bits > 0xffff) throw new TypeError("the SM2 user id is too long");
  return concatBytes(new Uint8Array([bits >> 8, bits & 0xff]), id, CURVE_BYTES);
}

/** {@link zPrefix} of the user id {@link SM2_USER_ID}. */
export const SM2_Z_PREFIX: Uint8Array = /* @__PURE__ */ zPrefix(SM2_USER_ID);

/** Z_A = SM3(ENTL_A || ID_A || a || b || x_G || y_G || x_A || y_A), GB/T 32918.2 §5.5. */
export function sm2Z(publicKey: Uint8Array, userId: string = SM2_USER_ID): Uint8Array {
  return sm3(concatBytes(userId === SM2_USER_ID ? SM2_Z_PREFIX : zPrefix(userId), publicKey.subarray(1)));
}

// A batch is signed by few keys: each key's point and Z are worked out once.
interface KnownKey {
  point: InstanceType<typeof Point>;
  z: Uint8Array;
  uses: number;
}
// A key's precomputed multiples make each later verification about four times faster, but cost
// about as much as forty: worth it for a key that keeps coming back (a batch), not for one look.
const PRECOMPUTE_AFTER = 16;
const PRECOMPUTE_WINDOW = 8;
const keys = new Map<string, KnownKey | null>();
const KEYS_LIMIT = 1024;

function knownKey(publicKey: Uint8Array): KnownKey | null {
  const id = String.fromCharCode.apply(null, publicKey as unknown as number[]);
  let key = keys.get(id);
  if (key === undefined) {
    try {
      // fromBytes checks the point is on the curve and not the point at infinity.
      key = publicKey.length === 65 && publicKey[0] === 4 ? { point: Point.fromBytes(publicKey), z: sm2Z(publicKey), uses: 0 } : null;
    } catch {
      key = null;
    }
    if (keys.size >= KEYS_LIMIT) keys.clear();
    keys.set(id, key);
  }
  return key;
}

const digestOf = (z: Uint8Array, message: Uint8Array) => bytesToNumberBE(sm3(concatBytes(z, message)));

/**
 * Verifies an SM2 signature (`r || s`, 64 bytes) of `message` under an uncompressed public key
 * (65 bytes), with the user id {@link SM2_USER_ID}: GB/T 32918.2 §7.1, steps B1–B7. Never throws.
 */
export function verifySm2(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (signature.length !== 64) return false;
    const key = knownKey(publicKey);
    if (!key) return false;
    const r = bytesToNumberBE(signature.subarray(0, 32));
    const s = bytesToNumberBE(signature.subarray(32));
    if (r < 1n || r >= N || s < 1n || s >= N) return false; // B1, B2
    const e = digestOf(key.z, message); // B3, B4
    const t = mod(r + s); // B5
    if (t === 0n) return false;
    if (++key.uses === PRECOMPUTE_AFTER) key.point.precompute(PRECOMPUTE_WINDOW, false);
    const sum = Point.BASE.multiplyUnsafe(s).add(key.point.multiplyUnsafe(t)); // B6
    if (sum.is0()) return false;
    return mod(e + sum.x) === r; // B7
  } catch {
    return false;
  }
}

/** The uncompressed public key (65 bytes) of a 32-byte SM2 private key. */
export function sm2PublicKeyOf(privateKey: Uint8Array): Uint8Array {
  return Point.BASE.multiply(privateScalar(privateKey)).toBytes(false);
}

function privateScalar(privateKey: Uint8Array): bigint {
  const d = privateKey.length === 32 ? bytesToNumberBE(privateKey) : 0n;
  // d = n − 1 would make (1 + d) non-invertible (GB/T 32918.1 §6.1: d ∈ [1, n − 2]).
  if (d < 1n || d > N - 2n) throw new TypeError("an SM2 private key is 32 bytes, from 1 to n − 2");
  return d;
}

/** A fresh SM2 private key (32 bytes), uniform in [1, n − 2]. */
export function generateSm2PrivateKey(): Uint8Array {
  for (;;) {
    const candidate = mapHashToField(crypto.getRandomValues(new Uint8Array(getMinHashLength(N))), N);
    if (bytesToNumberBE(candidate) <= N - 2n) return candidate;
  }
}

/**
 * Signs `message` with an SM2 private key (32 bytes) and the user id {@link SM2_USER_ID}:
 * GB/T 32918.2 §6.1, steps A1–A7, with a fresh random k per signature. Returns `r || s`, 64 bytes.
 * The public key, if given, saves deriving it (it must be the private key's).
 */
export function signSm2(privateKey: Uint8Array, message: Uint8Array, publicKey?: Uint8Array): Uint8Array {
  const d = privateScalar(privateKey);
  const key = knownKey(publicKey ?? sm2PublicKeyOf(privateKey));
  if (!key) throw new TypeError("an SM2 public key is a 65-byte uncompressed point on the curve");
  const e = digestOf(key.z, message); // A1, A2
  const inverse = invert(1n + d);
  for (;;) {
    const k = bytesToNumberBE(mapHashToField(crypto.getRandomValues(new Uint8Array(getMinHashLength(N))), N)); // A3: 1 ≤ k < n
    const x1 = baseMultipleX(k); // A4, constant time
    const r = mod(e + x1); // A5
    if (r === 0n || r + k === N) continue;
    const s = mod(inverse * (k - r * d)); // A6
    if (s === 0n) continue;
    return concatBytes(numberToBytesBE(r, 32), numberToBytesBE(s, 32)); // A7
  }
}

type NodeEcdh = { setPrivateKey(key: Uint8Array): void; getPublicKey(): Uint8Array };
type NodeCrypto = { createECDH(curve: string): NodeEcdh };
const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.("node:crypto") as NodeCrypto | undefined;

/**
 * x(k·G), step A4's one scalar multiplication, two ways that must agree (tests hold them to it).
 * In Node, OpenSSL's ECDH on the SM2 curve computes it natively (constant time, about three times
 * faster than JavaScript; its SM2 *signing* is no use: see above); elsewhere @noble/curves does.
 */
export const sm2BaseMultipleX: { native?: (k: bigint) => bigint; js: (k: bigint) => bigint } = {
  native: (() => {
    try {
      const ecdh = nodeCrypto?.createECDH("SM2");
      if (!ecdh) return undefined;
      return (k: bigint) => {
        ecdh.setPrivateKey(numberToBytesBE(k, 32));
        return bytesToNumberBE(ecdh.getPublicKey().subarray(1, 33));
      };
    } catch {
      return undefined;
    }
  })(),
  js: (k: bigint) => Point.BASE.multiply(k).x,
};
const baseMultipleX = sm2BaseMultipleX.native ?? sm2BaseMultipleX.js;

/** a⁻¹ mod n (n is prime: Fermat). */
const invert = (a: bigint): bigint => Point.Fn.inv(mod(a));
