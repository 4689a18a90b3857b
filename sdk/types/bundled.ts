// The offline bundle: the Type Metadata documents of the built-in types, shipped inside the SDK.
// They are data (sdk/types/metadata/*.json); this file only gathers them, newest version of each
// type first in the order pages list them, older versions after (certificates issued under them
// keep verifying and displaying).
import businessLicence1 from "./metadata/business-licence.1.json";
import marriageCertificate1 from "./metadata/marriage-certificate.1.json";
import marriageCertificate2 from "./metadata/marriage-certificate.2.json";
import birthMedicalCertificate1 from "./metadata/birth-medical-certificate.1.json";
import birthMedicalCertificate2 from "./metadata/birth-medical-certificate.2.json";
import productionLicence1 from "./metadata/production-licence.1.json";
import notarisationReceipt1 from "./metadata/notarisation-receipt.1.json";
import type { TypeMetadataDocument } from "./type-metadata";

/** Every bundled document, each type's newest version first. */
export const BUNDLED_METADATA = [
  businessLicence1,
  marriageCertificate2,
  birthMedicalCertificate2,
  productionLicence1,
  notarisationReceipt1,
  // Version 1 of these disclosed each spouse and parent as one block; version 2 field by field.
  marriageCertificate1,
  birthMedicalCertificate1,
] as unknown as readonly TypeMetadataDocument[];
