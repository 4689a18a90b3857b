import type { Envelope } from "@certchain/sdk";
import type { ApiClient } from "./http-client";

/** A certificate as the API returns it (GET /v1/certificates/:id and issue replies). */
export interface CertificateView {
  id: string;
  status: "pending" | "anchored" | "suspended" | "revoked";
  envelope: Envelope;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const getCertificate = (client: ApiClient, id: string) => client.get<CertificateView>(`/v1/certificates/${encodeURIComponent(id)}`);

/**
 * Polls GET /v1/certificates/:id for each id until it is no longer pending (anchored, or already
 * suspended or revoked, which only anchored certificates can be). A few polls run at once; an
 * id still pending at the deadline is reported as such, not as a failure of the others.
 */
export async function waitUntilAnchored(
  client: ApiClient,
  ids: readonly string[],
  options: { timeoutMs: number; concurrency?: number; intervalMs?: number; onAnchored?: (certificate: CertificateView) => void },
): Promise<{ anchored: CertificateView[]; pending: string[] }> {
  const deadline = Date.now() + options.timeoutMs;
  const anchored: CertificateView[] = [];
  const pending: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      for (;;) {
        const certificate = await getCertificate(client, id);
        if (certificate.status !== "pending") {
          anchored.push(certificate);
          options.onAnchored?.(certificate);
          break;
        }
        if (Date.now() > deadline) {
          pending.push(id);
          break;
        }
        await sleep(options.intervalMs ?? 500);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 8, ids.length) }, worker));
  return { anchored, pending };
}
