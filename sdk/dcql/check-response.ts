import type { PresentationCode } from "../presentation/codes";
import { isCoveredBy, matchesValues, selectClaims } from "./claims-path";
import { SD_JWT_VC_FORMAT, type ClaimsPathSegment, type DcqlClaimsQuery, type DcqlCredentialQuery, type DcqlQuery } from "./query";

/** What the verifier sees of one presentation, for the query check. */
export interface PresentedCredential {
  /** The credential query it answers (its key in the vp_token). */
  queryId: string;
  /** The credential's leaf: presentations of one credential for several queries may share disclosures (§6.4). */
  leaf: string | undefined;
  vct: unknown;
  /** Every claim the presentation shows, visible ones included (`disclosedClaimsOf`). */
  claims: Record<string, unknown>;
  /** The claim path of each disclosure presented, array positions as presented. */
  disclosed: readonly (readonly (string | number)[])[];
}

function optionsOf(query: DcqlCredentialQuery): DcqlClaimsQuery[][] {
  const claims = query.claims ?? [];
  if (!query.claim_sets) return [claims];
  const byId = new Map(claims.map((claim) => [claim.id!, claim]));
  return query.claim_sets.map((ids) => ids.map((id) => byId.get(id)!));
}

/**
 * The response as a whole against the query (OpenID4VP 1.0 §6.4.2, §8.1): every key a credential
 * query, one presentation unless `multiple`, and the requested credentials all there (every
 * credential query, or one option of every required credential set). Undefined when it holds.
 */
export function checkResponseShape(query: DcqlQuery, counts: ReadonlyMap<string, number>): PresentationCode | undefined {
  const byId = new Map(query.credentials.map((credential) => [credential.id, credential]));
  for (const [id, count] of counts) {
    const credential = byId.get(id);
    if (!credential) return "DCQL_CREDENTIAL_NOT_REQUESTED";
    if (count > 1 && !credential.multiple) return "DCQL_TOO_MANY_PRESENTATIONS";
  }
  const present = (id: string) => (counts.get(id) ?? 0) > 0;
  if (!query.credential_sets) return query.credentials.every(({ id }) => present(id)) ? undefined : "DCQL_CREDENTIAL_MISSING";
  const satisfied = query.credential_sets.every((set) => !set.required || set.options.some((option) => option.every(present)));
  return satisfied ? undefined : "DCQL_CREDENTIAL_MISSING";
}

/**
 * One presentation against its credential query (OpenID4VP 1.0 §6.4.1, §8.6): the format, the
 * type (`meta.vct_values`), and its disclosures exactly one of the query's claim options — every
 * claim of the option present with an accepted value, and nothing disclosed beyond the option's
 * claims, the disclosures that hold them, and claims that other credential queries answered by
 * the same credential in this response ask for. Undefined when it holds.
 */
export function checkPresentation(query: DcqlQuery, presented: PresentedCredential, all: readonly PresentedCredential[]): PresentationCode | undefined {
  const credentialQuery = query.credentials.find(({ id }) => id === presented.queryId);
  if (!credentialQuery) return "DCQL_CREDENTIAL_NOT_REQUESTED";
  if (credentialQuery.format !== SD_JWT_VC_FORMAT) return "DCQL_FORMAT_UNSUPPORTED";
  if (typeof presented.vct !== "string" || !credentialQuery.meta.vct_values?.includes(presented.vct)) return "DCQL_VCT_MISMATCH";

  // Claims another query of this response asks of the same credential may be disclosed too (§6.4).
  const shared: (readonly ClaimsPathSegment[])[] = [];
  for (const other of all) {
    if (other === presented || other.queryId === presented.queryId || other.leaf === undefined || other.leaf !== presented.leaf) continue;
    for (const claim of query.credentials.find(({ id }) => id === other.queryId)?.claims ?? []) shared.push(claim.path);
  }
  // Said of the option that came closest: all there but too much, all there but a value, or missing claims.
  const RANK: PresentationCode[] = ["DCQL_CLAIM_MISSING", "DCQL_VALUE_MISMATCH", "DCQL_CLAIM_NOT_REQUESTED"];
  let best: PresentationCode = "DCQL_CLAIM_MISSING";
  const note = (code: PresentationCode) => {
    if (RANK.indexOf(code) > RANK.indexOf(best)) best = code;
  };
  for (const option of optionsOf(credentialQuery)) {
    const selections = option.map((claim) => ({ claim, selected: selectClaims(presented.claims, claim.path) }));
    if (selections.some(({ selected }) => !selected)) continue;
    if (!selections.every(({ claim, selected }) => matchesValues(selected!, claim.values))) {
      note("DCQL_VALUE_MISMATCH");
      continue;
    }
    const allowed = [...option.map((claim) => claim.path), ...shared];
    if (presented.disclosed.every((path) => allowed.some((pattern) => isCoveredBy(path, pattern)))) return undefined;
    note("DCQL_CLAIM_NOT_REQUESTED");
  }
  return best;
}
