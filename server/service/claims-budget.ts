import { setImmediate as nextTurn } from "node:timers/promises";
import { validateClaims, type CertificateType, type ValidateClaimsResult } from "@certchain/sdk";
import { apiError } from "../errors";

/**
 * How much of the main thread one request's claim checks may take. Each check is bounded by the
 * type's schema (patterns run in linear time, arrays within maxItems), but a batch holds up to
 * 10,000 of them, and the thread is the one every other request waits on:
 * - every SLICE_MS of work the request gives the event loop a turn, so /healthz and other
 *   callers are answered between items, not after the whole batch;
 * - past BUDGET_MS of checking in total, the request's remaining items are refused
 *   (CLAIMS_TOO_COSTLY) instead of checked. A real batch of 10,000 certificates takes a few
 *   hundred milliseconds here.
 */
export const CLAIMS_BUDGET_MS = 5_000;
export const CLAIMS_SLICE_MS = 10;

export interface ClaimsBudget {
  /** validateClaims, within the request's budget; gives the event loop a turn when its slice is used up. */
  check(type: CertificateType, claims: unknown): Promise<ValidateClaimsResult>;
}

export function createClaimsBudget(options: { budgetMs?: number; sliceMs?: number } = {}): ClaimsBudget {
  const budgetMs = options.budgetMs ?? CLAIMS_BUDGET_MS;
  const sliceMs = options.sliceMs ?? CLAIMS_SLICE_MS;
  let spent = 0;
  let sliceStart = performance.now();
  return {
    async check(type, claims) {
      if (performance.now() - sliceStart >= sliceMs) {
        await nextTurn();
        sliceStart = performance.now();
      }
      if (spent >= budgetMs) throw apiError("CLAIMS_TOO_COSTLY", undefined, { budgetMs });
      const started = performance.now();
      try {
        return validateClaims(type, claims);
      } finally {
        spent += performance.now() - started;
      }
    },
  };
}
