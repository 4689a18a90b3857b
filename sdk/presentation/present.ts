import { presentSync } from "@sd-jwt/present";
import { parseEnvelope, type Envelope } from "../envelope/envelope";
import { CertchainError } from "../errors";
import { utf8 } from "../lib/bytes";
import { sha256 } from "../lib/hash";
import { disclosedClaimsOf, subjectClaimsOf } from "../credential/disclosed-claims";
import { parseCredential } from "../credential/parse";

const hasher = (data: string | ArrayBuffer): Uint8Array => sha256(typeof data === "string" ? utf8(data) : new Uint8Array(data));

/**
 * Derives a presentation that discloses only `reveal` (top-level subject claim names); the
 * visible claims (issuer, type, dates, certificate number) always stay. The issuer-signed part is
 * untouched, so the envelope's anchor proof still applies. Uses `@sd-jwt/present`.
 *
 * @example
 * const shared = presentCredential(envelope, ["company_name", "unified_social_credit_code"]);
 */
export function presentCredential(input: Envelope | string, reveal: readonly string[]): Envelope {
  const envelope = parseEnvelope(input);
  const available = subjectClaimsOf(disclosedClaimsOf(parseCredential(envelope.credential)));
  const unknown = reveal.filter((name) => !(name in available));
  if (unknown.length > 0) {
    throw new CertchainError("PRESENTATION_UNKNOWN_CLAIM", `not disclosed in this certificate: ${unknown.join(", ")}`);
  }
  const frame = Object.fromEntries(reveal.map((name) => [name, true]));
  const credential = presentSync(envelope.credential, frame, hasher);
  return { ...envelope, credential: credential.endsWith("~") ? credential : `${credential}~` };
}
