import type { Hex } from "@certchain/sdk";

/** One entry of the hash-chained audit log: who did what to which subject, and when. */
export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  requestId: string;
  action: string; // "certificate.issue", "certificate.revoke", "key.rotate", "batch.anchor", …
  subject: string;
  data?: Record<string, unknown>;
  prevHash: Hex;
  hash: Hex;
}
