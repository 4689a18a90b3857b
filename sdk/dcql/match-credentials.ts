import { disclosedClaimsOf } from "../credential/disclosed-claims";
import { disclosurePathsOf, type DisclosurePath } from "../credential/disclosed-paths";
import { parseCredential, type ParsedCredential } from "../credential/parse";
import { VISIBLE_CLAIMS } from "../credential/visible-claims";
import { parseEnvelope, type Envelope } from "../envelope/envelope";
import { CertchainError } from "../errors";
import { holderKeyOfCredential } from "../holder-binding/holder-key";
import { matchesValues, selectClaims, type ConcreteClaimPath } from "./claims-path";
import { DCQL_ERRORS } from "./codes";
import { SD_JWT_VC_FORMAT, type DcqlClaimsQuery, type DcqlCredentialQuery, type DcqlQuery } from "./query";

/** One way a credential can answer a credential query: a `claim_sets` option it satisfies. */
export interface DcqlClaimOption {
  /** The option's claims, as the query names them. */
  claims: DcqlClaimsQuery[];
  /**
   * What to reveal for them (`presentWithKeyBinding`'s `disclose`): their claim paths, array
   * positions as issued (a part of a claim that is not a disclosure of its own is revealed with
   * the disclosure that holds it). Always-visible claims need nothing.
   */
  disclose: (string | number)[][];
}

/** A credential the wallet holds that can answer a credential query. */
export interface DcqlCandidate {
  /** Its index in the list given to {@link matchDcqlQuery}. */
  credential: number;
  /** The options it satisfies, in the verifier's order of preference (the first is the one to send by default). */
  options: DcqlClaimOption[];
  /** Claims in every option it satisfies: what must be shared. */
  required: DcqlClaimsQuery[];
  /** Claims in some of those options only: what the holder may leave out (see {@link chooseClaimOption}). */
  optional: DcqlClaimsQuery[];
}

/** What a wallet holds for a DCQL query. */
export interface DcqlMatch {
  /** By credential query id: the credentials that can answer it (none: an empty list). */
  credentials: Record<string, DcqlCandidate[]>;
  /** Each credential set query with the options whose every credential query has a candidate; null without `credential_sets`. */
  credentialSets: { required: boolean; options: string[][]; satisfiable: string[][] }[] | null;
  /** Whether the wallet can answer at all: every credential query (without `credential_sets`), or every required set. */
  satisfiable: boolean;
}

interface Held {
  parsed: ParsedCredential;
  claims: Record<string, unknown>;
  disclosures: DisclosurePath[];
}

const VISIBLE = new Set<string>(VISIBLE_CLAIMS);
const startsWith = (path: readonly (string | number)[], prefix: readonly (string | number)[]) => prefix.length <= path.length && prefix.every((segment, i) => segment === path[i]);

function read(input: Envelope | string): Held | undefined {
  try {
    const credential = typeof input === "string" && !input.trimStart().startsWith("{") ? input : parseEnvelope(input).credential;
    const parsed = parseCredential(credential);
    return { parsed, claims: disclosedClaimsOf(parsed), disclosures: disclosurePathsOf(parsed) };
  } catch {
    return undefined;
  }
}

/** The reveal path for one selected claim (see DcqlClaimOption.disclose), or undefined when it is always visible. */
function revealPathOf(held: Held, path: ConcreteClaimPath): (string | number)[] | undefined {
  if (path.length === 0 || (typeof path[0] === "string" && VISIBLE.has(path[0]))) return undefined;
  let ancestor: DisclosurePath | undefined;
  let below = false;
  for (const disclosure of held.disclosures) {
    if (startsWith(disclosure.presented, path)) below = true;
    else if (startsWith(path, disclosure.presented) && (!ancestor || disclosure.presented.length > ancestor.presented.length)) ancestor = disclosure;
  }
  if (!below && !ancestor) return undefined;
  // presentCredential takes array positions as issued: the nearest disclosure above says where.
  return [...(ancestor ? ancestor.issued : []), ...path.slice(ancestor ? ancestor.presented.length : 0)];
}

/** The claims of a query the credential holds (with an accepted value), with what to reveal for each. */
function satisfiedClaims(held: Held, query: DcqlCredentialQuery): Map<DcqlClaimsQuery, (string | number)[][]> {
  const satisfied = new Map<DcqlClaimsQuery, (string | number)[][]>();
  for (const claim of query.claims ?? []) {
    const selected = selectClaims(held.claims, claim.path);
    if (!selected || !matchesValues(selected, claim.values)) continue;
    const accepted = claim.values === undefined ? selected : selected.filter(({ value }) => claim.values!.some((v) => v === value));
    const reveal: (string | number)[][] = [];
    for (const { path } of accepted) {
      const at = revealPathOf(held, path);
      if (at && !reveal.some((known) => startsWith(at, known))) reveal.push(at);
    }
    satisfied.set(claim, reveal);
  }
  return satisfied;
}

