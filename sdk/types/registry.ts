import type { CertificateType } from "./define";
import { birthMedicalCertificate } from "./definitions/birth-medical-certificate";
import { businessLicence } from "./definitions/business-licence";
import { marriageCertificate } from "./definitions/marriage-certificate";
import { notarisationReceipt } from "./definitions/notarisation-receipt";
import { productionLicence } from "./definitions/production-licence";

/** The certificate types this SDK knows, in the order pages list them. */
export const certificateTypes: readonly CertificateType[] = Object.freeze([
  businessLicence,
  marriageCertificate,
  birthMedicalCertificate,
  productionLicence,
  notarisationReceipt,
]);

// Maps, not object lookups: ids and vcts come from untrusted credentials, and a Map has no
// inherited keys such as "__proto__" or "constructor".
const byId = new Map(certificateTypes.map((type) => [type.id, type]));
const byVct = new Map(certificateTypes.map((type) => [type.vct, type]));

/**
 * The certificate type with this id (slug), or undefined; never matches inherited keys.
 *
 * @example
 * findTypeById("business-licence")?.names["zh-CN"]; // "营业执照"
 */
export function findTypeById(id: unknown): CertificateType | undefined {
  return typeof id === "string" ? byId.get(id) : undefined;
}

/**
 * The certificate type a credential's `vct` names, or undefined when this SDK does not know it.
 *
 * @example
 * const type = findTypeByVct(payload.vct);
 * if (type === undefined) return fail("schema", "CERT_TYPE_UNKNOWN");
 */
export function findTypeByVct(vct: unknown): CertificateType | undefined {
  return typeof vct === "string" ? byVct.get(vct) : undefined;
}
