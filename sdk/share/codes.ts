/**
 * Why a share link could not be verified. Stable codes, as the verification codes are; the
 * messages are fixed (a failure to decrypt never says more than that it failed).
 */
export const SHARE_CODES = {
  SHARE_LINK_INVALID: "The share link is malformed: it needs /s/<id> and the key after #.",
  SHARE_NOT_FOUND: "The share link has expired, was withdrawn, or never existed.",
  SHARE_DECRYPT_FAILED: "The shared certificate could not be decrypted: the link is incomplete or was tampered with.",
  SHARE_UNREACHABLE: "The share service could not be reached or did not answer properly.",
  SHARE_HOST_NOT_ALLOWED: "This verifier does not open share links of that host; open the link in a browser, or verify the certificate file.",
  SHARE_TOO_LARGE: "The presentation is too large to share as a link.",
} as const;

/** A stable code of the `share` check. */
export type ShareCode = keyof typeof SHARE_CODES;

/** The largest ciphertext the share service stores (JWE compact, ASCII): 64 KiB. */
export const MAX_SHARE_CIPHERTEXT = 64 * 1024;

/** How long a link may live at most. */
export const MAX_SHARE_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;
