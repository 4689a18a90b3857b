import { isErased, type CertificateRecord } from "../domain/certificate";
import type { CertificateStore } from "../store/certificate-store";
import type { Batcher } from "./batcher";

/**
 * The current records of `ids` once none of them is pending, or once `timeoutMs` has passed,
 * whichever comes first: it never waits longer, whatever the chain does (a request with
 * `Prefer: wait` must not hang on a chain outage). Woken by the batcher when a batch holding one
 * of them is anchored, not by polling; the records are read from the store, so what it returns
 * is what a later GET returns.
 */
export async function awaitAnchors(
  batcher: Pick<Batcher, "onBatchAnchored">,
  certificates: Pick<CertificateStore, "getMany">,
  ids: readonly string[],
  timeoutMs: number,
): Promise<(CertificateRecord | undefined)[]> {
  const deadline = Date.now() + Math.max(0, timeoutMs);
  const waiting = new Set(ids);
  // Counts relevant anchorings, so one that lands between a read and the sleep is not missed.
  let signals = 0;
  let wake: () => void = () => undefined;
  const unsubscribe = batcher.onBatchAnchored(({ ids: anchored }) => {
    if (anchored.some((id) => waiting.has(id))) {
      signals += 1;
      wake();
    }
  });
  try {
    for (;;) {
      const seen = signals;
      // An erased certificate has no envelope to hand back: it reads as unknown here.
      const records = (await certificates.getMany(ids)).map((record) => (record === undefined || isErased(record) ? undefined : record));
      records.forEach((record, i) => {
        if (record === undefined || record.status !== "pending") waiting.delete(ids[i]);
      });
      const left = deadline - Date.now();
      if (waiting.size === 0 || left <= 0) return records;
      if (signals !== seen) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = () => undefined;
    }
  } finally {
    unsubscribe();
  }
}
