import {
  ENVELOPE_VERSION,
  agencyIssuerUrl,
  createPendingEnvelope,
  formatCertificateNumber,
  selectivePathsOf,
  statusListPosition,
  statusListUri,
  type TypeFromMetadata,
} from "@certchain/sdk";
import type { CertificateRecord, IssueRequest } from "../domain/certificate";
import type { RequestContext } from "../domain/principal";
import { apiError } from "../errors";
import type { ActiveSigner } from "../keys/key-store";
import type { IssuedCredential, SigningPool, UnsignedCredential } from "../keys/signing-pool";
import type { NewAuditEntry } from "../store/audit-log";
import type { PendingEntry } from "../store/certificate-store";
import type { AgencyPrincipal } from "./access";
import { createClaimsBudget, type ClaimsBudget } from "./claims-budget";
import { ROOT_WRITES, type ServiceContext } from "./context";
import { formatSerial, newCertificateId } from "./identifiers";
import { parseTime } from "./iso-time";
import type { Numbering } from "./numbering";

/** An issuance checked and numbered, not signed yet. */
export interface Planned {
  agency: string;
  type: string;
  vct: string;
  statusIndex: number;
  certificateNumber: string;
  at: number;
  signer: ActiveSigner;
  unsigned: UnsignedCredential;
  actor: string;
  requestId: string;
}

/** A signed issuance, as it will be written: the record, its pending-index entry and its audit entry. */
export interface Prepared {
  record: CertificateRecord;
  pending: PendingEntry;
  audit: NewAuditEntry;
}

/**
 * One issuance before and after its signature: `plan` makes every check and hands out the
 * certificate's numbers (refusals are decided here, before anything is written); `sealed` turns
 * the signed credential into what is written.
 */
export function createIssuancePlanner(ctx: ServiceContext, numbering: Numbering) {
  const { keys, catalogue, accreditations, creditCodes } = ctx;

  /** The type to issue, once the registry says the agency may issue it and the claims fit it. */
  async function checkAllowed(principal: AgencyPrincipal, request: IssueRequest, budget: ClaimsBudget): Promise<TypeFromMetadata> {
    if (typeof request !== "object" || request === null) throw apiError("BAD_REQUEST", "Each item must be an object.");
    const type = catalogue.byId(request.type)?.type;
    if (type === undefined) throw apiError("CERT_TYPE_UNKNOWN", undefined, { type: request.type });
    // The token names the agency; the registry decides what it may issue.
    if (!(await accreditations.isAccredited(principal.agency, type))) throw apiError("CERT_TYPE_NOT_ACCREDITED", undefined, { type: type.id, vct: type.vct });
    const claims = await budget.check(type, request.claims);
    if (!claims.ok) throw apiError("CLAIMS_INVALID", undefined, claims.errors);
    return type;
  }

  /** The agency's signing key, registered on chain on its first issuance. */
  async function ensureKey(agency: string): Promise<ActiveSigner> {
    try {
      // With the root authority's other writes: one account, one nonce at a time, and two first
      // issuances of an agency register one key, not two.
      return await ctx.chainLock(ROOT_WRITES, () => keys.ensureSigningKey(agency));
    } catch {
      throw apiError("CHAIN_UNAVAILABLE", "The agency's signing key cannot be registered now; try again later.");
    }
  }

  return {
    /**
     * Everything of one issuance but the signature: checks, serial and status index, what to
     * sign. `budget` is the request's (one for all the items of a batch).
     */
    async plan(principal: AgencyPrincipal, request: IssueRequest, context: RequestContext, budget: ClaimsBudget = createClaimsBudget()): Promise<Planned> {
      const type = await checkAllowed(principal, request, budget);
      const validFrom = parseTime(request.validFrom, "validFrom");
      const validUntil = parseTime(request.validUntil, "validUntil");
      if (validFrom !== undefined && validUntil !== undefined && validFrom >= validUntil) throw apiError("VALIDITY_INVALID");
      const agency = principal.agency;
      const signer = keys.activeSigner(agency) ?? (await ensureKey(agency));
      // The registry's code, as verifiers will compare it with the number's issuer segment.
      const issuerCode = await creditCodes.codeOf(agency);
      const { serial, statusIndex } = await numbering.next(agency);
      const certificateNumber = formatCertificateNumber({ typeCode: type.typeCode, issuerCode, serial: formatSerial(serial), version: 1 });
      const at = ctx.now();
      const unsigned: UnsignedCredential = {
        vct: type.vct,
        issuer: agency,
        issuerUri: agencyIssuerUrl(ctx.publicUrl, agency),
        vctIntegrity: type.integrity,
        selectivePaths: selectivePathsOf(type),
        status: { idx: statusIndex, uri: statusListUri(ctx.publicUrl, agency, statusListPosition(statusIndex).list) },
        certificateNumber,
        claims: request.claims,
        issuedAt: Math.floor(at / 1000),
        validFrom,
        validUntil,
      };
      return { agency, type: type.id, vct: type.vct, statusIndex, certificateNumber, at, signer, unsigned, actor: principal.subject, requestId: context.requestId };
    },

    /** The record, pending-index entry and audit entry of a planned issuance, once signed. */
    sealed(p: Planned, { credential, leaf }: IssuedCredential): Prepared {
      const id = newCertificateId(p.at);
      const createdAt = new Date(p.at).toISOString();
      const { agency } = p;
      const envelope = createPendingEnvelope(credential, ctx.chainId, ctx.registryAddress, ctx.proofService, ctx.registryIds.current(), ENVELOPE_VERSION);
      return {
        record: { id, agency, type: p.type, vct: p.vct, statusIndex: p.statusIndex, status: "pending", envelope, leaf, createdAt },
        pending: { id, agency, leaf, at: p.at },
        audit: { at: createdAt, actor: p.actor, requestId: p.requestId, action: "certificate.issue", subject: id, data: { agency, type: p.type, certificateNumber: p.certificateNumber, leaf, keyId: p.signer.keyId } },
      };
    },
  };
}

/** Signs planned issuances in the signing pool, one call per key (a rotation may fall in between); results in input order. */
export async function signAll(signing: SigningPool, planned: readonly Planned[]): Promise<IssuedCredential[]> {
  const issued: IssuedCredential[] = new Array(planned.length);
  const bySigner = new Map<Planned["signer"], number[]>();
  planned.forEach((p, i) => {
    const indexes = bySigner.get(p.signer);
    if (indexes) indexes.push(i);
    else bySigner.set(p.signer, [i]);
  });
  await Promise.all(
    [...bySigner].map(async ([signer, indexes]) => {
      const signed = await signing.issue(signer, indexes.map((i) => planned[i].unsigned));
      indexes.forEach((at, k) => (issued[at] = signed[k]));
    }),
  );
  return issued;
}
