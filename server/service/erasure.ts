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
 * untouched; the audit log records the erasure. Its holder copies (OpenID4VCI) are erased with it
 * (an audit entry each). Erasing again changes nothing.
 */
export function createErasure(ctx: ServiceContext) {
  const { certificates, audit, certificateLock } = ctx;
  return {
    async erase(principal: Principal, id: string, context: RequestContext): Promise<ErasedCertificate> {
      requireRoot(principal);
      // With status changes: one would otherwise write back the credential it read before.
      // Holder copies (collected with OpenID4VCI) hold the same personal data: erased with it.
      return certificateLock(id, async () => {
        const record = await loadCertificate(certificates, id);
        const copies = (await certificates.copiesOf(id)).filter((copy) => !isErased(copy));
        if (isErased(record) && copies.length === 0) return record;
        const at = new Date(ctx.now()).toISOString();
        const erasing = [...(isErased(record) ? [] : [record]), ...copies];
        for (const r of erasing) await certificates.purge(r.id);
        await audit.append(
          erasing.map((r) => ({
            at,
            actor: principal.subject,
            requestId: context.requestId,
            action: "certificate.erase",
            subject: id,
            data: { agency: r.agency, type: r.type, leaf: r.leaf, ...(r.copyOf !== undefined ? { copy: r.id } : {}) },
          })),
          erasing.flatMap((r) => certificates.eraseOps(r, at)),
        );
        for (const r of erasing) await certificates.purge(r.id);
        if (isErased(record)) return record;
        const { envelope, ...rest } = record;
        return { ...rest, erasedAt: at, anchor: envelope.anchor };
      });
    },
  };
}
