import { SDJwtVcInstance } from "@sd-jwt/sd-jwt-vc";
import { base64urlEncode, utf8 } from "../lib/bytes";
import { sha256 } from "../lib/hash";
import { issuerUriOf } from "./issuer-uri";
import type { CredentialSigner } from "./signer";
import { VISIBLE_CLAIMS } from "./visible-claims";

export interface IssueCredentialParameters {
  /** Certificate type URI (`vct`), e.g. `urn:certchain:vct:business-licence:1`. */
  vct: string;
  /** The issuing agency's registry slug; becomes `iss`. */
  issuer: string;
  certificateNumber: string;
  /** Subject claims: each becomes a selectively disclosable top-level claim. */
  claims: Record<string, unknown>;
  /** Seconds since the epoch. Defaults to now. */
  issuedAt?: number;
  validFrom?: number;
  validUntil?: number;
  signer: CredentialSigner;
}


const saltGenerator = (length: number): string => base64urlEncode(crypto.getRandomValues(new Uint8Array(length)));
const hasher = (data: string | ArrayBuffer): Uint8Array =>
  sha256(typeof data === "string" ? utf8(data) : new Uint8Array(data));

/**
 * Builds and signs an SD-JWT VC (`typ: dc+sd-jwt`) with every subject claim selectively
 * disclosable, through the `@sd-jwt/sd-jwt-vc` implementation. Returns the compact form with
 * all disclosures (ending in `~`).
 *
 * @example
 * const sdJwt = await issueCredential({ vct: type.vct, issuer: "sh-amr", certificateNumber,
 *   claims: { company_name: "上海示例科技有限公司" }, signer });
 */
export async function issueCredential(parameters: IssueCredentialParameters): Promise<string> {
  const { vct, issuer, certificateNumber, claims, signer } = parameters;
  const reserved = Object.keys(claims).filter((name) => (VISIBLE_CLAIMS as readonly string[]).includes(name) || name.startsWith("_"));
  if (reserved.length > 0) throw new TypeError(`reserved claim names: ${reserved.join(", ")}`);
  const issuedAt = parameters.issuedAt ?? Math.floor(Date.now() / 1000);

  const sdjwt = new SDJwtVcInstance({
    signer: async (input: string) => base64urlEncode(await signer.sign(utf8(input))),
    signAlg: signer.alg,
    hasher,
    hashAlg: "sha-256",
    saltGenerator,
  });
  const payload = {
    iss: issuerUriOf(issuer),
    vct,
    iat: issuedAt,
    nbf: parameters.validFrom ?? issuedAt,
    ...(parameters.validUntil !== undefined ? { exp: parameters.validUntil } : {}),
    certificate_number: certificateNumber,
    ...claims,
  };
  return sdjwt.issue(payload, { _sd: Object.keys(claims) } as never, { header: { typ: "dc+sd-jwt", kid: signer.kid } });
}
