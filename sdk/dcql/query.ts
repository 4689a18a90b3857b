import { CertchainError } from "../errors";
import { envelopeValueOf } from "../envelope/envelope";
import { snapshotOf } from "../verify/snapshot";
import { DCQL_ERRORS } from "./codes";

/** One step of a claims path pointer (OpenID4VP 1.0 §7): a member name, every element (null), or one element. */
export type ClaimsPathSegment = string | null | number;

/** A Claims Query (OpenID4VP 1.0 §6.3). */
export interface DcqlClaimsQuery {
  /** Required when the credential query has `claim_sets`. */
  id?: string;
  path: ClaimsPathSegment[];
  /** Accepted values (strings, integers, booleans): a best-effort filter, never a security check. */
  values?: (string | number | boolean)[];
}

/** A Credential Query (OpenID4VP 1.0 §6.1), defaults filled in. */
export interface DcqlCredentialQuery {
  id: string;
  format: string;
  multiple: boolean;
  /** For `dc+sd-jwt`: `vct_values`, the accepted types. Other members are kept as given. */
  meta: { vct_values?: string[] } & Record<string, unknown>;
  require_cryptographic_holder_binding: boolean;
  claims?: DcqlClaimsQuery[];
  claim_sets?: string[][];
  trusted_authorities?: { type: string; values: string[] }[];
}

/** A Credential Set Query (OpenID4VP 1.0 §6.2), defaults filled in. */
export interface DcqlCredentialSetQuery {
  options: string[][];
  required: boolean;
}

/** A DCQL query (OpenID4VP 1.0 §6), as {@link parseDcqlQuery} returns it: checked, defaults filled in, unknown members dropped. */
export interface DcqlQuery {
  credentials: DcqlCredentialQuery[];
  credential_sets?: DcqlCredentialSetQuery[];
}

/** The credential format this SDK presents and verifies: IETF SD-JWT VC. */
export const SD_JWT_VC_FORMAT = "dc+sd-jwt";

/**
 * Bounds on a query, far above what a department asks (one or two credentials, a dozen claims),
 * so that a hostile one costs little to refuse.
 */
export const DCQL_LIMITS = {
  textLength: 32 * 1024,
  credentials: 16,
  claims: 64,
  claimSets: 32,
  credentialSets: 16,
  options: 32,
  pathLength: 16,
  values: 32,
  stringLength: 1024,
} as const;

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

const invalid = (detail: string): never => {
  throw new CertchainError("DCQL_QUERY_INVALID", `${DCQL_ERRORS.DCQL_QUERY_INVALID} ${detail}`);
};

function arrayOf(value: unknown, where: string, max: number, { empty = false } = {}): unknown[] {
  if (!Array.isArray(value)) return invalid(`${where} must be an array`);
  if (!empty && value.length === 0) return invalid(`${where} must not be empty`);
  if (value.length > max) return invalid(`${where} has more than ${max} entries`);
  return value;
}

function stringOf(value: unknown, where: string): string {
  if (typeof value !== "string" || value.length === 0 || value.length > DCQL_LIMITS.stringLength) return invalid(`${where} must be a non-empty string of at most ${DCQL_LIMITS.stringLength} characters`);
  return value;
}

function idOf(value: unknown, where: string): string {
  if (typeof value !== "string" || !ID.test(value)) return invalid(`${where} must be 1 to 64 letters, digits, "_" or "-"`);
  return value;
}

function booleanOr(value: unknown, fallback: boolean, where: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") return invalid(`${where} must be a boolean`);
  return value;
}

function pathOf(value: unknown, where: string): ClaimsPathSegment[] {
  return arrayOf(value, where, DCQL_LIMITS.pathLength).map((segment, i) => {
    if (segment === null) return null;
    if (typeof segment === "number" && Number.isSafeInteger(segment) && segment >= 0) return segment;
    if (typeof segment === "string" && segment.length <= DCQL_LIMITS.stringLength) return segment;
    return invalid(`${where}[${i}] must be a string, null or a non-negative integer`);
  });
}

function claimsQueryOf(value: unknown, where: string): DcqlClaimsQuery {
  if (!isObject(value)) return invalid(`${where} must be an object`);
  const claim: DcqlClaimsQuery = { path: pathOf(value.path, `${where}.path`) };
  if (value.id !== undefined) claim.id = idOf(value.id, `${where}.id`);
  if (value.values !== undefined) {
    claim.values = arrayOf(value.values, `${where}.values`, DCQL_LIMITS.values).map((v, i) => {
      if (typeof v === "boolean" || (typeof v === "number" && Number.isSafeInteger(v)) || (typeof v === "string" && v.length <= DCQL_LIMITS.stringLength)) return v;
      return invalid(`${where}.values[${i}] must be a string, an integer or a boolean`);
    });
  }
  return claim;
}

