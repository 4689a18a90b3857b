import type { Envelope } from "../envelope/envelope";
import { resolvePendingEnvelope, type ProofLookupOptions } from "./pending-proof";
import type { VerificationResult } from "./result";
import { snapshotOrUnreadable } from "./snapshot";
import { verify, type VerifyOptions } from "./verify";

/**
 * Verifies a certificate file, upgrading it first when it is pending and an allowed proof
 * service has its proof. The upgraded envelope is returned with the result only if the chain
 * confirmed its anchor.
 */
export async function verifyResolvingPending(given: unknown, options: VerifyOptions & ProofLookupOptions): Promise<VerificationResult> {
  // Read once: the proof lookup and every check see the same plain copy.
  const input = snapshotOrUnreadable(given);
  let anchored: Envelope | undefined;
  try {
    anchored = await resolvePendingEnvelope(input, options ?? { registries: [] });
  } catch {
    anchored = undefined;
  }
  if (anchored === undefined) return verify(input, options);
  const result = await verify(anchored, options);
  const anchorPassed = result.checks.some((c) => c.name === "anchor" && c.status === "passed");
  return anchorPassed ? { ...result, envelope: anchored } : result;
}
