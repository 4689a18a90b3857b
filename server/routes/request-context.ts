import type { FastifyRequest } from "fastify";
import type { RequestContext } from "../domain/principal";

/** The request as the service records it: its id (audit log) and its Idempotency-Key, if any. */
export function contextOf(request: FastifyRequest): RequestContext {
  const key = request.headers["idempotency-key"];
  return typeof key === "string" ? { requestId: request.id, idempotencyKey: key } : { requestId: request.id };
}
