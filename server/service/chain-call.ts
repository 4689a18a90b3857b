import { isCertchainError } from "@certchain/sdk";
import { apiError } from "../errors";

/** A chain call failed: the gate's own refusal as it is (mismatch or unavailable), anything else as CHAIN_UNAVAILABLE. */
export const chainFailure = (error: unknown) =>
  isCertchainError(error) && (error.code === "CHAIN_STATE_MISMATCH" || error.code === "CHAIN_UNAVAILABLE") ? error : apiError("CHAIN_UNAVAILABLE");

/** `work`, or CHAIN_UNAVAILABLE once `ms` have passed: a caller never waits on a silent chain longer. */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(apiError("CHAIN_UNAVAILABLE")), ms)))]).finally(() => clearTimeout(timer));
}
