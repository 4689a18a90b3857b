import { agencyIdOf, type ProofRecord } from "@certchain/sdk";
import { awaitAnchors } from "../anchoring/await-anchors";
import { chainStateOf } from "../anchoring/root-audit";
import { anchorOf, isErased, type CertificateRecord, type ErasedCertificate, type KeptCertificate } from "../domain/certificate";
import type { Principal } from "../domain/principal";
import { apiError } from "../errors";
import type { CertificateStore } from "../store/certificate-store";
import { withDeadline } from "./chain-call";
import type { ServiceContext } from "./context";

/** A stored certificate by id, erased or not; CERT_NOT_FOUND for an unknown (or impossible) id. */
export async function loadCertificate(certificates: CertificateStore, id: string): Promise<KeptCertificate> {
  const record = typeof id === "string" && id.length > 0 && id.length <= 128 ? await certificates.get(id) : undefined;
  // A holder copy is part of its certificate, never a certificate of its own.
  if (record === undefined || record.copyOf !== undefined) throw apiError("CERT_NOT_FOUND");
  return record;
}

/** CERT_ERASED, with what stays of the certificate, for a read that wanted its envelope. */
export const erasedError = (record: ErasedCertificate) => apiError("CERT_ERASED", undefined, { id: record.id, erasedAt: record.erasedAt, status: record.status, leaf: record.leaf });

/** The whole record (its envelope); CERT_ERASED once its personal data was erased. */
export function withEnvelope(record: KeptCertificate): CertificateRecord {
  if (isErased(record)) throw erasedError(record);
  return record;
}

/** Looking certificates up: by id for their agency, by leaf for anyone (proofs only), and waiting for anchors. */
export function createCertificateLookup(ctx: ServiceContext) {
  const { certificates, registry, gate } = ctx;

  /** Whether the chain holds the record's root for its agency at the recorded time (one read, with a deadline). */
  async function chainHolds(record: KeptCertificate): Promise<boolean> {
    const anchor = anchorOf(record);
    if (anchor.status !== "anchored") return false;
    try {
      const onChain = await withDeadline(registry.anchorOf(anchor.root), ctx.timeoutMs);
      return onChain !== undefined && onChain.agencyId.toLowerCase() === agencyIdOf(record.agency).toLowerCase() && onChain.anchoredAt === Math.floor(Date.parse(anchor.anchoredAt) / 1000);
    } catch {
      return false;
    }
  }

  /**
   * Anchored within the reorganisation window, and the chain (asked now, while it is ready) does not
   * hold the root as recorded: a reorganisation the anchor follower has not handled yet.
   */
  async function unconfirmedOnChain(record: KeptCertificate): Promise<boolean> {
    const anchor = anchorOf(record);
    const { phase, blockNumber: head } = gate.status();
    return phase === "ready" && anchor.status === "anchored" && (head === undefined || head - anchor.block < ctx.reorgWindow) && !(await chainHolds(record));
  }

  /**
   * A status change settled within the reorganisation window that the chain (asked now, while it
   * is ready) no longer holds: a reorganisation the status settlement has not handled yet. The
   * record is shown with the change unsettled, as it will be once the change is sent again.
   */
  async function statusAsSettled(record: CertificateRecord): Promise<CertificateRecord> {
    if (record.statusChange !== undefined || gate.status().phase !== "ready") return record;
    const followed = await certificates.followedStatusChange(record.id);
    if (followed?.settledBlock === undefined) return record;
    const { settledBlock: _block, ...change } = followed;
    try {
      const [onChain] = await withDeadline(registry.reader.statuses(agencyIdOf(record.agency), [record.leaf]), ctx.timeoutMs);
      return onChain.state === chainStateOf(record.status) ? record : { ...record, statusChange: change };
    } catch {
      return { ...record, statusChange: change };
    }
  }

  return {
    async get(principal: Principal, id: string): Promise<CertificateRecord> {
      const kept = await loadCertificate(certificates, id);
      if (principal?.kind !== "root" && (principal?.kind !== "agency" || principal.agency !== kept.agency)) throw apiError("FORBIDDEN_AGENCY");
      const record = withEnvelope(kept);
      const anchor = record.envelope.anchor;
      if (gate.status().phase === "mismatch" && anchor.status === "anchored" && !(await chainHolds(record))) {
        // The stored envelope says "anchored" but this chain lacks the root: do not hand out a claim the chain denies.
        throw apiError("CHAIN_STATE_MISMATCH", undefined, { root: anchor.root });
      }
      // Anchored within the reorganisation window: until the anchor follower has seen a reorganisation
      // that dropped or moved it, the chain itself is asked (one read); not held there, it is pending.
      // (Only while the chain is ready: during an outage the record is as the last look found it, and the
      // answer comes at once, not after a read's deadline.)
      if (await unconfirmedOnChain(record)) {
        const stored = await certificates.getStored(record.id);
        if (stored !== undefined && anchorOf(stored).status === "pending") return withEnvelope(stored);
      }
      return statusAsSettled(record);
    },

    awaitAnchors: (ids: readonly string[], timeoutMs: number): Promise<(CertificateRecord | undefined)[]> => awaitAnchors(ctx.batcher, certificates, ids, timeoutMs),

    async proofOf(leaf: string): Promise<{ status: "anchored"; proof: ProofRecord } | { status: "pending" } | undefined> {
      const record = typeof leaf === "string" && /^(0x)?[0-9a-fA-F]{64}$/.test(leaf) ? await certificates.getByLeaf(leaf) : undefined;
      if (record === undefined) return undefined;
      const anchor = anchorOf(record);
      if (anchor.status !== "anchored" || (await unconfirmedOnChain(record))) return { status: "pending" };
      const { root, proof, registry, registryId, chainId, anchoredAt, transaction, block } = anchor;
      return { status: "anchored", proof: { root, proof, registry, ...(registryId ? { registryId } : {}), chainId, anchoredAt, transaction, block } };
    },
  };
}
