import { createHash, randomBytes } from "node:crypto";

/**
 * Certificate ids: opaque and URL-safe, but starting with the time in base 36 so that LevelDB's
 * key order (the pending index) is roughly acceptance order. The random part is unguessable.
 */
export const newCertificateId = (at: number): string => `${at.toString(36).padStart(9, "0")}${randomBytes(12).toString("base64url")}`;

/**
 * An 18-character issuer code for the certificate number when the agency's real unified social
 * credit code is not configured: derived from the slug, so stable across restarts and nodes.
 */
export function issuerCodeOf(agency: string): string {
  const digest = createHash("sha256").update(`certchain-issuer:${agency}`, "utf8").digest();
  return BigInt(`0x${digest.subarray(0, 16).toString("hex")}`).toString(36).toUpperCase().padStart(18, "0").slice(-18);
}

/** Certificate-number serials are zero-padded so they sort and read alike. */
export const formatSerial = (n: number): string => String(n).padStart(10, "0");
