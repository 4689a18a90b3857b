import type { FastifyReply, FastifyRequest } from "fastify";
import { preferredWaitSeconds } from "../../../lib/prefer-wait";
import type { CertificateRecord } from "../../../domain/certificate";
import type { IssuingService } from "../../../service/issuing-service";

/**
 * Honours `Prefer: wait=N` for freshly issued records: waits (at most N seconds, never longer,
 * even with the chain down) until none is pending and returns the records as they are then.
 * Sets `Preference-Applied` only when every record came back anchored, and `Vary: Prefer` always
 * (the reply depends on the header).
 */
export async function withPreferredWait(
  service: IssuingService,
  request: FastifyRequest,
  reply: FastifyReply,
  records: readonly CertificateRecord[],
): Promise<CertificateRecord[]> {
  reply.header("vary", "Prefer");
  const seconds = preferredWaitSeconds(request.headers.prefer);
  if (seconds === undefined || records.length === 0) return [...records];
  const current = records.every((r) => r.status !== "pending") ? [...records] : await service.awaitAnchors(records.map((r) => r.id), seconds * 1000);
  const updated = current.map((record, i) => record ?? records[i]);
  if (updated.every((r) => r.status !== "pending")) reply.header("preference-applied", `wait=${seconds}`);
  return updated;
}
