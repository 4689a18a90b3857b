import { isCertchainError } from "@certchain/sdk";
import { isErased, type BatchItemResult, type CertificateRecord, type IssueRequest } from "../domain/certificate";
import type { Principal, RequestContext } from "../domain/principal";
import { apiError, detailsList } from "../errors";
import { issueLocally } from "../keys/signing-pool";
import type { WriteOp } from "../store/database";
import type { StoredItemResult } from "../store/idempotency-store";
import { requireAgency } from "./access";
import { erasedError, loadCertificate, withEnvelope } from "./certificate-lookup";
import type { ServiceContext } from "./context";
import { createClaimsBudget } from "./claims-budget";
import { createIdempotentRunner } from "./idempotent-runner";
import { createIssuancePlanner, signAll, type Planned, type Prepared } from "./issuance-plan";
import { createNumbering } from "./numbering";

export const MAX_BATCH_ITEMS = 10_000;

const errorOf = (error: unknown): { code: string; message: string; details?: unknown } =>
  isCertchainError(error) ? { code: error.code, message: error.message, ...(error.details !== undefined ? { details: detailsList(error.details) } : {}) } : { code: "INTERNAL", message: "Internal error." };

/**
 * Issuing, one certificate or a batch: plan (checks, numbers) → sign → one synced write → hand
 * to the batcher. Every refusal is decided before anything is written; a batch's good items are
 * issued even when others fail. An Idempotency-Key makes a retry return the first outcome.
 */
export function createIssuance(ctx: ServiceContext) {
  const { catalogue, accreditations, creditCodes, certificates, audit, batcher, inFlight } = ctx;
  const numbering = createNumbering(ctx.db, (agency, list) => ctx.personalData.derivedKey(`status-list index ${agency} ${list}`));
  const planner = createIssuancePlanner(ctx, numbering);
  const idempotent = createIdempotentRunner(ctx.idempotency, ctx.now, (text) => ctx.personalData.digest("idempotency request", text));
  const servedAgency = (principal: Principal) => {
    const agency = requireAgency(principal, (slug) => ctx.operatorFor(slug) !== undefined);
    if (ctx.served.get(agency.agency)?.state === "suspended") throw apiError("AGENCY_SUSPENDED");
    return agency;
  };

  /** One synced write for all of a request's certificates, their audit entries, counters and idempotency record; then anchoring. */
  async function commit(agency: string, prepared: readonly Prepared[], extra: readonly WriteOp[]): Promise<void> {
    const counters = await numbering.persistOps(agency);
    await audit.append(
      prepared.map((p) => p.audit),
      () => [...prepared.flatMap((p) => certificates.insertOps(p.record, p.pending.at)), ...counters(), ...extra],
    );
    batcher.enqueue(prepared.map((p) => p.pending));
  }

  return {
    async issue(principal: Principal, request: IssueRequest, context: RequestContext): Promise<CertificateRecord> {
      const agencyPrincipal = servedAgency(principal);
      const agency = agencyPrincipal.agency;
      return idempotent(
        agency,
        context,
        "single",
        request,
        (remember) =>
          inFlight.track(
            agency,
            (async () => {
              // A single issuance is signed here: it waits for nothing else.
              const p = await planner.plan(agencyPrincipal, request, context);
              const [issued] = await issueLocally(p.signer, [p.unsigned]);
              const prepared = planner.sealed(p, issued);
              await commit(agency, [prepared], remember([{ index: 0, ok: true, id: prepared.record.id }]));
              return prepared.record;
            })(),
          ),
        async ([first]) => withEnvelope(await loadCertificate(certificates, (first as { id: string }).id)),
      );
    },

    async issueBatch(principal: Principal, items: IssueRequest[], context: RequestContext): Promise<BatchItemResult[]> {
      const agencyPrincipal = servedAgency(principal);
      if (!Array.isArray(items) || items.length === 0) throw apiError("BAD_REQUEST", "items must be a non-empty array.");
      if (items.length > MAX_BATCH_ITEMS) throw apiError("BATCH_TOO_LARGE");
      const agency = agencyPrincipal.agency;
      return idempotent(
        agency,
        context,
        "batch",
        items,
        (remember) =>
          inFlight.track(
            agency,
            (async () => {
              const results: BatchItemResult[] = new Array(items.length);
              const planned: Planned[] = [];
              const plannedIndex: number[] = [];
              // One budget for the whole request: its checks yield the thread between items and stop at its share.
              const budget = createClaimsBudget();
              for (let index = 0; index < items.length; index++) {
                try {
                  planned.push(await planner.plan(agencyPrincipal, items[index], context, budget));
                  plannedIndex.push(index);
                } catch (error) {
                  if (!isCertchainError(error)) throw error;
                  results[index] = { index, ok: false, error: errorOf(error) };
                }
              }
              // Signatures in the worker pool, in input order: serials were handed out above.
              const issued = await signAll(ctx.signing, planned);
              const prepared = planned.map((p, k) => planner.sealed(p, issued[k]));
              prepared.forEach((p, k) => (results[plannedIndex[k]] = { index: plannedIndex[k], ok: true, certificate: p.record }));
              const stored = results.map((r): StoredItemResult => (r.ok ? { index: r.index, ok: true, id: r.certificate.id } : r));
              await commit(agency, prepared, remember(stored));
              return results;
            })(),
          ),
        async (stored) => {
          const records = await certificates.getMany(stored.flatMap((r) => (r.ok ? [r.id] : [])));
          let next = 0;
          return stored.map((r): BatchItemResult => {
            if (!r.ok) return r;
            const record = records[next++]!;
            // Erased since: the replay cannot hand its envelope back.
            return isErased(record) ? { index: r.index, ok: false, error: errorOf(erasedError(record)) } : { index: r.index, ok: true, certificate: record };
          });
        },
      );
    },

    /** Reads the agency's accreditations and credit code into the caches (kept on disk), so issuing survives a later chain outage. */
    async primeAccreditations(agency: string): Promise<void> {
      await Promise.all([...catalogue.list().map((entry) => accreditations.isAccredited(agency, entry.type)), creditCodes.codeOf(agency)]);
    },
  };
}