function credentialQueryOf(value: unknown, where: string): DcqlCredentialQuery {
  if (!isObject(value)) return invalid(`${where} must be an object`);
  const id = idOf(value.id, `${where}.id`);
  const format = stringOf(value.format, `${where}.format`);
  if (!isObject(value.meta)) return invalid(`${where}.meta is required and must be an object`);
  const meta: DcqlCredentialQuery["meta"] = { ...value.meta };
  if (format === SD_JWT_VC_FORMAT || value.meta.vct_values !== undefined) {
    meta.vct_values = arrayOf(value.meta.vct_values, `${where}.meta.vct_values`, DCQL_LIMITS.values).map((v, i) => stringOf(v, `${where}.meta.vct_values[${i}]`));
  }
  const query: DcqlCredentialQuery = {
    id,
    format,
    multiple: booleanOr(value.multiple, false, `${where}.multiple`),
    meta,
    require_cryptographic_holder_binding: booleanOr(value.require_cryptographic_holder_binding, true, `${where}.require_cryptographic_holder_binding`),
  };
  if (value.trusted_authorities !== undefined) {
    query.trusted_authorities = arrayOf(value.trusted_authorities, `${where}.trusted_authorities`, DCQL_LIMITS.values).map((entry, i) => {
      if (!isObject(entry)) return invalid(`${where}.trusted_authorities[${i}] must be an object`);
      const values = arrayOf(entry.values, `${where}.trusted_authorities[${i}].values`, DCQL_LIMITS.values).map((v, j) => stringOf(v, `${where}.trusted_authorities[${i}].values[${j}]`));
      return { type: stringOf(entry.type, `${where}.trusted_authorities[${i}].type`), values };
    });
  }
  if (value.claims !== undefined) {
    const claims = arrayOf(value.claims, `${where}.claims`, DCQL_LIMITS.claims).map((claim, i) => claimsQueryOf(claim, `${where}.claims[${i}]`));
    const paths = new Set<string>();
    const ids = new Set<string>();
    for (const claim of claims) {
      // Verifiers must not point at one claim twice (§6.1): refused here, so a department learns it.
      const key = JSON.stringify(claim.path);
      if (paths.has(key)) invalid(`${where}.claims names the path ${key} twice`);
      paths.add(key);
      if (claim.id !== undefined) {
        if (ids.has(claim.id)) invalid(`${where}.claims uses the id "${claim.id}" twice`);
        ids.add(claim.id);
      }
    }
    query.claims = claims;
    if (value.claim_sets !== undefined) {
      if (claims.some((claim) => claim.id === undefined)) invalid(`${where}.claims need an id each when claim_sets is present`);
      query.claim_sets = arrayOf(value.claim_sets, `${where}.claim_sets`, DCQL_LIMITS.claimSets).map((option, i) =>
        arrayOf(option, `${where}.claim_sets[${i}]`, DCQL_LIMITS.claims).map((claimId, j) => {
          const known = idOf(claimId, `${where}.claim_sets[${i}][${j}]`);
          if (!ids.has(known)) invalid(`${where}.claim_sets[${i}] names "${known}", which is no claim of the query`);
          return known;
        }),
      );
    }
  } else if (value.claim_sets !== undefined) invalid(`${where}.claim_sets must not be present without claims`);
  return query;
}

/**
 * Reads a `dcql_query` (object or JSON text) as OpenID4VP 1.0 §6 defines it and returns it
 * checked, with defaults filled in (`multiple: false`, `require_cryptographic_holder_binding:
 * true`, `required: true`) and unknown members dropped (the specification says to ignore them).
 * Beyond the specification's rules (unique ids, ids of letters, digits, `_` and `-`, `claim_sets`
 * only with `claims` whose ids they name, `credential_sets` options naming credential queries,
 * `meta.vct_values` for `dc+sd-jwt`), a claim path named twice is refused and sizes are bounded by
 * {@link DCQL_LIMITS}. The input is read once into plain data (hostile getters cannot change it).
 *
 * @throws CertchainError `DCQL_QUERY_INVALID`, whose message says what is wrong and where.
 * @example
 * const query = parseDcqlQuery({ credentials: [{ id: "licence", format: "dc+sd-jwt",
 *   meta: { vct_values: [businessLicence.vct] },
 *   claims: [{ id: "name", path: ["company_name"] }, { id: "code", path: ["unified_social_credit_code"] }, { id: "address", path: ["address"] }],
 *   claim_sets: [["name", "code", "address"], ["name", "code"]] }] });
 */
export function parseDcqlQuery(input: unknown): DcqlQuery {
  let value: unknown;
  try {
    if (typeof input === "string" && input.length > DCQL_LIMITS.textLength) throw new Error("too long");
    value = snapshotOf(typeof input === "string" ? envelopeValueOf(input) : input);
  } catch {
    return invalid("it is not JSON, names a member twice, or is too large");
  }
  if (!isObject(value)) return invalid("it must be an object");
  const credentials = arrayOf(value.credentials, "credentials", DCQL_LIMITS.credentials).map((entry, i) => credentialQueryOf(entry, `credentials[${i}]`));
  const ids = new Set<string>();
  for (const { id } of credentials) {
    if (ids.has(id)) invalid(`credentials uses the id "${id}" twice`);
    ids.add(id);
  }
  const query: DcqlQuery = { credentials };
  if (value.credential_sets !== undefined) {
    query.credential_sets = arrayOf(value.credential_sets, "credential_sets", DCQL_LIMITS.credentialSets).map((entry, i) => {
      if (!isObject(entry)) return invalid(`credential_sets[${i}] must be an object`);
      const options = arrayOf(entry.options, `credential_sets[${i}].options`, DCQL_LIMITS.options).map((option, j) =>
        arrayOf(option, `credential_sets[${i}].options[${j}]`, DCQL_LIMITS.credentials).map((id, k) => {
          const known = idOf(id, `credential_sets[${i}].options[${j}][${k}]`);
          if (!ids.has(known)) invalid(`credential_sets[${i}].options[${j}] names "${known}", which is no credential query`);
          return known;
        }),
      );
      return { options, required: booleanOr(entry.required, true, `credential_sets[${i}].required`) };
    });
  }
  return query;
}
