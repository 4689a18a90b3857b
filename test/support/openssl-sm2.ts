// The `openssl` command line as an independent SM2 / SM3 implementation (Debian's OpenSSL 3):
// nothing here uses the SDK's SM2 or SM3 code.
import { execFileSync, spawnSync } from "node:child_process";
import { createPublicKey, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** The GM/T 0009 default distinguishing identifier, as `pkeyutl -pkeyopt distid:` takes it. */
export const DEFAULT_DISTID = "1234567812345678";

/** SubjectPublicKeyInfo of an uncompressed SM2 point: id-ecPublicKey with the SM2 curve (1.2.156.10197.1.301). */
export function sm2Spki(publicKey: Uint8Array): Buffer {
  if (publicKey.length !== 65) throw new TypeError("an uncompressed SM2 point has 65 bytes");
  return Buffer.concat([Buffer.from("3059301306072a8648ce3d020106082a811ccf5501822d034200", "hex"), publicKey]);
}

/** `r || s` (64 bytes) as the DER `SEQUENCE { INTEGER r, INTEGER s }` OpenSSL reads and writes. */
export function derSignature(raw: Uint8Array): Buffer {
  const integer = (bytes: Uint8Array) => {
    let value = Buffer.from(bytes);
    while (value.length > 1 && value[0] === 0 && value[1] < 0x80) value = value.subarray(1);
    if (value[0] >= 0x80) value = Buffer.concat([Buffer.of(0), value]);
    return Buffer.concat([Buffer.of(0x02, value.length), value]);
  };
  const body = Buffer.concat([integer(raw.subarray(0, 32)), integer(raw.subarray(32))]);
  return Buffer.concat([Buffer.of(0x30, body.length), body]);
}

/** The DER signature OpenSSL writes, as `r || s`. */
export function rawSignature(der: Buffer): Uint8Array {
  const integers: Buffer[] = [];
  for (let at = 2; at < der.length; ) {
    const length = der[at + 1];
    integers.push(der.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return new Uint8Array(Buffer.concat(integers.map((i) => Buffer.concat([Buffer.alloc(32), i]).subarray(-32))));
}

function inTempDir<T>(work: (file: (name: string) => string) => T): T {
  const dir = mkdtempSync(path.join(tmpdir(), "certchain-openssl-"));
  try {
    return work((name) => path.join(dir, name));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `openssl pkeyutl -verify` with SM2, SM3 and a distinguishing id (the default unless given;
 * `null` runs it without `-pkeyopt distid`, i.e. OpenSSL's empty id).
 */
export function opensslVerifiesSm2(publicKey: Uint8Array, message: Uint8Array | string, signature: Uint8Array, distid: string | null = DEFAULT_DISTID): boolean {
  return inTempDir((file) => {
    writeFileSync(file("pub.der"), sm2Spki(publicKey));
    writeFileSync(file("data"), message);
    writeFileSync(file("sig.der"), derSignature(signature));
    const args = ["pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", file("pub.der"), "-rawin", "-in", file("data"), "-sigfile", file("sig.der"), "-digest", "sm3"];
    if (distid !== null) args.push("-pkeyopt", `distid:${distid}`);
    const run = spawnSync("openssl", args, { encoding: "utf8" });
    if (run.stdout.includes("Signature Verified Successfully")) return true;
    if (run.stdout.includes("Signature Verification Failure")) return false;
    throw new Error(`openssl pkeyutl failed: ${run.stderr || run.stdout}`);
  });
}

/** `openssl pkeyutl -sign` with SM2, SM3 and the default distinguishing id: `r || s`. */
export function opensslSignsSm2(privateKey: KeyObject, message: Uint8Array | string): Uint8Array {
  return inTempDir((file) => {
    writeFileSync(file("key.pem"), privateKey.export({ format: "pem", type: "pkcs8" }));
    writeFileSync(file("data"), message);
    execFileSync("openssl", ["pkeyutl", "-sign", "-inkey", file("key.pem"), "-rawin", "-in", file("data"), "-out", file("sig.der"), "-digest", "sm3", "-pkeyopt", `distid:${DEFAULT_DISTID}`]);
    return rawSignature(readFileSync(file("sig.der")));
  });
}

/** SM3 by `openssl dgst -sm3`. */
export function opensslSm3(data: Uint8Array | string): Buffer {
  return inTempDir((file) => {
    writeFileSync(file("data"), data);
    return execFileSync("openssl", ["dgst", "-sm3", "-binary", file("data")]);
  });
}

/** The uncompressed point of an SM2 KeyObject, read by OpenSSL's own DER export. */
export const sm2PointOf = (key: KeyObject): Uint8Array => new Uint8Array(createPublicKey(key).export({ format: "der", type: "spki" }).subarray(-65));