function optionsOf(query: DcqlCredentialQuery): DcqlClaimsQuery[][] {
  const claims = query.claims ?? [];
  if (!query.claim_sets) return [claims];
  const byId = new Map(claims.map((claim) => [claim.id!, claim]));
  return query.claim_sets.map((ids) => ids.map((id) => byId.get(id)!));
}

function candidateFor(held: Held, index: number, query: DcqlCredentialQuery): DcqlCandidate | undefined {
  if (query.format !== SD_JWT_VC_FORMAT) return undefined;
  if (!query.meta.vct_values?.includes(held.parsed.payload.vct as string)) return undefined;
  // A query that asks for holder binding cannot be answered with a credential that has no holder key (§B.3).
  if (query.require_cryptographic_holder_binding && !holderKeyOfCredential(held.parsed.payload).ok) return undefined;
  const satisfied = satisfiedClaims(held, query);
  const options: DcqlClaimOption[] = [];
  for (const claims of optionsOf(query)) {
    if (!claims.every((claim) => satisfied.has(claim))) continue;
    const disclose: (string | number)[][] = [];
    for (const claim of claims) for (const path of satisfied.get(claim)!) if (!disclose.some((known) => startsWith(path, known))) disclose.push(path);
    options.push({ claims, disclose });
  }
  if (options.length === 0) return undefined;
  const all = [...new Set(options.flatMap((option) => option.claims))];
  const required = all.filter((claim) => options.every((option) => option.claims.includes(claim)));
  return { credential: index, options, required, optional: all.filter((claim) => !required.includes(claim)) };
}

/**
 * The wallet's side of DCQL (OpenID4VP 1.0 §6.4): which held credentials can answer each
 * credential query (format `dc+sd-jwt`, `vct` among `meta.vct_values`, a holder key when the
 * query requires holder binding, every claim of at least one `claim_sets` option present with an
 * accepted value), which claims are then required and which optional, what to reveal for each
 * option, and whether the request as a whole can be answered (`credential_sets`). Credentials
 * that cannot be read are skipped. Never throws on credentials; pass a query from {@link parseDcqlQuery}.
 *
 * @example
 * const match = matchDcqlQuery(query, wallet.envelopes);
 * const [candidate] = match.credentials.licence;
 * // candidate.required: company_name, unified_social_credit_code; candidate.optional: address
 * const option = chooseClaimOption(candidate, []); // the holder unticked the address
 * const presentation = await presentWithKeyBinding(wallet.envelopes[candidate.credential], { disclose: option.disclose, nonce, audience, holderSigner });
 */
export function matchDcqlQuery(query: DcqlQuery, credentials: readonly (Envelope | string)[]): DcqlMatch {
  const held = credentials.map(read);
  const byQuery: Record<string, DcqlCandidate[]> = {};
  for (const credentialQuery of query.credentials) {
    byQuery[credentialQuery.id] = held.flatMap((h, i) => {
      const candidate = h && candidateFor(h, i, credentialQuery);
      return candidate ? [candidate] : [];
    });
  }
  const answerable = (id: string) => byQuery[id].length > 0;
  if (!query.credential_sets) return { credentials: byQuery, credentialSets: null, satisfiable: query.credentials.every(({ id }) => answerable(id)) };
  const credentialSets = query.credential_sets.map(({ required, options }) => ({ required, options, satisfiable: options.filter((option) => option.every(answerable)) }));
  return { credentials: byQuery, credentialSets, satisfiable: credentialSets.every((set) => !set.required || set.satisfiable.length > 0) };
}

/**
 * The option a holder's choice amounts to: the first of the candidate's options (in the
 * verifier's order of preference) holding exactly its required claims and the optional ones the
 * holder kept, by claim `id`.
 *
 * @throws CertchainError `DCQL_SELECTION_INVALID` when no option is exactly that choice.
 */
export function chooseClaimOption(candidate: DcqlCandidate, keptOptional: readonly string[]): DcqlClaimOption {
  const wanted = new Set([...candidate.required.map((claim) => claim.id), ...keptOptional]);
  const option = candidate.options.find((o) => o.claims.length === wanted.size && o.claims.every((claim) => wanted.has(claim.id)));
  if (!option) throw new CertchainError("DCQL_SELECTION_INVALID", DCQL_ERRORS.DCQL_SELECTION_INVALID);
  return option;
}
