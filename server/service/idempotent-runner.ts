import type { RequestContext } from "../domain/principal";
import { apiError } from "../errors";
import { createKeyedMutex } from "../lib/mutex";
import type { WriteOp } from "../store/database";
import { requestHashOf, requestTextOf, type IdempotencyStore, type StoredItemResult } from "../store/idempotency-store";

/**
 * Runs a request once per (agency, Idempotency-Key): `run` gets `remember`, whose writes go into
 * the request's own synced write; a retry with the same key and body gets `replay` of the stored
 * outcome, one with another body IDEMPOTENCY_KEY_REUSED. Without a key, `run` simply runs.
 */
export function createIdempotentRunner(store: IdempotencyStore, now: () => number, keyedHash: (text: string) => string) {
  const requestLock = createKeyedMutex();
  return async function idempotent<T>(
    agency: string,
    context: RequestContext,
    kind: string,
    body: unknown,
    run: (remember: (results: StoredItemResult[]) => WriteOp[]) => Promise<T>,
    replay: (results: StoredItemResult[]) => Promise<T>,
  ): Promise<T> {
    const key = context?.idempotencyKey;
    if (key === undefined) return run(() => []);
    const text = requestTextOf(kind, body);
    const requestHash = keyedHash(text);
    return requestLock(`${agency}!${key}`, async () => {
      const stored = await store.get(agency, key);
      if (stored !== undefined) {
        const same = stored.v === 2 ? stored.requestHash === requestHash : stored.requestHash === requestHashOf(kind, body);
        if (!same) throw apiError("IDEMPOTENCY_KEY_REUSED");
        return replay(stored.results);
      }
      return run((results) => store.putOps(agency, key, { v: 2, requestHash, results, at: new Date(now()).toISOString() }));
    });
  };
}
