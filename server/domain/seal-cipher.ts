/**
 * How a sealed box (server/keys/sealed-box.ts) is encrypted; each box records its own, so boxes of
 * either kind open whatever new boxes use (configuration: `SEAL_CIPHER`).
 * - `aes-256-gcm`: AES-256-GCM (boxes written before the choice existed are this).
 * - `sm4-cbc-hmac-sm3`: SM4-CBC (GB/T 32907) then HMAC-SM3 (GB/T 32905), encrypt-then-MAC: the 国密
 *   option. Node 20's OpenSSL 3.0 has no SM4-GCM (it came with OpenSSL 3.2).
 */
export const SEAL_CIPHERS = ["aes-256-gcm", "sm4-cbc-hmac-sm3"] as const;
export type SealCipher = (typeof SEAL_CIPHERS)[number];

export const isSealCipher = (value: unknown): value is SealCipher => (SEAL_CIPHERS as readonly unknown[]).includes(value);
