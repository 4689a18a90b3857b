import { BUNDLED_METADATA } from "./bundled";
import { certificateTypeFromMetadata, type TypeFromMetadata } from "./type-metadata";

// Built from the documents once, at load: a bundled document that does not pass
// typeMetadataProblems fails loudly here (and in tests), never silently at verification time.
const bundled: readonly TypeFromMetadata[] = Object.freeze(BUNDLED_METADATA.map((document) => certificateTypeFromMetadata(document)));

// Maps, not object lookups: ids and vcts come from untrusted credentials, and a Map has no
// inherited keys such as "__proto__" or "constructor".
const byVct = new Map(bundled.map((type) => [type.vct, type]));
// Issuing by id means the newest version: the first document of each id in the bundle.
const byId = new Map<string, TypeFromMetadata>();
for (const type of bundled) if (!byId.has(type.id)) byId.set(type.id, type);

/** The certificate types this SDK ships (newest version of each), in the order pages list them. */
export const certificateTypes: readonly TypeFromMetadata[] = Object.freeze([...byId.values()]);

/** Every bundled type version, older versions included. */
export const bundledTypeVersions: readonly TypeFromMetadata[] = bundled;

/**
 * The certificate type with this id (slug), newest version, or undefined; never matches inherited keys.
 *
 * @example
 * findTypeById("business-licence")?.names["zh-CN"]; // "营业执照"
 */
export function findTypeById(id: unknown): TypeFromMetadata | undefined {
  return typeof id === "string" ? byId.get(id) : undefined;
}

/**
 * The bundled certificate type a credential's `vct` names (any version), or undefined when this
 * SDK does not ship it (`verify` can still learn it: see the `types` option).
 *
 * @example
 * const type = findTypeByVct(payload.vct);
 * if (type === undefined) return fail("schema", "CERT_TYPE_UNKNOWN");
 */
export function findTypeByVct(vct: unknown): TypeFromMetadata | undefined {
  return typeof vct === "string" ? byVct.get(vct) : undefined;
}

const typeById = (id: string): TypeFromMetadata => byId.get(id)!;

/** 营业执照 (business licence), bundled. */
export const businessLicence = typeById("business-licence");
/** 结婚证 (marriage certificate), bundled, newest version. */
export const marriageCertificate = typeById("marriage-certificate");
/** 出生医学证明 (birth medical certificate), bundled, newest version. */
export const birthMedicalCertificate = typeById("birth-medical-certificate");
/** 工业产品生产许可证 (industrial product production licence), bundled. */
export const productionLicence = typeById("production-licence");
/** 公证存证回执 (notarisation receipt), bundled. */
export const notarisationReceipt = typeById("notarisation-receipt");
