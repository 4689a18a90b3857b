import type { TrustedRegistry, VerificationResult } from "@certchain/sdk";

/**
 * Share links (`<origin>/s/<id>#<key>`) are verified by the SDK's share-link module, which
 * fetches the ciphertext, decrypts it with the key from the fragment (never sent) and verifies
 * the presentation inside. Loaded lazily, so a build without sdk/share/ still verifies files
 * and reports links as unsupported instead of failing to start.
 */
export type ShareLinkVerifier = (
  link: string,
  options: { registries: TrustedRegistry[]; minConfirmations?: number; shareServices?: string[] },
) => Promise<Omit<VerificationResult, "reason"> & { reason: { check: string; code: string; message: string } | null }>;

export function loadShareLinkVerifier(): ShareLinkVerifier | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const share = require("@certchain/sdk") as { verifyShareLink?: ShareLinkVerifier };
    return typeof share.verifyShareLink === "function" ? share.verifyShareLink : undefined;
  } catch {
    return undefined;
  }
}
