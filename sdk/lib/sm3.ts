import { HashMD } from "@noble/hashes/_md.js";
import { clean, createHasher, rotl } from "@noble/hashes/utils.js";
import { base64urlEncode, utf8 } from "./bytes";

// SM3 (GB/T 32905-2016), the 国密 hash. Node's OpenSSL has it (`createHash("sm3")`); browsers do
// not, and neither does @noble/hashes, so the compression function is written here on noble's
// Merkle-Damgård base (padding and length encoding are SHA-256's). Tests check it against
// OpenSSL (node:crypto and the `openssl` command) and the standard's two examples.

const IV = [0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e];
/** T_j rotated left by j mod 32, as every round uses it. */
const T = Array.from({ length: 64 }, (_, j) => rotl(j < 16 ? 0x79cc4519 : 0x7a879d8a, j % 32));
const W = new Uint32Array(68);
const P0 = (x: number) => x ^ rotl(x, 9) ^ rotl(x, 17);
const P1 = (x: number) => x ^ rotl(x, 15) ^ rotl(x, 23);

class SM3 extends HashMD<SM3> {
  private A = IV[0] | 0;
  private B = IV[1] | 0;
  private C = IV[2] | 0;
  private D = IV[3] | 0;
  private E = IV[4] | 0;
  private F = IV[5] | 0;
  private G = IV[6] | 0;
  private H = IV[7] | 0;

  constructor() {
    super(64, 32, 8, false);
  }
  protected get(): number[] {
    const { A, B, C, D, E, F, G, H } = this;
    return [A, B, C, D, E, F, G, H];
  }
  protected set(A: number, B: number, C: number, D: number, E: number, F: number, G: number, H: number): void {
    this.A = A | 0;
    this.B = B | 0;
    this.C = C | 0;
    this.D = D | 0;
    this.E = E | 0;
    this.F = F | 0;
    this.G = G | 0;
    this.H = H | 0;
  }
  _cloneInto(to?: SM3): SM3 {
    to ||= new SM3();
    to.set(...(this.get() as [number, number, number, number, number, number, number, number]));
    return this._cloneIntoMeta(to);
  }
  protected process(view: DataView, offset: number): void {
    for (let j = 0; j < 16; j++, offset += 4) W[j] = view.getUint32(offset, false);
    for (let j = 16; j < 68; j++) W[j] = P1(W[j - 16] ^ W[j - 9] ^ rotl(W[j - 3], 15)) ^ rotl(W[j - 13], 7) ^ W[j - 6];
    let { A, B, C, D, E, F, G, H } = this;
    for (let j = 0; j < 64; j++) {
      const a12 = rotl(A, 12);
      const SS1 = rotl((a12 + E + T[j]) | 0, 7);
      const SS2 = SS1 ^ a12;
      const ff = j < 16 ? A ^ B ^ C : (A & B) | (A & C) | (B & C);
      const gg = j < 16 ? E ^ F ^ G : (E & F) | (~E & G);
      const TT1 = (ff + D + SS2 + (W[j] ^ W[j + 4])) | 0;
      const TT2 = (gg + H + SS1 + W[j]) | 0;
      D = C;
      C = rotl(B, 9);
      B = A;
      A = TT1;
      H = G;
      G = rotl(F, 19);
      F = E;
      E = P0(TT2);
    }
    this.set(A ^ this.A, B ^ this.B, C ^ this.C, D ^ this.D, E ^ this.E, F ^ this.F, G ^ this.G, H ^ this.H);
  }
  protected roundClean(): void {
    clean(W);
  }
  destroy(): void {
    this.set(0, 0, 0, 0, 0, 0, 0, 0);
    clean(this.buffer);
  }
}

/** SM3 in pure JavaScript (browsers); `sm3` below prefers Node's OpenSSL. */
export const sm3Js = /* @__PURE__ */ createHasher(() => new SM3());

type NodeCrypto = {
  createHash(alg: string): { update(data: Uint8Array | string): { digest(): Uint8Array } };
  hash?(alg: string, data: string, encoding: "base64url"): string;
};
// As lib/hash: node:crypto without an import a browser bundler would resolve.
const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.("node:crypto") as
  | NodeCrypto
  | undefined;

/** SM3 of bytes or of UTF-8 text: 32 bytes. */
export const sm3: (data: Uint8Array | string) => Uint8Array = nodeCrypto
  ? (data) => nodeCrypto.createHash("sm3").update(data).digest()
  : (data) => sm3Js(typeof data === "string" ? utf8(data) : data);

/** base64url(SM3(UTF-8 text)): an SD-JWT disclosure digest under `_sd_alg: "sm3"`. */
export const sm3Base64url: (text: string) => string = nodeCrypto?.hash
  ? (text) => nodeCrypto.hash!("sm3", text, "base64url")
  : (text) => base64urlEncode(sm3(text));
