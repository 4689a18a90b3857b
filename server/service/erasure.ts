import { isErased, type ErasedCertificate } from "../domain/certificate";
import type { Principal, RequestContext } from "../domain/principal";
import { requireRoot } from "./access";
import { loadCertificate } from "./certificate-lookup";
import type { ServiceContext } from "./context";

/**
 * Erasure (the Personal Information Protection Law's right to deletion), by the root authority:
 * a certificate's personal data is crypto-shredded. Its credential's data key and ciphertext are
 * removed and the record's files compacted (store/certificate-store.ts), so nothing on disk can be
 * decrypted any more, whatever key or passphrase is known. The id, leaf, anchor and status stay,
 * so the chain's record, status changes and the holder's own file (which still verifies) are
 * untouched; the audit log records the erasure. Erasing again changes nothing.
 */
export function createErasure(ctx: ServiceContext) {
  const { certificates, audit, certificateLock } = ctx;
  return {
    async erase(principal: Principal, id: string, context: RequestContext): Promise<ErasedCertificate> {
      requireRoot(principal);
      // With status changes: one would otherwise write back the credential it read before.
      return certificateLock(id, async () => {
        const record = await loadCertificate(certificates, id);
        if (isErased(record)) return record;
        const at = new Date(ctx.now()).toISOString();
        await certificates.purge(id);
        await audit.append(
          [{ at, actor: principal.subject, requestId: context.requestId, action: "certificate.erase", subject: id, data: { agency: record.agency, type: record.type, leaf: record.leaf } }],
          certificates.eraseOps(record, at),
        );
        await certificates.purge(id);
        const { envelope, ...rest } = record;
        return { ...rest, erasedAt: at, anchor: envelope.anchor };
      });
    },
  };
}
