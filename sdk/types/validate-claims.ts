import Ajv2020 from "ajv/dist/2020";
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { CertchainError } from "../errors";
import type { CertificateType } from "./define";

export interface ClaimError {
  /** JSON Pointer (RFC 6901) to the offending claim, e.g. `/spouses/0/id_number`; `""` is the whole claim set. */
  readonly path: string;
  readonly message: string;
}

export type ValidateClaimsResult = { readonly ok: true } | { readonly ok: false; readonly errors: readonly ClaimError[] };

export interface ValidateClaimsOptions {
  /**
   * Accept a claim set that omits required top-level claims: a presentation discloses only what
   * the holder chose. Disclosed claims must still be well-formed, and no unknown claim is allowed.
   */
  readonly partial?: boolean;
}

// Enough to explain a rejection; a hostile claim set with thousands of extra keys would
// otherwise produce a verification result as large as itself.
const MAX_ERRORS = 20;

let ajv: Ajv2020 | undefined;
const compiled = new WeakMap<CertificateType, { full?: ValidateFunction; partial?: ValidateFunction }>();

function getAjv(): Ajv2020 {
  if (ajv === undefined) {
    // strict: a misspelt keyword in a definition fails its first validation instead of being ignored.
    ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajv);
  }
  return ajv;
}

// ajv compilation takes milliseconds per schema; verifiers that only ever see one type should
// not pay for the others, so each validator is compiled on first use and kept per type.
function validatorFor(type: CertificateType, partial: boolean): ValidateFunction {
  const entry = compiled.get(type) ?? {};
  compiled.set(type, entry);
  const key = partial ? "partial" : "full";
  let validate = entry[key];
  if (validate === undefined) {
    const { required: _required, ...optional } = type.schema;
    const schema = partial ? optional : type.schema;
    try {
      validate = getAjv().compile(schema);
    } catch (cause) {
      throw new CertchainError("CERT_TYPE_SCHEMA_INVALID", `schema of ${type.id} does not compile`, { cause });
    }
    entry[key] = validate;
  }
  return validate;
}

const escapePointer = (key: string): string => key.replace(/~/g, "~0").replace(/\//g, "~1");

function toClaimError(error: ErrorObject): ClaimError {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  // Point at the claim itself, not at the object that lacks or has it.
  const child = params.missingProperty ?? params.additionalProperty;
  const path = child === undefined ? error.instancePath : `${error.instancePath}/${escapePointer(child)}`;
  return { path, message: error.message ?? error.keyword };
}

/**
 * Checks subject claims against a certificate type's schema. Never throws on the claims,
 * whatever they are (non-objects, `__proto__` keys, throwing getters); the result says why
 * they were rejected.
 *
 * @throws CertchainError `CERT_TYPE_SCHEMA_INVALID` only when the type's own schema is broken.
 * @example
 * const result = validateClaims(businessLicence, disclosedClaims, { partial: true });
 * if (!result.ok) console.log(result.errors); // [{ path: "/registration_date", message: 'must match format "date"' }]
 */
export function validateClaims(type: CertificateType, claims: unknown, options: ValidateClaimsOptions = {}): ValidateClaimsResult {
  const validate = validatorFor(type, options.partial === true);
  let valid: boolean;
  try {
    valid = validate(claims) as boolean;
  } catch {
    // Only exotic inputs get here (proxies, throwing getters); JSON-parsed claims never do.
    return { ok: false, errors: [{ path: "", message: "claims could not be read" }] };
  }
  if (valid) return { ok: true };
  const errors = (validate.errors ?? []).slice(0, MAX_ERRORS).map(toClaimError);
  return { ok: false, errors: errors.length > 0 ? errors : [{ path: "", message: "invalid claims" }] };
}
