import { CertchainError } from "../errors";
import { computeCheckCharacter, isValidCheckCharacter } from "./mod37-36";

/**
 * Chinese national e-licence identifier (电子证照标识):
 * `1.2.156.3005.2.<type code>.<issuer code>.<serial>.<version>.<check char>`.
 */
export const CERTIFICATE_NUMBER_PREFIX = "1.2.156.3005.2";

/** The variable parts of a certificate number, as {@link formatCertificateNumber} takes them. */
export interface CertificateNumberParts {
  /** `[0-9A-Z]{1,32}`; certchain types use their 4-character `typeCode`. */
  readonly typeCode: string;
  /** `[0-9A-Z]{1,32}`, e.g. the issuing agency's 18-character unified social credit code. */
  readonly issuerCode: string;
  readonly serial: string;
  /** `[0-9]{1,3}`, kept as a string so leading zeros survive a round trip. */
  readonly version: string;
}

/** {@link CertificateNumberParts}, with the version also accepted as a number. */
export type FormatCertificateNumberParameters = Omit<CertificateNumberParts, "version"> & {
  readonly version: string | number;
};

/** The parts of a well-formed number whose check character is right, or why not (never thrown). */
export type ParseCertificateNumberResult =
  | { readonly ok: true; readonly parts: CertificateNumberParts & { readonly checkCharacter: string } }
  | { readonly ok: false; readonly code: "CERT_NUMBER_MALFORMED" | "CERT_NUMBER_CHECK_FAILED"; readonly message: string };

const SEGMENT = /^[0-9A-Z]{1,32}$/;
const VERSION = /^[0-9]{1,3}$/;
const NUMBER = /^1\.2\.156\.3005\.2\.([0-9A-Z]{1,32})\.([0-9A-Z]{1,32})\.([0-9A-Z]{1,32})\.([0-9]{1,3})\.([0-9A-Z])$/;
// Longest well-formed number; anything longer is rejected before the regular expression runs.
const MAX_LENGTH = CERTIFICATE_NUMBER_PREFIX.length + 3 * 33 + 4 + 2;

// The check character covers the identifier with its dots removed and without the check
// character itself (GB/T 36904-style; the dots are not in the MOD 37,36 alphabet). So the
// prefix is protected too, but a dot moved across one character (type "AB", issuer "C" read as
// "A" and "BC") keeps the same check character: the segments have fixed widths in practice
// (4-character type codes, 18-character issuer codes), which is what catches that.
const checkInput = (parts: CertificateNumberParts): string =>
  `${CERTIFICATE_NUMBER_PREFIX}.${parts.typeCode}.${parts.issuerCode}.${parts.serial}.${parts.version}`.replace(/\./g, "");

function invalidPart(part: string, rule: string): CertchainError {
  return new CertchainError("CERT_NUMBER_PART_INVALID", `${part} must match ${rule}`, { details: { part } });
}

/**
 * Formats a national e-licence identifier and appends its ISO 7064 MOD 37,36 check character.
 *
 * @throws CertchainError `CERT_NUMBER_PART_INVALID` (with `details.part`) when a part is out of range.
 * @example
 * formatCertificateNumber({ typeCode: "YYZZ", issuerCode: "11310115MB2F3G4H5U", serial: "20240000001", version: 1 });
 * // "1.2.156.3005.2.YYZZ.11310115MB2F3G4H5U.20240000001.1.K"
 */
export function formatCertificateNumber(params: FormatCertificateNumberParameters): string {
  const { typeCode, issuerCode, serial } = params ?? ({} as FormatCertificateNumberParameters);
  const version = typeof params?.version === "number" && Number.isInteger(params.version) ? String(params.version) : params?.version;
  if (typeof typeCode !== "string" || !SEGMENT.test(typeCode)) throw invalidPart("typeCode", "[0-9A-Z]{1,32}");
  if (typeof issuerCode !== "string" || !SEGMENT.test(issuerCode)) throw invalidPart("issuerCode", "[0-9A-Z]{1,32}");
  if (typeof serial !== "string" || !SEGMENT.test(serial)) throw invalidPart("serial", "[0-9A-Z]{1,32}");
  if (typeof version !== "string" || !VERSION.test(version)) throw invalidPart("version", "[0-9]{1,3}");
  const body = `${CERTIFICATE_NUMBER_PREFIX}.${typeCode}.${issuerCode}.${serial}.${version}`;
  return `${body}.${computeCheckCharacter(checkInput({ typeCode, issuerCode, serial, version }))}`;
}

/**
 * Parses and checks a certificate number. Never throws, whatever it is given; messages are
 * fixed and never echo the input.
 *
 * @example
 * const result = parseCertificateNumber(payload.certificate_number);
 * if (!result.ok) return fail("format", result.code);
 * result.parts.typeCode; // "YYZZ"
 */
export function parseCertificateNumber(input: unknown): ParseCertificateNumberResult {
  const match = typeof input === "string" && input.length <= MAX_LENGTH ? NUMBER.exec(input) : null;
  if (match === null) {
    return { ok: false, code: "CERT_NUMBER_MALFORMED", message: "not a certificate number of the form 1.2.156.3005.2.<type>.<issuer>.<serial>.<version>.<check>" };
  }
  const [, typeCode, issuerCode, serial, version, checkCharacter] = match;
  const parts = { typeCode, issuerCode, serial, version };
  if (!isValidCheckCharacter(checkInput(parts) + checkCharacter)) {
    return { ok: false, code: "CERT_NUMBER_CHECK_FAILED", message: "certificate number check character does not match" };
  }
  return { ok: true, parts: { ...parts, checkCharacter } };
}
