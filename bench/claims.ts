import { findTypeById, formatCertificateNumber, type CertificateType } from "@certchain/sdk";

/** The type every benchmark certificate has: the business licence (营业执照). */
export const BENCH_TYPE_ID = "business-licence";
/** The issuing bureau's unified social credit code, registered with it and used as the number's issuer segment. */
export const ISSUER_CODE = "11310000MB2F30001N";

export function benchType(): CertificateType {
  const type = findTypeById(BENCH_TYPE_ID);
  if (!type?.schema.examples?.[0]) throw new Error(`certificate type ${BENCH_TYPE_ID} or its example is missing from the SDK`);
  return type;
}

/**
 * Realistic claims for certificate `serial`: the type's own example (Chinese company data, about
 * 400 UTF-8 bytes over 11 claims) with a company name that differs per certificate.
 */
export function claimsFor(type: CertificateType, serial: number): Record<string, unknown> {
  const example = type.schema.examples![0] as Record<string, unknown>;
  return { ...example, company_name: `上海青禾数字科技第${serial}分公司` };
}

export function certificateNumberFor(type: CertificateType, serial: number): string {
  return formatCertificateNumber({ typeCode: type.typeCode, issuerCode: ISSUER_CODE, serial: String(serial).padStart(10, "0"), version: "1" });
}
