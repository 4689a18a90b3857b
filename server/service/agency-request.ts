import { checkCreditCode, isAllowedAlgorithm, utf8, type SignatureAlgorithm } from "@certchain/sdk/internal";
import { apiError } from "../errors";

export interface AgencyRequest {
  slug: string;
  name: string;
  /** Its unified social credit code (GB 32100-2015): the issuer segment of its certificate numbers. */
  creditCode: string;
  types: string[];
  /** The suite of the agency's signing keys: EdDSA (default), ES256 or SM2 (国密). */
  algorithm?: SignatureAlgorithm;
}

/** As `iss` names it (urn:certchain:agency:<slug>); the registry takes 1..64 bytes. */
export const SLUG_PATTERN = "^[a-z0-9]+(?:-[a-z0-9]+)*$";
/**
 * A display name: no control characters and no lone surrogates (which have no UTF-8 encoding:
 * the chain write used to fail on one, and the caller got a 503). With the `u` flag ajv uses, a
 * surrogate pair is one code point, so only lone surrogates fall in \ud800-\udfff.
 */
export const NAME_PATTERN = "^[^\\u0000-\\u001f\\u007f-\\u009f\\ud800-\\udfff]+$";
export const NAME_MAX_LENGTH = 80;
/** The registry's limit (CertchainInvalidName beyond it): 80 characters of 4 bytes would exceed it. */
const NAME_MAX_BYTES = 256;

/** The structure of GB 32100-2015 (the check character is checked by the service). */
export const CREDIT_CODE_PATTERN = "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$";

const SLUG = new RegExp(SLUG_PATTERN);
const NAME = new RegExp(NAME_PATTERN, "u");

const nameProblem = (name: unknown): string | undefined => {
  if (typeof name !== "string" || name.length === 0 || [...name].length > NAME_MAX_LENGTH || !NAME.test(name)) {
    return `must be 1 to ${NAME_MAX_LENGTH} characters of text, without control characters or lone surrogates`;
  }
  if (utf8(name).length > NAME_MAX_BYTES) return `must be at most ${NAME_MAX_BYTES} bytes in UTF-8`;
  return undefined;
};

/** Checks a new display name (a rename). @throws CertchainError VALIDATION_FAILED */
export function checkAgencyName(name: unknown): string {
  const problem = nameProblem(name);
  if (problem !== undefined) throw apiError("VALIDATION_FAILED", undefined, [{ path: "body/name", message: problem }]);
  return name as string;
}

/**
 * Checks a registration before anything is sent to the chain, so a bad request is a 400 with
 * field details, never a failed transaction.
 *
 * @throws CertchainError VALIDATION_FAILED
 */
export function checkAgencyRequest(request: AgencyRequest): AgencyRequest {
  const problems: { path: string; message: string }[] = [];
  const { slug, name, creditCode, types } = request ?? ({} as AgencyRequest);
  if (typeof slug !== "string" || slug.length > 64 || !SLUG.test(slug)) problems.push({ path: "body/slug", message: "must be lowercase letters, digits and single hyphens, at most 64" });
  const badName = nameProblem(name);
  if (badName !== undefined) problems.push({ path: "body/name", message: badName });
  const code = checkCreditCode(creditCode);
  if (!code.ok) problems.push({ path: "body/creditCode", message: code.message });
  if (!Array.isArray(types) || types.length === 0 || !types.every((t) => typeof t === "string")) problems.push({ path: "body/types", message: "must be a non-empty array of type ids" });
  if (request?.algorithm !== undefined && !isAllowedAlgorithm(request.algorithm)) problems.push({ path: "body/algorithm", message: "must be EdDSA, ES256 or SM2" });
  if (problems.length > 0) throw apiError("VALIDATION_FAILED", undefined, problems);
  return request;
}
